package registry

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
)

// dossierSections are the headings every dossier shows, filled or not.
var dossierSections = []string{"投诉情况", "风险评估", "名单状态", "行政约谈", "执法检查", "调解",
	"资金监管", "变更记录"}

// fullDossier returns a dossier with something in every section, long Chinese addresses that
// wrap, several stores and several changes.
func fullDossier() *Dossier {
	score := 72
	assessed := time.Date(2026, 11, 30, 2, 5, 0, 0, time.UTC)
	reported := time.Date(2026, 9, 29, 16, 0, 0, 0, time.UTC)
	supervised, required := int64(1_234_500), int64(4_938_240)
	return &Dossier{
		Enterprise: &Enterprise{
			USCC:                "91110105MA01R8XK2N",
			Name:                "北京悦动力健身服务有限公司",
			Aliases:             []string{"悦动力健身", "北京悦动体育文化发展有限公司"},
			LegalRepresentative: "欧阳晓明",
			RegisteredAddress: "北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室" +
				"（望京SOHO塔三，地铁十四号线望京南站C口东行约二百米，临近望京街与阜通东大街交叉口）",
			District:     "110105",
			Street:       "望京街道",
			Industry:     IndustryFitness,
			ContactPhone: "010-64781234",
			Status:       StatusSuspended,
			Stores: []Shop{
				{Name: "悦动力健身（望京店）", Address: "北京市朝阳区望京街10号望京商业中心B1层B1-023号商铺"},
				{Name: "悦动力健身（双井店）", Address: "北京市朝阳区广渠路28号院富力城商业街2层L2-215至L2-219号"},
				{Name: "悦动力健身（亚运村店）", Address: "北京市朝阳区北辰东路8号汇宾大厦地下一层"},
			},
			Prepaid: Prepaid{
				CardTypes:             []CardType{CardNamed, CardSessions},
				OutstandingBalanceFen: 12_345_600,
				BalanceReportedOn:     &reported,
				SupervisedAccount:     "中国工商银行北京望京支行 0200 0045 0902 0123 456",
			},
			Version:   3,
			CreatedAt: time.Date(2026, 3, 2, 1, 15, 0, 0, time.UTC),
			UpdatedAt: time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC),
		},
		Complaints: ComplaintsSection{
			Total: 57, Last30Days: 12, Last90Days: 31,
			ByCategory: map[string]int64{"退费难": 33, "停业跑路": 14, "服务缩水": 10},
		},
		Risk:       RiskSection{Score: &score, Level: "high", Assessed: &assessed},
		ListStatus: ListStatusSection{List: "grey"},
		Interviews: []DossierRecord{{ID: "IV-1", At: utc(2026, 12, 10, 6, 0),
			Title: "行政约谈 京朝市监约〔2026〕第0153号",
			State: "未到", Outcome: "企业未按通知到场"}},
		Enforcement: []DossierRecord{{ID: "OP-1:X", At: utc(2026, 11, 2, 2, 0), Title: "联合执法检查",
			State: "已记录", Outcome: "未按规定存管预收资金"}},
		Mediation: []DossierRecord{{ID: "TJ-2026-0412", At: utc(2026, 10, 9, 3, 0), Title: "TJ-2026-0412",
			State: "已结案", Outcome: "调解成功"}},
		Funds: FundsSection{SupervisedBalanceFen: &supervised, RequiredDepositFen: &required},
		Changes: []DossierChange{
			{At: utc(2026, 3, 2, 1, 15), Actor: "system", Action: "enterprise.create", Version: 1},
			{
				At: utc(2026, 6, 18, 9, 40), Actor: "wangfang", Action: "enterprise.update", Version: 2,
				Change: json.RawMessage(`{"contact_phone":{"from":"","to":"010-64781234"}}`),
			},
			{
				At: utc(2026, 12, 3, 16, 30), Actor: "lihua", Action: "enterprise.update", Version: 3,
				Change: json.RawMessage(`{"status":{"from":"operating","to":"suspended"},"stores":{}}`),
			},
		},
		GeneratedAt: time.Date(2026, 12, 4, 1, 2, 0, 0, time.UTC),
	}
}

// utc returns a time in UTC to the minute.
func utc(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
}

func TestDossierPDF_ShowsEveryField(t *testing.T) {
	d := fullDossier()
	e := d.Enterprise

	out, err := DossierPDF(d, BeijingAreas())
	require.NoError(t, err)
	text := pdftest.Squash(pdftest.Text(t, out))

	want := []string{
		"预付式消费经营者档案",
		"名称：" + e.Name,
		"统一社会信用代码：" + string(e.USCC),
		"悦动力健身、北京悦动体育文化发展有限公司",
		"法定代表人：" + e.LegalRepresentative,
		e.RegisteredAddress,
		"所在区：朝阳区（110105）",
		"街乡：望京街道",
		"行业：健身",
		"联系电话：010-64781234",
		"经营状态：暂停营业",
		"档案版本：第 3 版",
		"登记时间：2026-03-02 09:15",
		"更新时间：2026-12-04 00:30",
		"预付卡类型：记名卡、课程/次卡",
		"预收款余额：123,456.00 元",
		"余额报送日期：2026-09-30",
		"监管账户：" + e.Prepaid.SupervisedAccount,
		"投诉总数：57 件", "近30日：12 件", "近90日：31 件", "退费难33", "停业跑路14", "服务缩水10",
		"风险分值：72 分", "风险等级：高风险", "评估时间：2026-11-30 10:05",
		"已列入灰名单",
		"京朝市监约〔2026〕第0153号", "2026-12-10 14:00", "未到", "企业未按通知到场",
		"未按规定存管预收资金", "TJ-2026-0412", "调解成功",
		"监管账户余额：12,345.00 元", "应存管金额：49,382.40 元", "存管覆盖率：24.99%",
		"2026-03-02 09:15系统登记1",
		"2026-06-18 17:40wangfang变更：联系电话2",
		"2026-12-04 00:30lihua变更：经营状态、门店3",
		"生成时间：2026-12-04 09:02",
	}
	for _, s := range e.Stores {
		want = append(want, s.Name, s.Address)
	}
	want = append(want, dossierSections...)
	for _, w := range want {
		assert.Contains(t, text, pdftest.Squash(w))
	}
	assert.NotContains(t, text, dossierNone, "a full dossier has no empty section")
}

func TestDossierPDF_EmptyDossier(t *testing.T) {
	d := &Dossier{
		Enterprise: &Enterprise{
			USCC: "92110105L12345678X", Name: "北京市朝阳区小李洗衣店", LegalRepresentative: "李强",
			RegisteredAddress: "北京市朝阳区劲松路5号", District: "110105", Street: "劲松街道",
			Industry: IndustryLaundry, Status: StatusOperating, Version: 1,
		},
	}

	out, err := DossierPDF(d, BeijingAreas())
	require.NoError(t, err)
	text := pdftest.Squash(pdftest.Text(t, out))

	for _, h := range append([]string{"门店"}, dossierSections...) {
		at := strings.Index(text, h)
		require.GreaterOrEqual(t, at, 0, "no section %s", h)
		assert.Contains(t, text[at:], h+dossierNone, "section %s is not marked empty", h)
	}
	assert.Contains(t, text, "预收款余额：0.00元")
	assert.Contains(t, text, "联系电话：未登记")
}

func TestDossierPDF_NoEnterprise(t *testing.T) {
	for _, d := range []*Dossier{nil, {}} {
		_, err := DossierPDF(d, BeijingAreas())
		require.Error(t, err)
		assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
	}
}
