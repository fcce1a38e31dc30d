package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
)

// Rows of offers and of agreement terms the case page's forms offer.
const (
	offerRows = 4
	termRows  = 3
)

// mediationCaseView is one case in full, as the reader may see it, with the forms its state
// allows.
type mediationCaseView struct {
	C            *mediation.Case
	Path         string
	Masked       bool
	Staff        bool
	Claims       []claimView
	Deadlines    []deadlineView
	Timeline     []eventView
	Sessions     []sessionView
	Agreement    *agreementView
	Refunds      []refundView
	Can          casePermissions
	Bodies       []option
	Mediators    []option
	Suggestions  []mediation.Suggestion
	Referrals    []option
	AgreementPDF string
	EndingPDF    string
	DossierPath  string
	OfferRows    []int
	TermRows     []int
	Done         string
	Refused      string
	form, errors map[string]string
}

// Val returns what a refused form held in the input key ("pause.reason").
func (v *mediationCaseView) Val(key string) string { return v.form[key] }

// Err returns the message shown beside the input key.
func (v *mediationCaseView) Err(key string) string { return v.errors[key] }

// Key joins an action, an input and a row into a form key: ("session", "offer_yuan", 1).
func (v *mediationCaseView) Key(action, input string, row int) string {
	return fmt.Sprintf("%s.%s_%d", action, input, row)
}

// claimView is one consumer's claim in words.
type claimView struct {
	mediation.Claim
	Index, N              int
	KindLabel, Amount     string
	CardLabel, ComplaintP string
}

// deadlineView is one deadline in words.
type deadlineView struct {
	mediation.Deadline
	KindLabel, StatusLabel string
}

// eventView is one timeline entry in words.
type eventView struct {
	mediation.Event
	Label string
}

// sessionView is one session with its offers in words.
type sessionView struct {
	mediation.Session
	N         int
	FormLabel string
	Offers    []offerView
}

// offerView is one offer in words.
type offerView struct {
	mediation.Offer
	SideLabel, Amount string
}

// agreementView is the agreement in words.
type agreementView struct {
	*mediation.Agreement
	Total     string
	Terms     []termView
	Performed string
}

// termView is one term in words.
type termView struct {
	mediation.Term
	Amount string
}

// refundView is the refund calculator of one claim with a card: the values it works with,
// the result or what is wrong.
type refundView struct {
	Index  int
	Claim  claimView
	Form   map[string]string
	Errors map[string]string
	Result *mediation.Refund
	Due    string
	Asked  bool
}

// casePermissions are the forms the case's state and the reader allow. The service still
// checks every rule when a form is sent.
type casePermissions struct {
	Accept, Refuse, Assign, Take, Recuse, Pause, Resume, Session, Agreement, Performance bool
	Terminate, Withdraw, Refer, Notify, Close                                            bool
}

// Any reports whether any form is offered.
func (p casePermissions) Any() bool { return p != casePermissions{} }

func casePermissionsFor(c *mediation.Case, u *user.User) casePermissions {
	staff := u.Role == user.Regulator || u.Role == user.Supervisor
	handler := staff || (u.Role == user.Mediator && c.Mediator != "" && c.Mediator == u.Username)
	st := c.State
	mediating := st == mediation.StateAccepted || st == mediation.StateAssigned || st == mediation.StateInMediation
	paused := slices.ContainsFunc(c.Pauses, func(p mediation.Pause) bool { return p.To == nil })
	p := casePermissions{
		Accept: staff && st == mediation.StateSubmitted, Refuse: staff && st == mediation.StateSubmitted,
		Assign: staff && (st == mediation.StateAccepted || st == mediation.StateAssigned),
		Take:   u.Role == user.Mediator && st == mediation.StateAccepted && c.Mediator == "",
	}
	if !handler {
		return p
	}
	p.Recuse = c.Mediator != "" && (st == mediation.StateAssigned || st == mediation.StateInMediation)
	p.Pause, p.Resume = mediating && !paused, paused
	p.Session = st == mediation.StateAssigned || st == mediation.StateInMediation
	p.Agreement = st == mediation.StateInMediation
	p.Performance = st == mediation.StateAgreement && c.Agreement != nil && c.Agreement.Performed == nil
	p.Terminate = mediating
	p.Withdraw = mediating || st == mediation.StateSubmitted
	notPerformed := st == mediation.StateAgreement && c.Agreement != nil &&
		(c.Agreement.Performed == nil || !*c.Agreement.Performed)
	p.Refer = mediating || st == mediation.StateEnded || notPerformed
	p.Notify = st == mediation.StateEnded && c.PartiesNotifiedAt == nil
	p.Close = (st == mediation.StateAgreement && c.Agreement != nil && c.Agreement.Performed != nil) ||
		(st == mediation.StateEnded && c.PartiesNotifiedAt != nil) ||
		st == mediation.StateWithdrawn || st == mediation.StateReferred
	return p
}

// mediationDone confirms an action that was taken.
var mediationDone = map[string]string{
	"open": "调解案件已登记，待受理。", "accept": "已受理，案件进入待分派案件池。", "refuse": "已决定不予受理。",
	"assign": "已分派调解员。", "take": "已接案，案件由您承办。", "recuse": "已登记回避，案件回到待分派案件池。",
	"pause": "已中止调解计时。", "resume": "已恢复调解计时。", "session": "已登记本次调解。",
	"agreement": "已登记调解协议。", "performance": "已登记协议履行情况。",
	"terminate": "已终止调解，请在7个工作日内告知双方。", "withdraw": "已登记撤回。",
	"refer": "已登记移送。", "notify": "已登记告知双方。", "close": "已结案。",
}

// refundQuery are the refund calculator's query parameters.
var refundQuery = []string{"refund", "face", "paid", "used", "lessons", "lessons_used", "bought_on", "as_of"}

func (s *server) mediationCasePage(c *fiber.Ctx) error {
	q, err := queryParams(c, append([]string{"done"}, refundQuery...)...)
	if err != nil {
		return err
	}
	if _, ok := mediationDone[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	cs, err := s.Mediation.Case(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	v, err := s.mediationCaseViewOf(c, cs)
	if err != nil {
		return err
	}
	v.Done = mediationDone[q["done"]]
	if q["refund"] != "" {
		if err := s.askRefund(c, v, q); err != nil {
			return err
		}
	}
	return s.renderMediationCase(c, pageData{}, v)
}

func (s *server) renderMediationCase(c *fiber.Ctx, d pageData, v *mediationCaseView) error {
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	if d.Form["session.at"] == "" {
		d.Form["session.at"] = s.mediationNow().In(workday.Zone).Format("2006-01-02T15:04")
	}
	v.form, v.errors = d.Form, d.FieldErrors
	d.Title = "调解案件 " + v.C.ID
	d.Data = v
	return s.render(c, "mediation_case", d)
}

func (s *server) mediationCaseViewOf(c *fiber.Ctx, cs *mediation.Case) (*mediationCaseView, error) {
	u := currentUser(c)
	staff := mediationStaff(c)
	v := &mediationCaseView{
		C: cs, Path: mediationCasePath(cs.ID), Staff: staff, Can: casePermissionsFor(cs, u),
		Masked: !staff && cs.Mediator != u.Username,
	}
	if staff {
		v.DossierPath = dossierPath(cs.USCC)
	}
	for i := range offerRows {
		v.OfferRows = append(v.OfferRows, i)
	}
	for i := range termRows {
		v.TermRows = append(v.TermRows, i)
	}
	for i, cl := range cs.Claims {
		v.Claims = append(v.Claims, claimViewOf(i, cl, staff))
	}
	for _, d := range cs.Deadlines {
		v.Deadlines = append(v.Deadlines,
			deadlineView{Deadline: d, KindLabel: labelOr(deadlineKindLabels, string(d.Kind)),
				StatusLabel: labelOr(flagLabels, string(d.Status))})
	}
	for _, e := range cs.Timeline {
		v.Timeline = append(v.Timeline, eventView{Event: e, Label: labelOr(eventLabels, e.What)})
	}
	for i, ss := range cs.Sessions {
		sv := sessionView{Session: ss, N: i + 1, FormLabel: labelOr(sessionFormLabels, ss.Form)}
		for _, o := range ss.Offers {
			sv.Offers = append(sv.Offers, offerView{Offer: o, SideLabel: labelOr(sideLabels, string(o.Side)),
				Amount: money.Yuan(o.AmountFen)})
		}
		v.Sessions = append(v.Sessions, sv)
	}
	if a := cs.Agreement; a != nil {
		av := &agreementView{Agreement: a, Total: money.Yuan(a.TotalFen)}
		for _, t := range a.Terms {
			av.Terms = append(av.Terms, termView{Term: t, Amount: money.Yuan(t.AmountFen)})
		}
		if a.Performed != nil {
			av.Performed = map[bool]string{true: "已履行", false: "未履行"}[*a.Performed]
		}
		v.Agreement = av
	}
	if !v.Masked {
		api := "/api/v1/mediation/cases/" + url.PathEscape(cs.ID)
		if cs.Agreement != nil && cs.Mediator != "" {
			v.AgreementPDF = api + "/agreement.pdf"
		}
		if cs.Ending == mediation.EndingNoAgreement && cs.EndedAt != nil && cs.Mediator != "" {
			v.EndingPDF = api + "/termination.pdf"
		}
	}
	v.Refunds = s.defaultRefunds(v.Claims)
	for _, r := range []mediation.Referral{mediation.ReferArbitration, mediation.ReferLitigation,
		mediation.ReferEnforcement, mediation.ReferCourtConfirmation} {
		v.Referrals = append(v.Referrals, option{Value: string(r), Label: r.Label()})
	}
	if v.Can.Assign {
		if err := s.assignOptions(c.UserContext(), v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func claimViewOf(i int, cl mediation.Claim, staff bool) claimView {
	v := claimView{Claim: cl, Index: i, N: i + 1, KindLabel: labelOr(claimKindLabels, string(cl.Kind)),
		Amount: money.Yuan(cl.ClaimFen)}
	if cl.Card != nil {
		v.CardLabel = labelOr(cardKindLabels, string(cl.Card.Kind))
	}
	if staff && cl.ComplaintID != "" {
		v.ComplaintP = complaintPath(cl.ComplaintID)
	}
	return v
}

// assignOptions fills the assign form: bodies, active mediators and the suggestions.
func (s *server) assignOptions(ctx context.Context, v *mediationCaseView) error {
	bodies, err := s.Mediation.Bodies(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	v.Bodies = []option{{Value: "", Label: "（调解员所属组织）"}}
	for _, b := range bodies {
		names[b.ID] = b.Name
		v.Bodies = append(v.Bodies, option{Value: b.ID, Label: b.Name})
	}
	mediators, err := s.Mediation.Mediators(ctx, "")
	if err != nil {
		return err
	}
	for _, m := range mediators {
		if m.Active {
			v.Mediators = append(v.Mediators, option{Value: m.Username,
				Label: m.Name + "（" + m.Username + "，" + nameOr(names, m.Body) + "）"})
		}
	}
	v.Suggestions, err = s.Mediation.SuggestMediators(ctx, v.C, 5)
	for i := range v.Suggestions {
		v.Suggestions[i].Body = nameOr(names, v.Suggestions[i].Body)
	}
	return err
}

// defaultRefunds works out each card's refund as it stands on file, as of today.
func (s *server) defaultRefunds(claims []claimView) []refundView {
	today := workday.Day(s.mediationNow()).Format(time.DateOnly)
	var out []refundView
	for _, cl := range claims {
		card := cl.Card
		if card == nil {
			continue
		}
		r := refundView{Index: cl.Index, Claim: cl, Errors: map[string]string{}, Form: map[string]string{
			"face": yuanText(card.FaceValueFen), "paid": yuanText(card.PaidFen), "used": yuanText(card.UsedFen),
			"lessons": countText(card.Lessons), "lessons_used": countText(card.LessonsUsed),
			"bought_on": card.BoughtOn, "as_of": today,
		}}
		computeRefund(&r, *card, cl.ClaimFen)
		out = append(out, r)
	}
	return out
}

func countText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// askRefund works out the refund of the claim the calculator was sent for, with the values
// typed; values that cannot be read answer 400 with the calculator's messages.
func (s *server) askRefund(c *fiber.Ctx, v *mediationCaseView, q map[string]string) error {
	i, err := strconv.Atoi(q["refund"])
	at := slices.IndexFunc(v.Refunds, func(r refundView) bool { return r.Index == i })
	if err != nil || at < 0 {
		return badQuery("refund", "没有这项带预付卡的请求 (no claim with a card at this index)")
	}
	r := &v.Refunds[at]
	r.Asked, r.Result, r.Errors = true, nil, map[string]string{}
	card := *r.Claim.Card
	for _, k := range refundQuery[1:] {
		r.Form[k] = strings.TrimSpace(q[k])
	}
	var msg string
	for name, dst := range map[string]*int64{"face": &card.FaceValueFen, "paid": &card.PaidFen, "used": &card.UsedFen} {
		if *dst, msg = parseYuanInput(r.Form[name], name == "paid"); msg != "" {
			r.Errors[name] = msg
		}
	}
	for name, dst := range map[string]*int{"lessons": &card.Lessons, "lessons_used": &card.LessonsUsed} {
		if *dst, msg = parseCount(r.Form[name]); msg != "" {
			r.Errors[name] = msg
		}
	}
	card.BoughtOn = r.Form["bought_on"]
	if len(r.Errors) == 0 {
		computeRefund(r, card, r.Claim.ClaimFen)
	}
	if len(r.Errors) > 0 {
		c.Status(http.StatusBadRequest)
	}
	return nil
}

// refundInputs names the calculator's input each of ComputeRefund's fields is shown beside.
var refundInputs = map[string]string{
	"card.face_value_fen": "face", "card.paid_fen": "paid", "card.used_fen": "used", "card.lessons": "lessons",
	"card.lessons_used": "lessons_used", "card.bought_on": "bought_on", "card.type": "as_of", "claim_fen": "as_of",
}

// computeRefund fills r with the refund of card as of r.Form["as_of"], or the problems.
func computeRefund(r *refundView, card mediation.Card, claimFen int64) {
	asOf, err := time.ParseInLocation(time.DateOnly, r.Form["as_of"], workday.Zone)
	if err != nil {
		r.Errors["as_of"] = "测算日应为 年-月-日，如 2026-09-14 (a date)"
		return
	}
	res, err := mediation.ComputeRefund(card, claimFen, asOf.Add(12*time.Hour))
	if err != nil {
		placed, top := placeErrors(errs.FieldsOf(err), refundInputs, nil)
		for k, m := range placed {
			r.Errors[k] = m
		}
		if top != "" || len(placed) == 0 {
			r.Errors["as_of"] = strings.TrimSpace(top + " " + errs.MessageOf(err))
		}
		return
	}
	r.Result, r.Due = &res, money.Yuan(res.DueFen)
}

// caseBox is one text area of the case page's forms.
type caseBox struct {
	ID, Name, Label, Value, Err string
}

// Box returns the text area name of the action's form, with what a refused form held.
func (v *mediationCaseView) Box(action, name, label string) caseBox {
	key := action + "." + name
	return caseBox{ID: action + "-" + name, Name: name, Label: label, Value: v.form[key], Err: v.errors[key]}
}

// CardText sums a card up: its kind, face value, paid, used, lessons and when it was bought.
func (v *mediationCaseView) CardText(card *mediation.Card) string {
	parts := []string{labelOr(cardKindLabels, string(card.Kind))}
	if card.FaceValueFen > 0 {
		parts = append(parts, "面值 "+money.Yuan(card.FaceValueFen)+" 元")
	}
	parts = append(parts, "实付 "+money.Yuan(card.PaidFen)+" 元", "已消费 "+money.Yuan(card.UsedFen)+" 元")
	if card.Lessons > 0 {
		parts = append(parts, fmt.Sprintf("课时 %d，已上 %d", card.Lessons, card.LessonsUsed))
	}
	return strings.Join(append(parts, "购于 "+card.BoughtOn), "，")
}

// The options of the case page's forms, in order.
var (
	refundInputOptions = []option{
		{Value: "face", Label: "卡面值（元）"}, {Value: "paid", Label: "实付金额（元）"},
		{Value: "used", Label: "已消费金额（元）"},
		{Value: "lessons", Label: "总课时"}, {Value: "lessons_used", Label: "已上课时"},
		{Value: "bought_on", Label: "购卡日期"},
		{Value: "as_of", Label: "测算日"},
	}
	sessionFormOptions = []option{{Value: "on_site", Label: "现场调解"}, {Value: "phone", Label: "电话调解"},
		{Value: "video", Label: "视频调解"}}
	sideOptions = []option{
		{Value: string(mediation.SideConsumer), Label: "消费者"},
		{Value: string(mediation.SideEnterprise), Label: "企业"},
		{Value: string(mediation.SideMediator), Label: "调解员"},
	}
	termInputOptions = []option{
		{Value: "term_payer", Label: "付款方"}, {Value: "term_payee", Label: "收款方"},
		{Value: "term_yuan", Label: "金额（元）"},
		{Value: "term_due", Label: "履行期限"}, {Value: "term_method", Label: "方式"},
	}
)

// RefundInputs are the refund calculator's inputs.
func (v *mediationCaseView) RefundInputs() []option { return refundInputOptions }

// SessionForms are the forms a session may take.
func (v *mediationCaseView) SessionForms() []option { return sessionFormOptions }

// Sides are the sides of an offer.
func (v *mediationCaseView) Sides() []option { return sideOptions }

// TermInputs are the inputs of an agreement's term row.
func (v *mediationCaseView) TermInputs() []option { return termInputOptions }
