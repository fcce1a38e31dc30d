package mediation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

const ruleMediating = "只有已受理、尚未结束调解的案件可以办理此事项 (the case is not under mediation)"

// Pause stops the mediation clock for testing or appraisal (检测、鉴定), which does not count
// towards the 45 working days. A clock already paused is not paused again.
func (s *Service) Pause(ctx context.Context, actor audit.Actor, id string, ifVersion int64, why string) (*Case, error) {
	const op = "mediation.Pause"
	why, err := reason(op, "reason", why, true)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, actor, op, "pause", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, ruleMediating, StateAccepted, StateAssigned, StateInMediation); err != nil {
				return caseStep{}, err
			}
			if c.pausedNow() != nil {
				return caseStep{}, errs.E(errs.Conflict, op,
					"调解期限已中止计算，不能重复中止 (the clock is already paused)")
			}
			c.Pauses = append(c.Pauses, Pause{From: now, Reason: why})
			return caseStep{note: why}, nil
		})
}

// Resume starts the mediation clock again after a pause; a clock that is not paused is not
// resumed.
func (s *Service) Resume(ctx context.Context, actor audit.Actor, id string, ifVersion int64) (*Case, error) {
	const op = "mediation.Resume"
	return s.changeCase(ctx, actor, op, "resume", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			p := c.pausedNow()
			if p == nil {
				return caseStep{}, errs.E(errs.Conflict, op, "调解期限未中止计算，无需恢复 (the clock is not paused)")
			}
			p.To = &now
			n := max(s.calendar.Between(p.From, now), 0)
			return caseStep{note: fmt.Sprintf("中止%d个工作日", n), detail: map[string]any{"paused_workdays": n}}, nil
		})
}

// AddSession records a mediation session with its offers and counter-offers in order. The
// case must be assigned; its first session starts mediation.
func (s *Service) AddSession(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	in SessionInput,
) (*Case, error) {
	const op = "mediation.AddSession"
	return s.changeCase(ctx, actor, op, "session", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op,
				"案件须先受理并分派调解员，才能登记调解 (a session before the case was accepted and assigned)",
				StateAssigned, StateInMediation); err != nil {
				return caseStep{}, err
			}
			sess, fe := sessionOf(in, c, now)
			if fe != nil {
				return caseStep{}, errs.Fields(op, fe...)
			}
			c.Sessions = append(c.Sessions, sess)
			c.State = StateInMediation
			return caseStep{note: fmt.Sprintf("第%d次调解（%s）", len(c.Sessions), sess.Form),
				detail: map[string]any{"session": len(c.Sessions), "offers": len(sess.Offers)}}, nil
		})
}

func sessionOf(in SessionInput, c *Case, now time.Time) (Session, []errs.FieldError) {
	var fe []errs.FieldError
	at := in.At.UTC().Truncate(time.Millisecond)
	switch {
	case in.At.IsZero():
		fe = append(fe, field("at", "请填写调解时间 (give the session's time)"))
	case at.After(now):
		fe = append(fe, field("at", "调解时间不能晚于现在：登记已进行的调解 (record a session held, not one to come)"))
	case c.AcceptedAt != nil && at.Before(*c.AcceptedAt):
		fe = append(fe, field("at", "调解时间不能早于受理时间 (before the case was accepted)"))
	}
	if !sessionForms[in.Form] {
		fe = append(fe, field("form", "形式应为 on_site、phone 或 video (unknown form)"))
	}
	var attendees []string
	for _, a := range in.Attendees {
		if a = strings.TrimSpace(a); a != "" {
			attendees = append(attendees, a)
		}
	}
	if len(attendees) == 0 || len(attendees) > 50 {
		fe = append(fe, field("attendees", "请填写1至50名参加人 (1 to 50 attendees)"))
	}
	notes, nfe := checkText("notes", in.Notes, false, 5000)
	fe = append(fe, nfe...)
	offers := make([]Offer, 0, len(in.Offers))
	for i, o := range in.Offers {
		p := fmt.Sprintf("offers[%d].", i)
		switch o.Side {
		case SideConsumer, SideEnterprise, SideMediator:
		default:
			fe = append(fe, field(p+"side", "一方应为 consumer、enterprise 或 mediator (unknown side)"))
		}
		fe = append(fe, checkFen(p+"amount_fen", o.AmountFen, true)...)
		terms, tfe := checkText(p+"terms", o.Terms, false, 1000)
		fe = append(fe, tfe...)
		oat := at
		if o.At != nil {
			oat = o.At.UTC().Truncate(time.Millisecond)
		}
		offers = append(offers, Offer{At: oat, Side: o.Side, AmountFen: o.AmountFen, Terms: terms})
	}
	return Session{At: at, Form: in.Form, Attendees: attendees, Notes: notes, Offers: offers}, fe
}

// RecordAgreement records the mediation agreement (调解协议) reached in mediation. Its total
// is the sum of its terms; an agreement for more than the consumers claimed must say why.
func (s *Service) RecordAgreement(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	in AgreementInput,
) (*Case, error) {
	const op = "mediation.RecordAgreement"
	return s.changeCase(ctx, actor, op, "agreement", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有调解中的案件可以达成协议 (only a case in mediation)",
				StateInMediation); err != nil {
				return caseStep{}, err
			}
			a, fe := agreementOf(in, c.ClaimedFen(), now)
			if fe != nil {
				return caseStep{}, errs.Fields(op, fe...)
			}
			c.Agreement = &a
			c.State, c.Ending, c.EndedAt = StateAgreement, EndingAgreement, &now
			closePause(c, now)
			return caseStep{detail: map[string]any{"total_fen": a.TotalFen, "terms": len(a.Terms)}}, nil
		})
}

func agreementOf(in AgreementInput, claimed int64, now time.Time) (Agreement, []errs.FieldError) {
	var fe []errs.FieldError
	points := make([]string, 0, len(in.Points))
	for i, p := range in.Points {
		t, pfe := checkText(fmt.Sprintf("points[%d]", i), p, true, 500)
		fe = append(fe, pfe...)
		points = append(points, t)
	}
	if len(points) == 0 {
		fe = append(fe, field("points", "请写明争议事项 (give the points in dispute)"))
	}
	if len(in.Terms) == 0 || len(in.Terms) > 100 {
		fe = append(fe, field("terms", "请填写1至100项协议条款 (1 to 100 terms)"))
	}
	var total int64
	terms := make([]Term, 0, len(in.Terms))
	for i, t := range in.Terms {
		p := fmt.Sprintf("terms[%d].", i)
		tfe := checkFen(p+"amount_fen", t.AmountFen, false)
		payer, f1 := checkText(p+"payer", t.Payer, true, 100)
		payee, f2 := checkText(p+"payee", t.Payee, true, 100)
		method, f3 := checkText(p+"method", t.Method, true, 200)
		if _, err := time.ParseInLocation(time.DateOnly, t.DueOn, workday.Zone); err != nil {
			tfe = append(tfe, field(p+"due_on", "履行日期格式应为 2006-01-02 (a date)"))
		}
		fe = append(append(append(append(fe, tfe...), f1...), f2...), f3...)
		if tfe == nil {
			total += t.AmountFen
		}
		terms = append(terms, Term{Payer: payer, Payee: payee, AmountFen: t.AmountFen, DueOn: t.DueOn, Method: method})
	}
	why, wfe := checkText("over_claim_reason", in.OverClaimReason, false, 1000)
	fe = append(fe, wfe...)
	if total > MaxFen {
		fe = append(fe, field("terms", "协议总金额不能超过10^13分 (the total is at most 10^13 fen)"))
	}
	if total > claimed && why == "" {
		fe = append(fe, field("over_claim_reason", fmt.Sprintf("协议金额%s超过请求金额%s，须说明理由 "+
			"(an agreement for more than was claimed without saying so)", yuan(total), yuan(claimed))))
	}
	if fe != nil {
		return Agreement{}, fe
	}
	return Agreement{Points: points, Terms: terms, TotalFen: total, OverClaimReason: why, SignedAt: now}, nil
}

// RecordPerformance records whether the agreement was performed. That it was not may be
// recorded only once its last due date has passed; an agreement not performed counts against
// the enterprise's risk score, which is computed afresh.
func (s *Service) RecordPerformance(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	performed bool,
	note string,
) (*Case, error) {
	const op = "mediation.RecordPerformance"
	note, err := reason(op, "note", note, false)
	if err != nil {
		return nil, err
	}
	c, err := s.changeCase(ctx, actor, op, "performance", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有已达成协议的案件可以登记履行 (only a case with an agreement)",
				StateAgreement); err != nil {
				return caseStep{}, err
			}
			a := c.Agreement
			if a.Performed != nil {
				return caseStep{}, errs.E(errs.Conflict, op, "已登记履行情况 (performance already recorded)")
			}
			if due, ok := lastDue(a.Terms); !performed && ok && !workday.Day(now).After(due) {
				return caseStep{}, errs.E(errs.Conflict, op, fmt.Sprintf("履行期限（%s）尚未届满，不能登记未履行 "+
					"(the agreement is not yet due)", due.Format(time.DateOnly)))
			}
			a.Performed, a.PerformanceAt, a.PerformanceNote = &performed, &now, note
			text := "已履行"
			if !performed {
				text = "未履行"
			}
			return caseStep{note: text, detail: map[string]any{"performed": performed}}, nil
		})
	if err != nil || performed {
		return c, err
	}
	return c, s.rescore(ctx, op, c.USCC)
}

// Refer refers the case on: to arbitration or litigation when mediation cannot settle it, to
// enforcement when a violation is found, or, for an agreement not performed, to the court for
// confirmation (司法确认) or to enforcement.
func (s *Service) Refer(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	to Referral,
	note string,
) (*Case, error) {
	const op = "mediation.Refer"
	if to.Label() == "" {
		return nil, errs.Fields(op,
			field("to", "移送去向应为 arbitration、litigation、enforcement 或 court_confirmation "+
				"(unknown referral)"))
	}
	note, err := reason(op, "note", note, false)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, actor, op, "refer", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := canRefer(op, c, to); err != nil {
				return caseStep{}, err
			}
			c.State, c.ReferredTo = StateReferred, string(to)
			c.Outcome = strings.TrimSpace("移送" + to.Label() + " " + note)
			if c.Ending == "" {
				c.Ending, c.EndedAt = EndingReferred, &now
			}
			closePause(c, now)
			return caseStep{note: c.Outcome, detail: map[string]any{"referred_to": to}}, nil
		})
}

func canRefer(op string, c *Case, to Referral) error {
	if c.State == StateAgreement {
		if c.Agreement.Performed != nil && *c.Agreement.Performed {
			return errs.E(errs.Conflict, op, "协议已履行，无需移送 (the agreement was performed)")
		}
		if to == ReferArbitration {
			return errs.E(errs.Conflict, op,
				"已达成协议的案件可申请司法确认、移送执法或诉讼 (an agreement goes to court or enforcement)")
		}
		return nil
	}
	if err := c.expect(op, ruleMediating, StateAccepted, StateAssigned, StateInMediation, StateEnded); err != nil {
		return err
	}
	if to == ReferCourtConfirmation {
		return errs.E(errs.Conflict, op,
			"只有调解协议可以申请司法确认 (only an agreement goes to court for confirmation)")
	}
	return nil
}

// Terminate ends mediation without agreement (终止调解) with the reason. The reason
// TermExpired is allowed only once the 45 working days, pauses not counted, have passed.
// refusedByEnterprise records that the enterprise refused to take part. Either counts against
// the enterprise's risk score, which is computed afresh.
func (s *Service) Terminate(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	why string,
	refusedByEnterprise bool,
) (*Case, error) {
	const op = "mediation.Terminate"
	why, err := reason(op, "reason", why, true)
	if err != nil {
		return nil, err
	}
	c, err := s.changeCase(ctx, actor, op, "terminate", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, ruleMediating, StateAccepted, StateAssigned, StateInMediation); err != nil {
				return caseStep{}, err
			}
			if why == TermExpired {
				// 《市场监督管理投诉举报处理暂行办法》: mediation ends without agreement once its
				// period has passed; a paused clock does not run out.
				due, paused := mediationDue(s.calendar, c, now)
				if paused || !workday.Day(now).After(due) {
					return caseStep{}, errs.E(errs.Conflict, op,
						fmt.Sprintf("调解期限至%s，尚未届满 (the mediation period has not passed)",
							due.Format(time.DateOnly)))
				}
			}
			c.State, c.Ending, c.EndedAt, c.Outcome = StateEnded, EndingNoAgreement, &now, why
			c.RefusedByEnterprise = c.RefusedByEnterprise || refusedByEnterprise
			closePause(c, now)
			return caseStep{note: why, detail: map[string]any{"refused_by_enterprise": refusedByEnterprise}}, nil
		})
	if err != nil {
		return nil, err
	}
	return c, s.rescore(ctx, op, c.USCC)
}

// Withdraw records that the consumers withdrew the case, with their reason.
func (s *Service) Withdraw(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	why string,
) (*Case, error) {
	const op = "mediation.Withdraw"
	why, err := reason(op, "reason", why, false)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, actor, op, "withdraw", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有尚未结束的案件可以撤回 (only a case not yet ended)",
				StateSubmitted, StateAccepted, StateAssigned, StateInMediation); err != nil {
				return caseStep{}, err
			}
			c.State, c.Ending, c.EndedAt, c.Outcome = StateWithdrawn, EndingWithdrawn, &now, why
			closePause(c, now)
			return caseStep{note: why}, nil
		})
}

// NotifyParties records that both parties were told that mediation ended without agreement,
// due within 7 working days of the ending.
func (s *Service) NotifyParties(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	note string,
) (*Case, error) {
	const op = "mediation.NotifyParties"
	note, err := reason(op, "note", note, false)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, actor, op, "notify", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有终止调解的案件需要告知 (only a case ended without agreement)",
				StateEnded); err != nil {
				return caseStep{}, err
			}
			if c.PartiesNotifiedAt != nil {
				return caseStep{}, errs.E(errs.Conflict, op, "已登记告知 (the parties were already told)")
			}
			c.PartiesNotifiedAt = &now
			return caseStep{note: note}, nil
		})
}

// Close closes a case whose procedure is over: an agreement with its performance recorded, an
// ending without agreement the parties were told of, a withdrawal or a referral. A case is
// closed once.
func (s *Service) Close(ctx context.Context, actor audit.Actor, id string, ifVersion int64) (*Case, error) {
	const op = "mediation.Close"
	return s.changeCase(ctx, actor, op, "close", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			switch {
			case c.State == StateClosed:
				return caseStep{}, errs.E(errs.Conflict, op, "案件已结案 (the case is already closed)")
			case c.State == StateAgreement && c.Agreement.Performed == nil:
				return caseStep{}, errs.E(errs.Conflict, op,
					"请先登记协议履行情况 (record the agreement's performance first)")
			case c.State == StateEnded && c.PartiesNotifiedAt == nil:
				return caseStep{}, errs.E(errs.Conflict, op,
					"请先登记已告知双方终止调解 (record that the parties were told first)")
			}
			if err := c.expect(op, "调解程序尚未结束，不能结案 (the procedure is not over)",
				StateAgreement, StateEnded, StateWithdrawn, StateReferred); err != nil {
				return caseStep{}, err
			}
			c.State = StateClosed
			return caseStep{}, nil
		})
}

// closePause ends a pause still under way when mediation ends.
func closePause(c *Case, now time.Time) {
	if p := c.pausedNow(); p != nil {
		p.To = &now
	}
}

// rescore asks the registry to score the enterprise afresh: failed mediations are a factor.
func (s *Service) rescore(ctx context.Context, op string, uscc registry.USCC) error {
	if _, err := s.registry.Rescore(ctx, []registry.USCC{uscc}); err != nil {
		return errs.Wrap(errs.KindOf(err), op+": rescore", err)
	}
	return nil
}

// yuan formats fen as yuan with two decimals, e.g. 1234.50元.
func yuan(fen int64) string { return fmt.Sprintf("%d.%02d元", fen/100, fen%100) }
