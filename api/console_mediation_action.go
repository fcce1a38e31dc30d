package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
)

// caseAction is one of the case page's forms: its inputs and the service's step.
type caseAction struct {
	fields []string
	do     func(ctx context.Context, a audit.Actor, id string, version int64, form map[string]string) error
}

// rowFields lists the inputs of n numbered rows: offer_side_0, offer_yuan_0, …
func rowFields(n int, names ...string) []string {
	var out []string
	for i := range n {
		for _, name := range names {
			out = append(out, fmt.Sprintf("%s_%d", name, i))
		}
	}
	return out
}

func (s *server) caseActions() map[string]caseAction {
	m := s.Mediation
	plain := func(step func(context.Context, audit.Actor, string, int64) (*mediation.Case, error)) caseAction {
		return caseAction{do: func(ctx context.Context, a audit.Actor, id string, v int64, _ map[string]string) error {
			_, err := step(ctx, a, id, v)
			return err
		}}
	}
	note := func(step func(context.Context, audit.Actor, string, int64, string) (*mediation.Case, error),
		field string) caseAction {
		return caseAction{fields: []string{field},
			do: func(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
				_, err := step(ctx, a, id, v, form[field])
				return err
			}}
	}
	return map[string]caseAction{
		"accept": plain(m.Accept), "resume": plain(m.Resume), "close": plain(m.Close),
		"refuse": note(m.Refuse, "reason"), "recuse": note(m.Recuse, "reason"), "pause": note(m.Pause, "reason"),
		"withdraw": note(m.Withdraw, "reason"), "notify": note(m.NotifyParties, "note"),
		"take": {do: func(ctx context.Context, a audit.Actor, id string, v int64, _ map[string]string) error {
			_, err := m.Assign(ctx, a, id, v, "", "")
			return err
		}},
		"assign": {fields: []string{"body", "mediator"},
			do: func(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
				_, err := m.Assign(ctx, a, id, v, form["body"], form["mediator"])
				return err
			}},
		"performance": {fields: []string{"performed", "note"},
			do: func(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
				if form["performed"] != "yes" && form["performed"] != "no" {
					return errs.Fields("api.performance",
						errs.FieldError{Field: "performed", Message: "请选择是否履行 (choose yes or no)"})
				}
				_, err := m.RecordPerformance(ctx, a, id, v, form["performed"] == "yes", form["note"])
				return err
			}},
		"terminate": {fields: []string{"reason", "refused_by_enterprise"},
			do: func(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
				_, err := m.Terminate(ctx, a, id, v, form["reason"], form["refused_by_enterprise"] != "")
				return err
			}},
		"refer": {fields: []string{"to", "note"},
			do: func(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
				_, err := m.Refer(ctx, a, id, v, mediation.Referral(form["to"]), form["note"])
				return err
			}},
		"session": {fields: append([]string{"at", "form", "attendees", "notes"},
			rowFields(offerRows, "offer_side", "offer_yuan", "offer_terms")...), do: s.sessionStep},
		"agreement": {fields: append([]string{"points", "over_claim_reason"},
			rowFields(termRows, "term_payer", "term_payee", "term_yuan", "term_due", "term_method")...),
			do: s.agreementStep},
	}
}

// sessionStep records a session: its time typed in Asia/Shanghai, attendees one a line, and
// the offer rows filled in, in order.
func (s *server) sessionStep(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
	var fe []errs.FieldError
	in := mediation.SessionInput{Form: form["form"], Attendees: textLines(form["attendees"]), Notes: form["notes"]}
	if at := strings.TrimSpace(form["at"]); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, workday.Zone)
		if err != nil {
			fe = append(fe, errs.FieldError{Field: "at", Message: "时间格式应为 年-月-日 时:分 (a date and time)"})
		}
		in.At = t
	}
	in.Offers = []mediation.OfferInput{}
	for i := range offerRows {
		side, amount, terms := form[fmt.Sprintf("offer_side_%d", i)], form[fmt.Sprintf("offer_yuan_%d", i)],
			form[fmt.Sprintf("offer_terms_%d", i)]
		if side == "" && strings.TrimSpace(amount) == "" && strings.TrimSpace(terms) == "" {
			continue
		}
		fen, msg := parseYuanInput(amount, true)
		if msg != "" {
			fe = append(fe, errs.FieldError{Field: fmt.Sprintf("offers[%d].amount_fen", len(in.Offers)), Message: msg})
		}
		in.Offers = append(in.Offers, mediation.OfferInput{Side: mediation.Side(side), AmountFen: fen, Terms: terms})
	}
	if fe != nil {
		return errs.Fields("api.session", fe...)
	}
	_, err := s.Mediation.AddSession(ctx, a, id, v, in)
	return err
}

// agreementStep records an agreement: the points one a line and the term rows filled in.
func (s *server) agreementStep(ctx context.Context, a audit.Actor, id string, v int64, form map[string]string) error {
	var fe []errs.FieldError
	in := mediation.AgreementInput{Points: textLines(form["points"]), OverClaimReason: form["over_claim_reason"],
		Terms: []mediation.Term{}}
	for i := range termRows {
		get := func(name string) string { return strings.TrimSpace(form[fmt.Sprintf("%s_%d", name, i)]) }
		t := mediation.Term{Payer: get("term_payer"), Payee: get("term_payee"), DueOn: get("term_due"),
			Method: get("term_method")}
		if t.Payer+t.Payee+t.DueOn+t.Method+get("term_yuan") == "" {
			continue
		}
		fen, msg := parseYuanInput(get("term_yuan"), true)
		if msg != "" {
			fe = append(fe, errs.FieldError{Field: fmt.Sprintf("terms[%d].amount_fen", len(in.Terms)), Message: msg})
		}
		t.AmountFen = fen
		in.Terms = append(in.Terms, t)
	}
	if fe != nil {
		return errs.Fields("api.agreement", fe...)
	}
	_, err := s.Mediation.RecordAgreement(ctx, a, id, v, in)
	return err
}

// caseRefusals are the kinds of error a refused form is shown with on its page.
var caseRefusals = []errs.Kind{errs.Invalid, errs.Conflict, errs.Stale, errs.Forbidden}

func (s *server) mediationActionForm(c *fiber.Ctx) error {
	name := c.Params("action")
	act, ok := s.caseActions()[name]
	if !ok {
		return fiber.ErrNotFound
	}
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, act.fields)

	err = act.do(c.UserContext(), actor(c), id, version, form)
	if err == nil {
		return c.Redirect(mediationCasePath(id)+"?done="+name, http.StatusSeeOther)
	}
	if !slices.Contains(caseRefusals, errs.KindOf(err)) {
		return err
	}
	return s.refusedCaseAction(c, id, name, act.fields, form, err)
}

// refusedCaseAction shows the case as it now is after a refused form: the reason at the top,
// field messages beside the inputs of the form that was sent, which keeps what was typed. A
// reader who may not see the case gets the refusal alone.
func (s *server) refusedCaseAction(
	c *fiber.Ctx,
	id, action string,
	fields []string,
	form map[string]string,
	refusal error,
) error {
	cs, err := s.Mediation.Case(c.UserContext(), actor(c), id)
	if err != nil {
		return refusal
	}
	v, err := s.mediationCaseViewOf(c, cs)
	if err != nil {
		return err
	}
	d := pageData{Form: map[string]string{}, FieldErrors: map[string]string{}}
	for k, val := range form {
		d.Form[action+"."+k] = val
	}
	kind := errs.KindOf(refusal)
	c.Status(kindStatus[kind])
	v.Refused = "act-" + action
	if kind != errs.Invalid {
		d.Error = errs.MessageOf(refusal)
		return s.renderMediationCase(c, d, v)
	}
	var top []string
	for _, f := range errs.FieldsOf(refusal) {
		input := caseInput(f.Field)
		if !slices.Contains(fields, input) {
			top = append(top, f.Message)
			continue
		}
		key := action + "." + input
		if d.FieldErrors[key] != "" {
			d.FieldErrors[key] += "；"
		}
		d.FieldErrors[key] += f.Message
	}
	d.Error = "未保存：请按表单中的红字说明修改后重新提交。"
	if len(top) > 0 {
		d.Error = "未保存：" + strings.Join(top, "；")
	}
	return s.renderMediationCase(c, d, v)
}

var (
	offerField = regexp.MustCompile(`^offers\[(\d+)\]\.(side|amount_fen|terms)$`)
	termField  = regexp.MustCompile(`^terms\[(\d+)\]\.(payer|payee|amount_fen|due_on|method)$`)
	rowInputs  = map[string]string{
		"side": "side", "amount_fen": "yuan", "terms": "terms", "payer": "payer", "payee": "payee",
		"due_on": "due", "method": "method",
	}
)

// caseInput names the form input a service field is shown beside: offers[1].amount_fen is
// offer_yuan_1, points[0] is points. Offers and terms are numbered as the rows filled in;
// blank rows in between shift the numbers, which the message still names.
func caseInput(field string) string {
	if m := offerField.FindStringSubmatch(field); m != nil {
		return "offer_" + rowInputs[m[2]] + "_" + m[1]
	}
	if m := termField.FindStringSubmatch(field); m != nil {
		return "term_" + rowInputs[m[2]] + "_" + m[1]
	}
	base, _, _ := strings.Cut(field, "[")
	return base
}
