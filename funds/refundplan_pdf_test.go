package funds

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf/pdftest"
)

const planTestBureau = "北京市朝阳区市场监督管理局"

// planTestDoc is a refund plan of three claims whose shares are worked by hand: 1,500.01 yuan
// among 2,000.00 yuan verified.
func planTestDoc() RefundPlanDoc {
	return RefundPlanDoc{
		PlanID:         "RP-2026-0007",
		EnterpriseName: "北京悦动力健身服务有限公司",
		USCC:           "91110105MA01R8XK2N",
		Bank:           "中国工商银行北京望京支行",
		AccountNumber:  "6222020200112345678",
		HeldFen:        100_000,
		InsuranceFen:   50_001,
		Claims: []RefundClaim{
			{ID: "R-001", ConsumerName: "张晓燕", ConsumerPhone: "13812345678", ClaimFen: 100_000,
				VerifiedFen: 100_000, Source: ClaimFromComplaint},
			{ID: "R-002", ConsumerName: "欧阳娜娜", ConsumerPhone: "139-8765-4321", ClaimFen: 60_000,
				VerifiedFen: 80_000, Source: ClaimFromMediation},
			{ID: "R-003", ConsumerName: "李建国", ConsumerPhone: "15611112222", ClaimFen: 20_000,
				VerifiedFen: 20_000, Source: ClaimFromImport},
		},
		ProposedBy: "王芳",
		ProposedAt: time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), // 1 December in Beijing
		ApprovedBy: "赵强",
		ApprovedAt: time.Date(2026, 12, 2, 3, 15, 0, 0, time.UTC),
		Bureau:     planTestBureau,
	}
}

// planTestHeaders are the columns of a pro-rata plan's table.
var planTestHeaders = []string{"序号", "申请编号", "消费者", "联系电话", "来源", "核实金额（元）",
	"分配金额（元）", "其中尾差（元）"}

// fundsDocBody extracts a PDF's text and returns its body with white space removed: every
// page must end with the footer (title, 第 N 页 / 共 M 页), which is cut off, and a table
// header row repeated at the top of a later page is cut off too. It also returns the number
// of pages.
func fundsDocBody(t *testing.T, out []byte, title string, tableHeader []string) (string, int) {
	t.Helper()
	pages := strings.Split(strings.TrimSuffix(pdftest.Text(t, out), "\f"), "\f")
	head := pdftest.Squash(strings.Join(tableHeader, ""))

	var body strings.Builder
	for i, page := range pages {
		page = pdftest.Squash(page)
		footer := pdftest.Squash(fmt.Sprintf("%s第 %d 页 / 共 %d 页", title, i+1, len(pages)))
		require.True(t, strings.HasSuffix(page, footer), "page %d does not end with %q: %q", i+1, footer, page)
		page = strings.TrimSuffix(page, footer)
		if i > 0 {
			page = strings.TrimPrefix(page, head)
		}
		body.WriteString(page)
	}
	return body.String(), len(pages)
}

func TestRefundPlanPDF_HandWorked(t *testing.T) {
	out, err := RefundPlanPDF(planTestDoc())
	require.NoError(t, err)

	body, _ := fundsDocBody(t, out, "预付资金退款分配方案　RP-2026-0007", planTestHeaders)

	// 150,001 × 100,000 / 200,000 = 75,000 r 100,000; × 80,000 → 60,000 r 80,000;
	// × 20,000 → 15,000 r 20,000. The one fen left goes to R-001, the largest remainder.
	want := []string{
		planTestBureau, "预付资金退款分配方案",
		"方案编号：RP-2026-0007",
		"企业名称：北京悦动力健身服务有限公司",
		"统一社会信用代码：91110105MA01R8XK2N",
		"开户银行：中国工商银行北京望京支行",
		"监管账户：6222 **** **** 5678",
		"一、可分配资金",
		"监管账户余额：1,000.00元",
		"保险赔付：500.01元",
		"可分配资金合计：1,500.01元",
		"核实退款总额：2,000.00元（3项申请）",
		"分配方式：按比例分配，资金缺口499.99元",
		"二、分配规则", allocRuleProRataZH,
		"三、退款分配明细",
	}
	want = append(want, planTestHeaders...)
	want = append(want,
		"1", "R-001", "张**", "138****5678", "投诉", "1,000.00", "750.01", "0.01",
		"2", "R-002", "欧***", "139****4321", "调解", "800.00", "600.00", "",
		"3", "R-003", "李**", "156****2222", "导入", "200.00", "150.00", "",
		"合计", "", "", "", "", "2,000.00", "1,500.01", "0.01",
		"分配金额合计1,500.01元，等于可分配资金合计1,500.01元。",
		"说明：申请R-002的核实金额高于申请金额，按核实金额分配。",
		"四、拟定与审批",
		"拟定人：王芳", "拟定日期：2026年12月1日",
		"审批人：赵强", "审批日期：2026年12月2日",
		"监管机关：北京市朝阳区市场监督管理局（印章）",
	)
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body)

	// The same approved plan gives the same file, byte for byte.
	again, err := RefundPlanPDF(planTestDoc())
	require.NoError(t, err)
	assert.True(t, bytes.Equal(out, again), "the plan PDF changed between two renderings")
}

func TestRefundPlanPDF_FullAndAwaitingApproval(t *testing.T) {
	d := planTestDoc()
	d.InsuranceFen = 150_000
	d.ApprovedBy, d.ApprovedAt = "", time.Time{}

	out, err := RefundPlanPDF(d)
	require.NoError(t, err)

	headers := planTestHeaders[:7]
	body, _ := fundsDocBody(t, out, "预付资金退款分配方案　RP-2026-0007", headers)
	want := []string{
		"可分配资金合计：2,500.00元",
		"核实退款总额：2,000.00元（3项申请）",
		"分配方式：全额退款，结余500.00元",
		"二、分配规则", allocRuleFullZH,
		"三、退款分配明细",
	}
	want = append(want, headers...)
	want = append(want,
		"1", "R-001", "张**", "138****5678", "投诉", "1,000.00", "1,000.00",
		"2", "R-002", "欧***", "139****4321", "调解", "800.00", "800.00",
		"3", "R-003", "李**", "156****2222", "导入", "200.00", "200.00",
		"合计", "", "", "", "", "2,000.00", "2,000.00",
		"分配金额合计2,000.00元，等于核实退款总额；可分配资金结余500.00元，不作分配。",
		"说明：申请R-002的核实金额高于申请金额，按核实金额分配。",
		"四、拟定与审批",
		"拟定人：王芳", "拟定日期：2026年12月1日",
		"审批人：（待审批）",
		"监管机关：北京市朝阳区市场监督管理局（印章）",
	)
	from := strings.Index(body, pdftest.Squash("可分配资金合计"))
	require.GreaterOrEqual(t, from, 0, body)
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body[from:])
}

// planTestNames are consumers' names, with the masks the plan must show.
var planTestNames = [][2]string{
	{"张晓燕", "张**"}, {"欧阳娜娜", "欧***"}, {"李建国", "李**"}, {"王秀英", "王**"},
	{"陈静怡", "陈**"}, {"刘洋", "刘*"}, {"司马相如", "司***"}, {"赵子龙", "赵**"},
	{"孙悦", "孙*"}, {"周慕云", "周**"},
}

// planThirtyClaims returns a plan of 30 claims of different sizes and sources, with 12,345.67
// yuan held and 3,000.00 yuan of insurance.
func planThirtyClaims() RefundPlanDoc {
	d := planTestDoc()
	d.PlanID = "RP-2026-0030"
	d.HeldFen, d.InsuranceFen = 1_234_567, 300_000
	d.Claims = nil
	sources := []string{ClaimFromComplaint, ClaimFromMediation, ClaimFromImport}
	for i := range 30 {
		v := int64(50_000 + (i*7919)%400_000)
		d.Claims = append(d.Claims, RefundClaim{
			ID:            fmt.Sprintf("RC-20261201-%03d", i+1),
			ConsumerName:  planTestNames[i%len(planTestNames)][0],
			ConsumerPhone: fmt.Sprintf("139%08d", 10_000_000+i*1_234_567),
			ClaimFen:      v - int64(i%4)*1_000,
			VerifiedFen:   v,
			Source:        sources[i%3],
		})
	}
	return d
}

func TestRefundPlanPDF_ThirtyClaims(t *testing.T) {
	d := planThirtyClaims()
	a, err := AllocateRefunds(d.HeldFen+d.InsuranceFen, d.Claims)
	require.NoError(t, err)
	require.False(t, a.Full)

	out, err := RefundPlanPDF(d)
	require.NoError(t, err)
	body, pages := fundsDocBody(t, out, "预付资金退款分配方案　RP-2026-0030", planTestHeaders)
	t.Logf("30 claims on %d pages", pages)

	sources := map[string]string{ClaimFromComplaint: "投诉", ClaimFromMediation: "调解", ClaimFromImport: "导入"}
	want := append([]string{"三、退款分配明细"}, planTestHeaders...)
	var sum, extra, total int64
	var noted []string
	for i, c := range d.Claims {
		s := a.Shares[i]
		remainder := ""
		if s.RemainderFen == 1 {
			remainder = "0.01"
		}
		phone := c.ConsumerPhone[:3] + "****" + c.ConsumerPhone[7:]
		want = append(want, fmt.Sprint(i+1), c.ID, planTestNames[i%len(planTestNames)][1], phone, sources[c.Source],
			money.Yuan(c.VerifiedFen), money.Yuan(s.ShareFen), remainder)
		sum += s.ShareFen
		extra += s.RemainderFen
		total += c.VerifiedFen
		if c.ClaimFen < c.VerifiedFen {
			noted = append(noted, c.ID)
		}
	}
	require.Equal(t, int64(1_534_567), sum, "the shares add up to what is available")
	want = append(want, "合计", money.Yuan(total), "15,345.67", money.Yuan(extra),
		"分配金额合计15,345.67元，等于可分配资金合计15,345.67元。",
		"说明：申请"+strings.Join(noted, "、")+"的核实金额高于申请金额，按核实金额分配。",
		"四、拟定与审批")
	from := strings.Index(body, pdftest.Squash("三、退款分配明细"))
	to := strings.Index(body, pdftest.Squash("四、拟定与审批"))
	require.True(t, from >= 0 && to > from, body)
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body[from:to+len(pdftest.Squash("四、拟定与审批"))])

	// No consumer's full name or phone number appears anywhere in the document.
	text := pdftest.Squash(pdftest.Text(t, out))
	for _, c := range d.Claims {
		assert.NotContains(t, text, c.ConsumerName)
		assert.NotContains(t, text, c.ConsumerPhone)
		assert.NotContains(t, text, c.ConsumerPhone[3:], "the phone's last eight digits")
	}
	assert.NotContains(t, text, d.AccountNumber)
}

func TestRefundPlanPDF_Refused(t *testing.T) {
	tests := []struct {
		name   string
		change func(*RefundPlanDoc)
		field  string
		says   string
	}{
		{"approver is proposer", func(d *RefundPlanDoc) { d.ApprovedBy = d.ProposedBy }, "approved_by", "four eyes"},
		{"approved before proposed", func(d *RefundPlanDoc) { d.ApprovedAt = d.ProposedAt.Add(-time.Hour) },
			"approved_at", "早于"},
		{"approval date without approver", func(d *RefundPlanDoc) { d.ApprovedBy = "" }, "approved_by", "没有审批人"},
		{"claim above verified", func(d *RefundPlanDoc) { d.Claims[2].ClaimFen = 20_001 },
			"claims[2].claim_fen", "R-003"},
		{"no consumer name", func(d *RefundPlanDoc) { d.Claims[1].ConsumerName = " " },
			"claims[1].consumer_name", "姓名"},
		{"no funds", func(d *RefundPlanDoc) { d.HeldFen, d.InsuranceFen = 0, 0 }, "held_fen", "保险赔付之和须大于零"},
		{"negative insurance", func(d *RefundPlanDoc) { d.InsuranceFen = -1 }, "insurance_fen", "之间"},
		{"no bureau", func(d *RefundPlanDoc) { d.Bureau = "" }, "bureau", "监管机关"},
		{"no proposal date", func(d *RefundPlanDoc) { d.ProposedAt = time.Time{} }, "proposed_at", "拟定日期"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := planTestDoc()
			tt.change(&d)
			_, err := RefundPlanPDF(d)
			require.Error(t, err)
			assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
			msg := ""
			for _, f := range errs.FieldsOf(err) {
				if f.Field == tt.field {
					msg = f.Message
				}
			}
			assert.Contains(t, msg, tt.says, "field %s in %v", tt.field, err)
		})
	}
}

func TestPlanMaskAccount(t *testing.T) {
	for in, want := range map[string]string{
		"6222020200112345678": "6222 **** **** 5678",
		"6222 0202 0011 2345": "6222 **** **** 2345",
		"110060149018001234":  "1100 **** **** 1234",
		"0200001234":          "**** 1234",
		"1234":                "****",
		"":                    "",
	} {
		assert.Equal(t, want, MaskNumber(in), in)
	}
}
