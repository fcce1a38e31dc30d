package mediation

import (
	"context"
	"slices"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// Assign gives an accepted case to a mediator of a mediation body. Staff may assign any case
// of the open pool, or reassign one not yet in mediation; a mediator may take a case of the
// open pool for themself (mediatorUsername empty or their own). The mediator must be on file,
// active, of the body (bodyID empty means the mediator's own body), and must have no conflict
// of interest recorded with the enterprise (回避).
func (s *Service) Assign(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	bodyID, mediatorUsername string,
) (*Case, error) {
	const op = "mediation.Assign"
	if actor.Role == RoleMediator && mediatorUsername == "" {
		mediatorUsername = actor.Username
	}
	return s.changeCase(ctx, actor, op, "assign", id, ifVersion, byStep,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := mayAssign(op, actor, c, mediatorUsername); err != nil {
				return caseStep{}, err
			}
			if err := c.expect(op,
				"只有已受理、尚未开始调解的案件可以分派 (only an accepted case not yet in mediation can be assigned)",
				StateAccepted, StateAssigned); err != nil {
				return caseStep{}, err
			}
			if c.Mediator == mediatorUsername {
				return caseStep{}, errs.E(errs.Conflict, op, "案件已分派给该调解员 (already assigned to this mediator)")
			}
			m, err := s.checkMediator(ctx, op, c, bodyID, mediatorUsername)
			if err != nil {
				return caseStep{}, err
			}
			c.State, c.Body, c.Mediator, c.AssignedAt = StateAssigned, m.Body, m.Username, &now
			return caseStep{note: "调解组织 " + m.Body + "，调解员 " + m.Username,
				detail: map[string]any{"body": m.Body, "mediator": m.Username}}, nil
		})
}

// mayAssign lets staff assign anyone, and a mediator take a case of the open pool for
// themself only.
func mayAssign(op string, actor audit.Actor, c *Case, mediator string) error {
	switch {
	case staff(actor):
		return nil
	case actor.Role != RoleMediator:
		return errs.E(errs.Forbidden, op, errNoMediate)
	case mediator != actor.Username:
		return errs.E(errs.Forbidden, op, "调解员只能为自己领取案件 (a mediator takes cases for themself only)")
	case !c.inPool():
		return errs.E(errs.Forbidden, op, "只能领取待分派案件池中的案件 (take cases from the open pool only)")
	}
	return nil
}

// checkMediator finds the mediator and refuses one that cannot take the case, saying why.
func (s *Service) checkMediator(ctx context.Context, op string, c *Case, bodyID, username string) (*Mediator, error) {
	if username == "" {
		return nil, errs.Fields(op, field("mediator", "请指定调解员 (name the mediator)"))
	}
	m, err := s.store.GetMediator(ctx, username)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.Fields(op, field("mediator", "没有这位调解员 (no such mediator)"))
	}
	if err != nil {
		return nil, err
	}
	if !m.Active {
		return nil, errs.Fields(op, field("mediator", "该调解员已停用 (the mediator is not active)"))
	}
	if bodyID != "" && bodyID != m.Body {
		return nil, errs.Fields(op, field("body", "该调解员不属于这个调解组织 (the mediator is not of this body)"))
	}
	if _, err := s.store.GetBody(ctx, m.Body); err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Fields(op, field("body", "没有这个调解组织 (no such mediation body)"))
		}
		return nil, err
	}
	if slices.Contains(m.Conflicts, c.USCC) {
		return nil, errs.E(errs.Conflict, op, "该调解员与被投诉企业存在利益冲突，应当回避 "+
			"(the mediator has a conflict of interest with this enterprise)")
	}
	return m, nil
}

// Recuse records that the assigned mediator steps back (回避) with the reason: the case goes
// back to the open pool, accepted and unassigned, and the timeline keeps who stepped back and
// why. Sessions already held stay on the case.
func (s *Service) Recuse(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	why string,
) (*Case, error) {
	const op = "mediation.Recuse"
	why, err := reason(op, "reason", why, true)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, actor, op, "recuse", id, ifVersion, byHandler,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有已分派的案件可以回避 (only an assigned case)",
				StateAssigned, StateInMediation); err != nil {
				return caseStep{}, err
			}
			was := c.Mediator
			c.State, c.Body, c.Mediator, c.AssignedAt = StateAccepted, "", "", nil
			return caseStep{note: "调解员 " + was + " 回避：" + why, detail: map[string]any{"mediator": was}}, nil
		})
}
