package funds

import (
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/pdf"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// planTitle is the refund plan's name, printed under the bureau's and in every footer.
const planTitle = "预付资金退款分配方案"

// planSources name where a claim came from.
var planSources = map[string]string{
	ClaimFromComplaint: "投诉",
	ClaimFromMediation: "调解",
	ClaimFromImport:    "导入",
}

// RefundPlanDoc is what a refund plan (预付资金退款分配方案) is made from: the enterprise and
// its supervised account, the funds available (the balance held plus what insurance pays),
// the claims, and who proposed and who approved the plan. The document works the allocation
// out itself with AllocateRefunds, so that what it prints always follows the rule.
type RefundPlanDoc struct {
	PlanID         string        `json:"plan_id"`
	EnterpriseName string        `json:"enterprise_name"`
	USCC           registry.USCC `json:"uscc"`
	Bank           string        `json:"bank"`
	// AccountNumber is the supervised account's number in full; the document masks it.
	AccountNumber string `json:"account_number"`
	HeldFen       int64  `json:"held_fen"`
	// InsuranceFen is what the performance-bond insurance or bank guarantee pays into the plan.
	InsuranceFen int64         `json:"insurance_fen"`
	Claims       []RefundClaim `json:"claims"`
	ProposedBy   string        `json:"proposed_by"`
	ProposedAt   time.Time     `json:"proposed_at"`
	// ApprovedBy and ApprovedAt are empty while the plan waits for approval; the document then
	// says so.
	ApprovedBy string    `json:"approved_by,omitempty"`
	ApprovedAt time.Time `json:"approved_at,omitzero"`
	Bureau     string    `json:"bureau"`
}

// RefundPlanPDF renders a refund plan: the enterprise and its account (the number masked),
// the funds available and the claims verified, the allocation rule in words, a table of every
// claim with the consumer masked (张*, 138****1234), its verified amount and its share, the
// totals, and who proposed and approved the plan. The PDF is dated by the approval, or the
// proposal while unapproved, so the same plan gives the same bytes.
//
// Refused as Invalid: missing parts, a claim without the consumer's name, an approval by the
// proposer (four eyes) or dated before the proposal, and whatever AllocateRefunds refuses.
func RefundPlanPDF(d RefundPlanDoc) ([]byte, error) {
	const op = "funds.RefundPlanPDF"
	a, fe := planCheck(d)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	doc := pdf.New(planTitle + "　" + d.PlanID)
	doc.SetDate(d.ProposedAt)
	if d.ApprovedBy != "" {
		doc.SetDate(d.ApprovedAt)
	}

	doc.Title(d.Bureau + "\n" + planTitle)
	doc.Field("方案编号", d.PlanID)
	doc.Field("企业名称", d.EnterpriseName)
	doc.Field("统一社会信用代码", string(d.USCC))
	doc.Field("开户银行", d.Bank)
	doc.Field("监管账户", MaskNumber(strings.ReplaceAll(strings.TrimSpace(d.AccountNumber), " ", "")))

	doc.Heading("一、可分配资金")
	doc.Field("监管账户余额", money.Yuan(d.HeldFen)+"元")
	doc.Field("保险赔付", money.Yuan(d.InsuranceFen)+"元")
	doc.Field("可分配资金合计", money.Yuan(a.AvailableFen)+"元")
	doc.Field("核实退款总额", fmt.Sprintf("%s元（%d项申请）", money.Yuan(a.TotalVerifiedFen), len(a.Shares)))
	doc.Field("分配方式", planOutcome(a))

	doc.Heading("二、分配规则")
	doc.Paragraph(a.RuleZH())

	doc.Heading("三、退款分配明细")
	headers, widths, rows := planTable(a, d.Claims)
	doc.Table(headers, widths, rows)
	doc.Paragraph(planTotals(a))
	if notes := planNotes(a); notes != "" {
		doc.Paragraph(notes)
	}

	doc.Heading("四、拟定与审批")
	doc.Field("拟定人", d.ProposedBy)
	doc.Field("拟定日期", planDate(d.ProposedAt))
	if d.ApprovedBy == "" {
		doc.Field("审批人", "（待审批）")
	} else {
		doc.Field("审批人", d.ApprovedBy)
		doc.Field("审批日期", planDate(d.ApprovedAt))
	}
	doc.Spacer(8)
	doc.Field("监管机关", d.Bureau+"（印章）")

	out, err := doc.Bytes()
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// planCheck checks the plan and works out its allocation.
func planCheck(d RefundPlanDoc) (Allocation, []errs.FieldError) {
	var fe []errs.FieldError
	required := []struct{ name, value, what string }{
		{"plan_id", d.PlanID, "方案编号 (the plan id)"},
		{"enterprise_name", d.EnterpriseName, "企业名称 (the enterprise's name)"},
		{"uscc", string(d.USCC), "统一社会信用代码 (the USCC)"},
		{"bank", d.Bank, "开户银行 (the bank)"},
		{"account_number", d.AccountNumber, "监管账户账号 (the account number)"},
		{"proposed_by", d.ProposedBy, "拟定人 (the proposer)"},
		{"bureau", d.Bureau, "监管机关名称 (the bureau's name)"},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			fe = append(fe, allocField(r.name, "须填写"+r.what+" (required)"))
		}
	}
	if d.ProposedAt.IsZero() {
		fe = append(fe, allocField("proposed_at", "须有拟定日期 (the date of the proposal is required)"))
	}
	fe = append(fe, planApprovalProblems(d)...)

	for _, amt := range []struct {
		name string
		fen  int64
	}{{"held_fen", d.HeldFen}, {"insurance_fen", d.InsuranceFen}} {
		if amt.fen < 0 || amt.fen > MaxRefundFen {
			fe = append(fe, allocField(amt.name, fmt.Sprintf(
				"金额须在 0 至 %s 元之间 (must be from 0 to %d fen)", money.Yuan(MaxRefundFen), MaxRefundFen)))
		}
	}
	for i, c := range d.Claims {
		if strings.TrimSpace(c.ConsumerName) == "" {
			fe = append(fe, allocField(fmt.Sprintf("claims[%d].consumer_name", i),
				"须有消费者姓名 (the consumer's name is required)"))
		}
	}
	if len(fe) > 0 {
		return Allocation{}, fe
	}

	a, err := AllocateRefunds(d.HeldFen+d.InsuranceFen, d.Claims)
	for _, f := range errs.FieldsOf(err) {
		if f.Field == "available_fen" {
			f = allocField("held_fen", "监管账户余额与保险赔付之和"+strings.TrimPrefix(f.Message, "可分配资金"))
		}
		fe = append(fe, f)
	}
	return a, fe
}

// planApprovalProblems checks the four eyes: an approval names an approver other than the
// proposer and a date not before the proposal.
func planApprovalProblems(d RefundPlanDoc) []errs.FieldError {
	switch {
	case d.ApprovedBy == "" && d.ApprovedAt.IsZero():
		return nil
	case d.ApprovedBy == "":
		return []errs.FieldError{allocField("approved_by",
			"有审批日期却没有审批人 (an approval date without an approver)")}
	case d.ApprovedAt.IsZero():
		return []errs.FieldError{allocField("approved_at", "须有审批日期 (the date of the approval is required)")}
	case d.ApprovedBy == d.ProposedBy:
		return []errs.FieldError{allocField("approved_by",
			"审批人不能是拟定人本人 (the approver must not be the proposer: four eyes)")}
	case d.ApprovedAt.Before(d.ProposedAt):
		return []errs.FieldError{allocField("approved_at", "审批日期早于拟定日期 (approved before it was proposed)")}
	}
	return nil
}

// planOutcome says whether the claims are paid in full or pro rata, and by how much the funds
// exceed or fall short of them.
func planOutcome(a Allocation) string {
	if a.Full {
		return "全额退款，结余" + money.Yuan(a.SurplusFen) + "元"
	}
	return "按比例分配，资金缺口" + money.Yuan(a.ShortfallFen) + "元"
}

// planTable lays the shares out as a table with a totals row: the consumer masked, the
// amounts in yuan, and for a pro-rata plan the remainder fen each claim received.
func planTable(a Allocation, claims []RefundClaim) ([]string, []float64, [][]string) {
	headers := []string{"序号", "申请编号", "消费者", "联系电话", "来源", "核实金额（元）", "分配金额（元）"}
	widths := []float64{12, 34, 16, 26, 12, 26, 26}
	if !a.Full {
		headers = append(headers, "其中尾差（元）")
		widths = append(widths, 18)
	}

	rows := make([][]string, 0, len(a.Shares)+1)
	var sum, extra int64
	for i, s := range a.Shares {
		c := claims[i]
		row := []string{fmt.Sprint(i + 1), s.ClaimID, registry.MaskName(c.ConsumerName),
			registry.MaskPhone(c.ConsumerPhone), planSources[c.Source],
			money.Yuan(s.VerifiedFen), money.Yuan(s.ShareFen)}
		if !a.Full {
			row = append(row, planRemainder(s.RemainderFen))
		}
		rows = append(rows, row)
		sum += s.ShareFen
		extra += s.RemainderFen
	}
	total := []string{"合计", "", "", "", "", money.Yuan(a.TotalVerifiedFen), money.Yuan(sum)}
	if !a.Full {
		total = append(total, money.Yuan(extra))
	}
	return headers, widths, append(rows, total)
}

// planRemainder shows a remainder fen as 0.01, and none as nothing.
func planRemainder(fen int64) string {
	if fen == 0 {
		return ""
	}
	return money.Yuan(fen)
}

// planTotals states that the shares add up to what they must.
func planTotals(a Allocation) string {
	if a.Full {
		return fmt.Sprintf("分配金额合计%s元，等于核实退款总额；可分配资金结余%s元，不作分配。",
			money.Yuan(a.TotalVerifiedFen), money.Yuan(a.SurplusFen))
	}
	return fmt.Sprintf("分配金额合计%s元，等于可分配资金合计%s元。",
		money.Yuan(a.AvailableFen), money.Yuan(a.AvailableFen))
}

// planNotes names the claims allocated on a verified amount above what was asked, or is empty.
func planNotes(a Allocation) string {
	var ids []string
	for _, s := range a.Shares {
		if s.Note != "" {
			ids = append(ids, s.ClaimID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return "说明：申请" + strings.Join(ids, "、") + "的核实金额高于申请金额，按核实金额分配。"
}

// planDate shows a day in Asia/Shanghai as 2026年10月8日.
func planDate(t time.Time) string {
	t = t.In(workday.Zone)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
