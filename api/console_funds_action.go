package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// The inputs of the account page's forms, and the input each of the service's fields is
// shown beside.
var (
	entryFields  = []string{"key", "type", "amount_yuan", "reference", "occurred_at", "corrects", "plan"}
	coverFields  = []string{"kind", "insurer", "policy_number", "covered_yuan", "valid_from", "valid_to"}
	reasonFields = []string{"reason"}
	fundInputs   = map[string]string{
		"type": "type", "amount_fen": "amount_yuan", "reference": "reference", "occurred_at": "occurred_at",
		"corrects": "corrects", "plan": "plan", "kind": "kind", "insurer": "insurer", "policy_number": "policy_number",
		"covered_fen": "covered_yuan", "valid_from": "valid_from", "valid_to": "valid_to", "reason": "reason",
	}
)

func (s *server) postFundEntryForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, entryFields)
	in, local := s.entryInputOf(c.UserContext(), id, form)
	if len(local) > 0 {
		return s.refusedFundAction(c, id, "entry", form, local, errs.E(errs.Invalid, "api.entry", ""))
	}

	_, replayed, err := s.Funds.PostEntry(c.UserContext(), actor(c), id, form["key"], in)
	if err != nil {
		return s.refusedFundAction(c, id, "entry", form, nil, err)
	}
	done := "entry"
	if replayed {
		done = "replayed"
	} else {
		s.checkFundAlerts(c, id)
	}
	return c.Redirect(fundAccountPath(id)+"?done="+done+"#ledger", http.StatusSeeOther)
}

// entryInputOf turns the typed entry form into the service's input: the amount typed in
// yuan, the time typed in Asia/Shanghai, and the corrected entry named by its sequence number
// or its id. What cannot be read is returned as messages by input.
func (s *server) entryInputOf(
	ctx context.Context,
	id string,
	form map[string]string,
) (funds.EntryInput, map[string]string) {
	local := map[string]string{}
	in := funds.EntryInput{Type: funds.EntryType(form["type"]), Reference: form["reference"],
		Plan: strings.TrimSpace(form["plan"])}
	var msg string
	if in.AmountFen, msg = parseYuanInput(form["amount_yuan"], in.Type != funds.EntryCorrection); msg != "" {
		local["amount_yuan"] = msg
	}
	if at := strings.TrimSpace(form["occurred_at"]); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, workday.Zone)
		if err != nil {
			local["occurred_at"] = "时间格式应为 年-月-日 时:分 (a date and time)"
		}
		in.OccurredAt = t
	}
	corrects := strings.TrimSpace(form["corrects"])
	if in.Type == funds.EntryCorrection && corrects != "" && strings.Trim(corrects, "0123456789") == "" {
		corrects = s.entryIDAt(ctx, id, corrects)
		if corrects == "" {
			local["corrects"] = "本账户没有序号为 " + strings.TrimSpace(form["corrects"]) + " 的记录 (no such entry)"
		}
	}
	in.Corrects = corrects
	return in, local
}

// entryIDAt returns the id of the account's entry numbered seq, or "" when there is none.
func (s *server) entryIDAt(ctx context.Context, id, seq string) string {
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 1 {
		return ""
	}
	page, err := s.Funds.Entries(ctx, id, n-1, 1)
	if err != nil || len(page) == 0 || page[0].Seq != n {
		return ""
	}
	return page[0].ID
}

func (s *server) addFundCoverForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, coverFields)
	fen, msg := parseYuanInput(form["covered_yuan"], true)
	if msg != "" {
		return s.refusedFundAction(c, id, "cover", form, map[string]string{"covered_yuan": msg},
			errs.E(errs.Invalid, "api.cover", ""))
	}
	in := funds.CoverInput{Kind: funds.CoverKind(form["kind"]), Insurer: form["insurer"],
		PolicyNumber: form["policy_number"], CoveredFen: fen, ValidFrom: form["valid_from"], ValidTo: form["valid_to"]}
	if _, err := s.Funds.AddCover(c.UserContext(), actor(c), id, version, in); err != nil {
		return s.refusedFundAction(c, id, "cover", form, nil, err)
	}
	return c.Redirect(fundAccountPath(id)+"?done=cover#covers", http.StatusSeeOther)
}

func (s *server) freezeFundAccountForm(c *fiber.Ctx) error {
	return s.freezeForm(c, "freeze", s.Funds.Freeze)
}

func (s *server) unfreezeFundAccountForm(c *fiber.Ctx) error {
	return s.freezeForm(c, "unfreeze", s.Funds.Unfreeze)
}

// freezeForm freezes or unfreezes the account with the reason typed.
func (s *server) freezeForm(
	c *fiber.Ctx,
	action string,
	step func(context.Context, audit.Actor, string, int64, string) (*funds.Account, error),
) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, reasonFields)
	if _, err := step(c.UserContext(), actor(c), id, version, form["reason"]); err != nil {
		return s.refusedFundAction(c, id, action, form, nil, err)
	}
	return c.Redirect(fundAccountPath(id)+"?done="+action, http.StatusSeeOther)
}

// refusedFundAction shows the account as it now is after a refused form: the reason at the
// top, messages beside the inputs of the form that was sent, which keeps what was typed.
// local holds the console's own messages about inputs it could not read; errors of other
// kinds than a refusal go to the error page.
func (s *server) refusedFundAction(
	c *fiber.Ctx,
	id, action string,
	form, local map[string]string,
	refusal error,
) error {
	kind := errs.KindOf(refusal)
	if !slices.Contains(caseRefusals, kind) {
		return refusal
	}
	v, err := s.fundAccountViewOf(c, id, -1)
	if err != nil {
		return err
	}
	d := pageData{Form: map[string]string{}, FieldErrors: map[string]string{}}
	for k, val := range form {
		if k != "key" {
			d.Form[action+"."+k] = val
		}
	}
	c.Status(kindStatus[kind])
	v.Refused = "act-" + action
	if kind != errs.Invalid {
		d.Error = "未保存：" + errs.MessageOf(refusal)
		if action == "entry" {
			d.Error = "未记账：" + errs.MessageOf(refusal)
		}
		return s.renderFundAccount(c, d, v)
	}
	placed, top := placeErrors(errs.FieldsOf(refusal), fundInputs, nil)
	for k, m := range local {
		placed[k] = m
	}
	for k, m := range placed {
		d.FieldErrors[action+"."+k] = m
	}
	d.Error = "未保存：请按表单中的红字说明修改后重新提交。"
	if top != "" {
		d.Error = "未保存：" + top
	}
	return s.renderFundAccount(c, d, v)
}
