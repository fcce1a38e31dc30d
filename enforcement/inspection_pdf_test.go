package enforcement

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/registry"
)

// longDescription is long enough to wrap over several lines of the page.
const longDescription = "经现场检查，该企业自二〇二六年三月起以“开业酬宾”名义发售不记名储值卡，单张面额最高为二千元，" +
	"超过单用途商业预付卡管理办法规定的一千元上限；收取的预付款项未按规定比例存入资金监管账户，" +
	"截至检查当日监管账户余额为零，门店现场张贴的退卡须知载明“一经售出概不退换”，属于排除消费者权利的格式条款。"

func TestInspectionPDF(t *testing.T) {
	deadline := time.Date(2026, 12, 20, 0, 0, 0, 0, opZone)
	op := &Operation{ID: "OP-20261120-4f9a0c", Title: "预付式消费领域联合执法检查",
		LegalBasis: "《北京市单用途预付卡管理条例》第二十五条", LeadDepartment: "market",
		Departments: []Department{"market", "commerce", "sports"}, Date: "2026-11-20"}
	ent := &registry.Enterprise{USCC: "91110105MA01R8XK2N", Name: "北京悦动力健身服务有限公司",
		RegisteredAddress: "北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室"}
	ins := &Inspection{
		ID: op.ID + ":" + string(ent.USCC), OperationID: op.ID, USCC: ent.USCC,
		InspectedAt: time.Date(2026, 11, 20, 2, 5, 0, 0, time.UTC), Address: ent.RegisteredAddress,
		Inspectors: []Inspector{
			{Name: "王强", Department: "market", BadgeNumber: "11010520001"},
			{Name: "李娜", Department: "commerce", BadgeNumber: "11010520002"},
		},
		Findings: []Finding{
			{Category: FindingCardOverLimit, Description: longDescription,
				Evidence: []string{"IMG_0001.jpg", "现场笔录-01.pdf"}},
			{Category: FindingFundsNotDeposited, Description: "监管账户余额为零"},
		},
		Measures: []Measure{
			{Kind: MeasureFine, AmountFen: 1_234_567, DecisionNumber: "京朝市监罚〔2026〕12号"},
			{Kind: MeasureRectify, Deadline: &deadline, Note: "限期存足监管资金"},
			{Kind: MeasureReferral, ReferredTo: "sports"},
		},
		Acknowledgement: &Acknowledgement{Name: "欧阳晓明", Role: "店长",
			At: time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)},
	}

	raw, err := InspectionPDF(op, ins, ent, DefaultBureau)
	require.NoError(t, err)
	text := pdftest.Squash(pdftest.Text(t, raw))

	for _, want := range []string{
		DefaultBureau.Name, "现场检查记录", ins.ID,
		"联合执法行动：预付式消费领域联合执法检查", "执法依据：《北京市单用途预付卡管理条例》第二十五条",
		"牵头部门：区市场监督管理局", "被检查单位：北京悦动力健身服务有限公司", "统一社会信用代码：91110105MA01R8XK2N",
		"检查地点：北京市朝阳区望京街道阜通东大街6号院3号楼B座12层1201室", "检查时间：2026-11-2010:05",
		"王强区市场监督管理局11010520001", "李娜区商务局11010520002",
		"问题1：预付卡面额超过限额", longDescription, "证据材料：IMG_0001.jpg；现场笔录-01.pdf",
		"问题2：未按规定存管预收资金", "监管账户余额为零",
		"措施1：罚款", "罚款金额：12,345.67元", "处罚决定书文号：京朝市监罚〔2026〕12号",
		"措施2：责令整改", "整改期限：2026-12-20", "说明：限期存足监管资金",
		"措施3：移送", "移送部门：区体育局",
		"现场负责人：欧阳晓明", "职务：店长", "确认时间：2026-11-2011:00",
		"检查人员（签名）", "被检查单位负责人（签名）",
	} {
		assert.Contains(t, text, pdftest.Squash(want))
	}

	t.Run("refused to sign", func(t *testing.T) {
		refused := *ins
		refused.Acknowledgement = &Acknowledgement{Refused: true, Note: "现场负责人拒绝签字，由两名检查人员见证"}
		raw, err := InspectionPDF(op, &refused, ent, DefaultBureau)
		require.NoError(t, err)
		text := pdftest.Squash(pdftest.Text(t, raw))
		assert.Contains(t, text, "签字情况：拒绝签字")
		assert.Contains(t, text, "情况说明：现场负责人拒绝签字，由两名检查人员见证")
		assert.False(t, strings.Contains(text, "以上记录经本人核对无误"))
	})
}
