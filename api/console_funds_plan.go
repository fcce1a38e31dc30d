package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/user"
)

// Words the refund plan pages show for the service's codes.
var (
	planStateLabels = map[string]string{
		string(funds.PlanProposed): "待审批", string(funds.PlanApproved): "已批准，待支付",
		string(funds.PlanRejected): "已驳回", string(funds.PlanPaid): "已支付",
	}
	claimSourceLabels = map[string]string{
		funds.ClaimFromComplaint: "投诉", funds.ClaimFromMediation: "调解", funds.ClaimFromImport: "导入",
	}
	// claimSources reads the source column of a typed claim, in Chinese or as the code.
	claimSources = map[string]string{
		"": funds.ClaimFromImport, "投诉": funds.ClaimFromComplaint, "调解": funds.ClaimFromMediation,
		"导入": funds.ClaimFromImport, funds.ClaimFromComplaint: funds.ClaimFromComplaint,
		funds.ClaimFromMediation: funds.ClaimFromMediation, funds.ClaimFromImport: funds.ClaimFromImport,
	}
	plansDone = map[string]string{
		"propose": "退款方案已拟定，待审核负责人审批。", "approve": "退款方案已批准。", "reject": "退款方案已驳回。",
		"pay": "已按方案退款并记入账本。",
	}
)

// maxPlanLines bounds the claims typed into the builder; larger plans go through the API.
const maxPlanLines = 2000

// planBuilderView is an account's refund plans and the form that proposes a new one.
type planBuilderView struct {
	A          *funds.Account
	Path       string
	Enterprise string
	Officer    bool
	Plans      []planHeadView
	Claims     string
	Err        string
}

// planHeadView is one of the account's plans in the list.
type planHeadView struct {
	funds.RefundPlan
	Path, StateLabel, Available, Account, Cover string
}

func (s *server) fundPlanBuilderPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "prefill")
	if err != nil {
		return err
	}
	v, err := s.planBuilderViewOf(c, c.Params("id"))
	if err != nil {
		return err
	}
	// 从调解协议和投诉带入: the claims the enterprise's mediation agreements and complaints
	// give, for the officer to check; a complaint's verified amount is left blank.
	if q["prefill"] == "1" && v.Officer {
		items, err := s.claimCandidates(c.UserContext(), v.A.USCC)
		if err != nil {
			return err
		}
		v.Claims = claimLines(items)
	}
	return s.renderPlanBuilder(c, pageData{}, v)
}

func (s *server) planBuilderViewOf(c *fiber.Ctx, id string) (*planBuilderView, error) {
	ctx := c.UserContext()
	a, err := s.Funds.Account(ctx, id)
	if err != nil {
		return nil, err
	}
	heads, err := s.Funds.Plans(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &planBuilderView{A: a, Path: fundAccountPath(a.ID), Enterprise: s.enterpriseName(ctx, a.USCC),
		Officer: fundOfficer(c)}
	for _, p := range heads {
		v.Plans = append(v.Plans, planHeadView{RefundPlan: p, Path: fundPlanPath(p.ID),
			StateLabel: labelOr(planStateLabels, string(p.State)), Available: money.Yuan(p.AvailableFen),
			Account: money.Yuan(p.AccountFen), Cover: money.Yuan(p.CoverFen)})
	}
	return v, nil
}

func (s *server) renderPlanBuilder(c *fiber.Ctx, d pageData, v *planBuilderView) error {
	d.Title, d.Data = "退款方案 "+v.A.ID, v
	return s.render(c, "funds_plan_new", d)
}

// proposeFundPlanForm proposes a refund plan from the claims typed one a line.
func (s *server) proposeFundPlanForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	id := c.Params("id")
	typed := readForm(c, []string{"claims"})["claims"]
	claims, lines, msg := parseClaimLines(typed)
	var err error
	if msg == "" {
		var p *funds.RefundPlan
		p, err = s.Funds.ProposePlan(c.UserContext(), actor(c), id, funds.PlanInput{Claims: claims})
		if err == nil {
			return c.Redirect(fundPlanPath(p.ID)+"?done=propose", http.StatusSeeOther)
		}
		if !slices.Contains(caseRefusals, errs.KindOf(err)) {
			return err
		}
		msg = claimErrorText(err, lines)
	}

	v, verr := s.planBuilderViewOf(c, id)
	if verr != nil {
		return verr
	}
	v.Claims, v.Err = typed, msg
	status := http.StatusBadRequest
	if err != nil {
		status = kindStatus[errs.KindOf(err)]
	}
	c.Status(status)
	return s.renderPlanBuilder(c, pageData{Error: "未拟定：" + msg}, v)
}

// parseClaimLines reads claims typed one a line: 编号, 姓名, 电话, 申请金额(元), 核实金额(元),
// 来源, separated by commas (half or full width) or tabs, so that rows pasted from a
// spreadsheet read too. Blank lines are skipped. It returns the claims, the line each came
// from, and the first mistake with its line number.
func parseClaimLines(typed string) ([]funds.RefundClaim, []int, string) {
	var claims []funds.RefundClaim
	var lines []int
	for i, line := range strings.Split(typed, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n := i + 1
		if len(claims) == maxPlanLines {
			return nil, nil, fmt.Sprintf("每次最多录入%d项申请 (at most %d claims)", maxPlanLines, maxPlanLines)
		}
		cells := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '\t' })
		if len(cells) < 5 || len(cells) > 6 {
			return nil, nil, fmt.Sprintf("第%d行：应为“编号, 姓名, 电话, 申请金额, 核实金额, 来源”，来源可省略 "+
				"(line %d: id, name, phone, amount asked, amount verified, source)", n, n)
		}
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		c := funds.RefundClaim{ID: cells[0], ConsumerName: cells[1], ConsumerPhone: cells[2]}
		var msg string
		if c.ClaimFen, msg = parseYuanInput(cells[3], true); msg != "" {
			return nil, nil, fmt.Sprintf("第%d行申请金额：%s", n, msg)
		}
		if c.VerifiedFen, msg = parseYuanInput(cells[4], true); msg != "" {
			return nil, nil, fmt.Sprintf("第%d行核实金额：%s", n, msg)
		}
		source := ""
		if len(cells) == 6 {
			source = cells[5]
		}
		var ok bool
		if c.Source, ok = claimSources[source]; !ok {
			return nil, nil, fmt.Sprintf("第%d行来源：应为 投诉、调解 或 导入 (complaint, mediation or import)", n)
		}
		claims, lines = append(claims, c), append(lines, n)
	}
	if len(claims) == 0 {
		return nil, nil, "请逐行录入申请 (type at least one claim)"
	}
	return claims, lines, ""
}

// claimErrorText words the service's refusal with the line each claims[i] field came from.
func claimErrorText(err error, lines []int) string {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return errs.MessageOf(err)
	}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		msg := f.Message
		if rest, ok := strings.CutPrefix(f.Field, "claims["); ok {
			if i, err := strconv.Atoi(strings.SplitN(rest, "]", 2)[0]); err == nil && i >= 0 && i < len(lines) {
				msg = fmt.Sprintf("第%d行：%s", lines[i], msg)
			}
		}
		parts = append(parts, msg)
	}
	return strings.Join(parts, "；")
}

// planView is one refund plan in full, with its actions.
type planView struct {
	P                                                          *funds.RefundPlan
	Account                                                    string
	Enterprise                                                 string
	StateLabel                                                 string
	Held, Insured, Available, FromAccount, FromCover, Verified string
	Surplus, Shortfall                                         string
	Rule                                                       string
	Rows                                                       []planClaimRow
	History                                                    []planEvent
	// Masked says names and phones are masked for this reader.
	Masked                      bool
	CanDecide, CanPay, SelfMade bool
	PDF                         string
	Done                        string
}

// planClaimRow is one claim with its share and who pays it.
type planClaimRow struct {
	funds.RefundClaim
	SourceLabel, Claimed, VerifiedYuan, Share, FromAccount, FromCover, Paid, Note string
}

// planEvent is one step of the plan's history.
type planEvent struct {
	At   string
	What string
}

func (s *server) fundPlanPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "done")
	if err != nil {
		return err
	}
	if _, ok := plansDone[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	v, err := s.planViewOf(c, c.Params("id"))
	if err != nil {
		return err
	}
	v.Done = plansDone[q["done"]]
	return s.renderPlan(c, pageData{}, v)
}

// planViewOf reads the plan and lays it out. Consumers' names and phones are shown in full to
// fund officers, who pay them, and masked for everyone else.
func (s *server) planViewOf(c *fiber.Ctx, id string) (*planView, error) {
	p, err := s.Funds.Plan(c.UserContext(), id)
	if err != nil {
		return nil, err
	}
	u := currentUser(c)
	v := &planView{P: p, Account: fundAccountPath(p.AccountID), Enterprise: s.enterpriseName(c.UserContext(), p.USCC),
		StateLabel: labelOr(planStateLabels, string(p.State)), Held: money.Yuan(p.HeldFen),
		Insured: money.Yuan(p.InsuredFen), Available: money.Yuan(p.AvailableFen), FromAccount: money.Yuan(p.AccountFen),
		FromCover: money.Yuan(p.CoverFen), Verified: money.Yuan(p.Allocation.TotalVerifiedFen),
		Surplus: money.Yuan(p.Allocation.SurplusFen), Shortfall: money.Yuan(p.Allocation.ShortfallFen),
		Rule: p.Allocation.RuleZH(), Masked: !fundOfficer(c),
		PDF: "/api/v1/funds/plans/" + p.ID + "/plan.pdf"}
	v.SelfMade = u != nil && u.Username == p.ProposedBy
	v.CanDecide = p.State == funds.PlanProposed && u != nil && u.Role == user.Supervisor && !v.SelfMade
	v.CanPay = p.State == funds.PlanApproved && fundOfficer(c)
	claims := p.Claims
	if v.Masked {
		claims = p.Masked().Claims
	}
	v.Rows = planRows(p, claims)
	v.History = planHistory(p)
	return v, nil
}

// planRows joins each claim with its share, its payout and what was paid on it.
func planRows(p *funds.RefundPlan, claims []funds.RefundClaim) []planClaimRow {
	shares := make(map[string]funds.Share, len(p.Allocation.Shares))
	for _, sh := range p.Allocation.Shares {
		shares[sh.ClaimID] = sh
	}
	payouts := make(map[string]funds.Payout, len(p.Payouts))
	for _, o := range p.Payouts {
		payouts[o.ClaimID] = o
	}
	paid := map[string]int64{}
	for _, m := range p.Payments {
		paid[m.ClaimID] += m.AmountFen
	}
	rows := make([]planClaimRow, 0, len(claims))
	for _, cl := range claims {
		sh, o := shares[cl.ID], payouts[cl.ID]
		rows = append(rows, planClaimRow{RefundClaim: cl, SourceLabel: labelOr(claimSourceLabels, cl.Source),
			Claimed: money.Yuan(cl.ClaimFen), VerifiedYuan: money.Yuan(cl.VerifiedFen), Share: money.Yuan(sh.ShareFen),
			FromAccount: money.Yuan(o.AccountFen), FromCover: money.Yuan(o.CoverFen), Paid: money.Yuan(paid[cl.ID]),
			Note: sh.Note})
	}
	return rows
}

// planHistory lists what happened to the plan, in order.
func planHistory(p *funds.RefundPlan) []planEvent {
	ev := []planEvent{{At: localTime(p.ProposedAt), What: p.ProposedBy + " 拟定"}}
	if p.ApprovedAt != nil {
		what := p.ApprovedBy + " 批准"
		if p.ApprovalNote != "" {
			what += "：" + p.ApprovalNote
		}
		ev = append(ev, planEvent{At: localTime(*p.ApprovedAt), What: what})
	}
	if p.RejectedAt != nil {
		ev = append(ev, planEvent{At: localTime(*p.RejectedAt), What: p.RejectedBy + " 驳回：" + p.RejectReason})
	}
	if n := len(p.Payments); n > 0 {
		var sum int64
		for _, m := range p.Payments {
			sum += m.AmountFen
		}
		last := p.Payments[n-1].At
		ev = append(ev,
			planEvent{At: localTime(last), What: fmt.Sprintf("由监管账户退款 %d 笔，共 %s 元", n, money.Yuan(sum))})
	}
	if p.PaidAt != nil {
		ev = append(ev, planEvent{At: localTime(*p.PaidAt), What: "监管账户应付部分已全部支付"})
	}
	return ev
}

func (s *server) renderPlan(c *fiber.Ctx, d pageData, v *planView) error {
	d.Title, d.Data = "退款方案 "+v.P.ID, v
	return s.render(c, "funds_plan", d)
}

func (s *server) approveFundPlanForm(c *fiber.Ctx) error {
	return s.planForm(c, "approve")
}

func (s *server) rejectFundPlanForm(c *fiber.Ctx) error {
	return s.planForm(c, "reject")
}

func (s *server) payFundPlanForm(c *fiber.Ctx) error {
	return s.planForm(c, "pay")
}

// planForm approves, rejects or pays the plan read at the form's version.
func (s *server) planForm(c *fiber.Ctx, action string) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, []string{"note"})
	ctx, who := c.UserContext(), actor(c)
	switch action {
	case "approve":
		_, err = s.Funds.ApprovePlan(ctx, who, id, version, form["note"])
	case "reject":
		_, err = s.Funds.RejectPlan(ctx, who, id, version, form["note"])
	default:
		_, err = s.Funds.PayPlan(ctx, who, id, version)
	}
	if err == nil {
		return c.Redirect(fundPlanPath(id)+"?done="+action, http.StatusSeeOther)
	}
	kind := errs.KindOf(err)
	if !slices.Contains(caseRefusals, kind) {
		return err
	}
	v, verr := s.planViewOf(c, id)
	if verr != nil {
		return verr
	}
	c.Status(kindStatus[kind])
	return s.renderPlan(c, pageData{Error: "未保存：" + errorText(err), Form: form}, v)
}

// localTime writes t as the pages do: Beijing time to the minute.
func localTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04") }
