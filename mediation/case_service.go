package mediation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// MaxClaims is the most consumers' claims one group case holds.
const MaxClaims = 200

// newCaseID returns a readable id: the day it was opened in Asia/Shanghai and eight random hex
// digits, e.g. MC-20260921-4f9a0c1d.
func newCaseID(now time.Time) string {
	return "MC-" + now.In(workday.Zone).Format("20060102") + "-" + randHex(4)
}

// randHex returns n random bytes as hex digits.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clock returns the service's time as stored: UTC, to the millisecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

var (
	errNotYours  = "不是您承办的案件 (not your case)"
	errNoMediate = "无权办理调解案件 (your role does not work mediation cases)"
)

// OpenCase opens a case from a complaint on file or directly, with one consumer's claim or,
// for a group case, several consumers with the same claim against the same enterprise. Only
// regulators and supervisors open cases. The case starts submitted; acceptance is due within
// 7 working days.
func (s *Service) OpenCase(ctx context.Context, actor audit.Actor, in OpenInput) (*Case, error) {
	const op = "mediation.OpenCase"
	if !staff(actor) {
		return nil, errs.E(errs.Forbidden, op, "只有监管人员可以登记调解案件 (only regulators open cases)")
	}
	now := s.clock()

	first, uscc, facts, note, err := s.firstClaim(ctx, op, in)
	if err != nil {
		return nil, err
	}
	c, fe := caseOf(first, in.MoreClaims, facts)
	if fe != nil {
		return nil, errs.Fields(op, fe...)
	}
	c.Claims[0].ComplaintID = in.ComplaintID
	if in.ComplaintID != "" {
		// One complaint opens one case: the check and the insert hold the complaint's lock.
		defer store.LockDocument(CasesCollection, "complaint:"+in.ComplaintID)()
		if err := s.notOpenedFrom(ctx, op, in.ComplaintID); err != nil {
			return nil, err
		}
	}
	found, missing, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{uscc})
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 || len(found) == 0 {
		return nil, errs.Fields(op, field("uscc", "没有这家企业的档案 (no enterprise on file with this USCC)"))
	}

	e := found[0]
	c.ID, c.USCC, c.EnterpriseName, c.Industry, c.District = newCaseID(now), e.USCC, e.Name, e.Industry, e.District
	c.State, c.SubmittedAt, c.CreatedBy, c.UpdatedAt, c.Version = StateSubmitted, now, actor.Username, now, 1
	c.Timeline = []Event{{At: now, By: actor.Username, What: "submit", Note: note}}
	refreshDeadlines(s.calendar, c, now)
	if err := s.store.InsertCase(ctx, c); err != nil {
		return nil, err
	}

	// The trail is read by administrators: it keeps the consumers masked.
	after := c.masked()
	after.Timeline = nil
	_, err = s.audit.Append(ctx, audit.Entry{Actor: actor, Action: "mediation_case.open", Target: c.target(),
		Version: c.Version, Change: map[string]any{"after": after}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return c, nil
}

// firstClaim reads the first consumer's claim, the enterprise and the facts from the input,
// or from the complaint it names: the complainant in full, its enterprise, its text and its
// amount as a refund claim unless the input says otherwise.
func (s *Service) firstClaim(
	ctx context.Context,
	op string,
	in OpenInput,
) (ClaimInput, registry.USCC, string, string, error) {
	claim := ClaimInput{ConsumerName: in.ConsumerName, ConsumerPhone: in.ConsumerPhone, IDNumber: in.IDNumber,
		Claim: in.Claim, ClaimFen: in.ClaimFen, Card: in.Card}
	var given registry.USCC
	if in.USCC != "" {
		u, err := registry.ParseUSCC(in.USCC)
		if err != nil {
			return claim, "", "", "", errs.Fields(op, field("uscc", err.Error()))
		}
		given = u
	}
	if in.ComplaintID == "" {
		if given == "" {
			return claim, "", "", "", errs.Fields(op,
				field("uscc", "请填写企业统一社会信用代码或投诉编号 (give uscc or complaint_id)"))
		}
		return claim, given, in.Facts, "", nil
	}

	comp, err := s.registry.Complaint(ctx, in.ComplaintID)
	if errs.Is(err, errs.NotFound) {
		return claim, "", "", "", errs.Fields(op, field("complaint_id", "没有这件投诉 (no such complaint)"))
	}
	if err != nil {
		return claim, "", "", "", err
	}
	if comp.USCC == "" {
		return claim, "", "", "", errs.Fields(op, field("complaint_id",
			"该投诉尚未关联企业，请先关联 (link the complaint to an enterprise first)"))
	}
	if given != "" && given != comp.USCC {
		return claim, "", "", "", errs.Fields(op,
			field("uscc", "与投诉关联的企业不一致 (not the complaint's enterprise)"))
	}
	claim.ConsumerName, claim.ConsumerPhone = comp.ComplainantName, comp.ComplainantPhone
	if claim.Claim == "" {
		claim.Claim = ClaimRefund
	}
	if claim.ClaimFen == 0 {
		claim.ClaimFen = comp.AmountFen
	}
	facts := comp.Text
	if in.Facts != "" {
		facts = in.Facts
	}
	return claim, comp.USCC, facts, "来自投诉 " + comp.ID, nil
}

// caseOf checks the claims and the facts and builds the case; every consumer of a group case
// makes the same kind of claim.
func caseOf(first ClaimInput, more []ClaimInput, facts string) (*Case, []errs.FieldError) {
	cl, fe := claimOf("", first)
	claims := []Claim{cl}
	if len(more)+1 > MaxClaims {
		fe = append(fe,
			field("more_claims", fmt.Sprintf("一件案件至多%d名消费者 (at most %d claims)", MaxClaims, MaxClaims)))
		more = nil
	}
	for i, in := range more {
		p := fmt.Sprintf("more_claims[%d].", i)
		m, mfe := claimOf(p, in)
		fe = append(fe, mfe...)
		if m.Kind != cl.Kind {
			fe = append(fe, field(p+"claim", "合并调解的请求须相同 (joined claims must be of the same kind)"))
		}
		claims = append(claims, m)
	}
	facts, tfe := checkText("facts", facts, true, 5000)
	fe = append(fe, tfe...)
	if len(fe) > 0 {
		return nil, fe
	}
	return &Case{Claims: claims, Facts: facts, Pauses: []Pause{}, Sessions: []Session{}}, nil
}

// Case returns one case with its deadlines as actor may see it: staff and the assigned
// mediator see the consumers in full; another mediator may read a case of the open pool with
// the consumers masked, and no other case.
func (s *Service) Case(ctx context.Context, actor audit.Actor, id string) (*Case, error) {
	const op = "mediation.Case"
	c, err := s.store.GetCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if !handles(actor, c) {
		if actor.Role != RoleMediator {
			return nil, errs.E(errs.Forbidden, op, errNoMediate)
		}
		if !c.inPool() {
			return nil, errs.E(errs.Forbidden, op, errNotYours)
		}
	}
	refreshDeadlines(s.calendar, c, s.clock())
	return viewFor(actor, c), nil
}

// who says which actors may make a change.
type who int

const (
	byStaff   who = iota // regulators and supervisors
	byHandler            // staff and the assigned mediator
	byStep               // the step checks
)

func allowed(op string, w who, actor audit.Actor, c *Case) error {
	switch {
	case w == byStep || staff(actor):
		return nil
	case actor.Role != RoleMediator:
		return errs.E(errs.Forbidden, op, errNoMediate)
	case w == byStaff:
		return errs.E(errs.Forbidden, op, "只有监管人员可以办理此事项 (only regulators may do this)")
	case !handles(actor, c):
		return errs.E(errs.Forbidden, op, errNotYours)
	}
	return nil
}

// caseStep is a change a rule allowed: the timeline note and what the audit record adds.
type caseStep struct {
	note   string
	detail map[string]any
}

// changeCase changes case id if it is still at version ifVersion: under the case's lock it
// reads the case, checks that actor may act on it, lets step check the rules and change it,
// and commits. Nothing is written when a check refuses.
func (s *Service) changeCase(
	ctx context.Context,
	actor audit.Actor,
	op, verb, id string,
	ifVersion int64,
	w who,
	step func(c *Case, now time.Time) (caseStep, error),
) (*Case, error) {
	defer store.LockDocument(CasesCollection, id)()
	c, err := s.store.GetCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := allowed(op, w, actor, c); err != nil {
		return nil, err
	}
	if err := checkVersion(op, c, ifVersion); err != nil {
		return nil, err
	}
	now := s.clock()
	from := c.State
	done, err := step(c, now)
	if err != nil {
		return nil, err
	}
	if err := s.commit(ctx, actor, op, verb, c, from, done, now); err != nil {
		return nil, err
	}
	return viewFor(actor, c), nil
}

func checkVersion(op string, c *Case, ifVersion int64) error {
	if c.Version == ifVersion {
		return nil
	}
	return errs.E(errs.Stale, op, fmt.Sprintf("案件已被他人修改（当前版本 %d，您读取的是版本 %d），请刷新后重试 "+
		"(the case is at version %d, not %d)", c.Version, ifVersion, c.Version, ifVersion))
}

// commit appends the step to the timeline, writes the case guarded by its version, with its
// deadlines brought up to date, and records the change.
func (s *Service) commit(
	ctx context.Context, actor audit.Actor, op, verb string, c *Case, from State, done caseStep, now time.Time,
) error {
	c.Timeline = append(c.Timeline, Event{At: now, By: actor.Username, What: verb, Note: done.note})
	prev := c.Version
	c.Version++
	c.UpdatedAt = now
	refreshDeadlines(s.calendar, c, now)
	if err := s.store.ReplaceCase(ctx, c, prev); err != nil {
		return err
	}

	change := map[string]any{"from": from, "to": c.State}
	if done.note != "" {
		change["note"] = done.note
	}
	for k, v := range done.detail {
		change[k] = v
	}
	_, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: "mediation_case." + verb, Target: c.target(),
		Version: c.Version, Change: change})
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return nil
}

// expect refuses a change unless c is in one of states, saying where it stands.
func (c *Case) expect(op, rule string, states ...State) error {
	if slices.Contains(states, c.State) {
		return nil
	}
	return errs.E(errs.Conflict, op, fmt.Sprintf("%s；案件当前状态为“%s” (case is %s)", rule, c.State.Label(), c.State))
}

// reason checks a required reason or note.
func reason(op, name, text string, required bool) (string, error) {
	text, fe := checkText(name, text, required, 2000)
	if fe != nil {
		return "", errs.Fields(op, fe...)
	}
	return text, nil
}

// Accept accepts a submitted case (受理); the case waits in the open pool for a mediator and
// the 45 working days of mediation start.
func (s *Service) Accept(ctx context.Context, actor audit.Actor, id string, ifVersion int64) (*Case, error) {
	const op = "mediation.Accept"
	return s.changeCase(ctx, actor, op, "accept", id, ifVersion, byStaff,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有待受理的案件可以受理 (only a submitted case can be accepted)",
				StateSubmitted); err != nil {
				return caseStep{}, err
			}
			c.State, c.AcceptedAt = StateAccepted, &now
			return caseStep{}, nil
		})
}

// Refuse refuses a submitted case with the reason (不予受理).
func (s *Service) Refuse(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	why string,
) (*Case, error) {
	const op = "mediation.Refuse"
	why, err := reason(op, "reason", why, true)
	if err != nil {
		return nil, err
	}
	return s.changeCase(ctx, actor, op, "refuse", id, ifVersion, byStaff,
		func(c *Case, now time.Time) (caseStep, error) {
			if err := c.expect(op, "只有待受理的案件可以不予受理 (only a submitted case can be refused)",
				StateSubmitted); err != nil {
				return caseStep{}, err
			}
			c.State, c.EndedAt, c.Ending, c.Outcome = StateRefused, &now, EndingRefused, why
			return caseStep{note: why}, nil
		})
}

// JoinCases joins case otherID's claims into case id, making or growing a group case (共同
// 调解). Both must be against the same enterprise, with the same kind of claim, and neither
// may have started mediation. The other case is closed as joined, with a pointer to the group
// case; nothing is deleted.
func (s *Service) JoinCases(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	otherID string,
	otherVersion int64,
) (*Case, error) {
	const op = "mediation.JoinCases"
	if !staff(actor) {
		return nil, errs.E(errs.Forbidden, op, "只有监管人员可以合并案件 (only regulators join cases)")
	}
	if id == otherID {
		return nil, errs.Fields(op, field("other_id", "不能与自身合并 (a case cannot join itself)"))
	}
	defer store.LockDocuments(CasesCollection, []string{id, otherID})()
	group, err := s.store.GetCase(ctx, id)
	if err != nil {
		return nil, err
	}
	other, err := s.store.GetCase(ctx, otherID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(op, group, ifVersion); err != nil {
		return nil, err
	}
	if err := checkVersion(op, other, otherVersion); err != nil {
		return nil, err
	}
	if err := canJoin(op, group, other); err != nil {
		return nil, err
	}

	now := s.clock()
	// The group case is written first: should the second write fail, the claims are held
	// twice rather than lost, and the other case still says where it stands.
	gFrom, oFrom := group.State, other.State
	group.Claims = append(group.Claims, other.Claims...)
	err = s.commit(ctx, actor, op, "join", group, gFrom, caseStep{note: "并入案件 " + other.ID,
		detail: map[string]any{"joined": other.ID, "claims": len(group.Claims)}}, now)
	if err != nil {
		return nil, err
	}
	other.State, other.Ending, other.JoinedInto, other.EndedAt = StateClosed, EndingJoined, group.ID, &now
	other.Outcome = "并入调解案件 " + group.ID
	err = s.commit(ctx, actor, op, "joined", other, oFrom, caseStep{note: other.Outcome,
		detail: map[string]any{"into": group.ID}}, now)
	if err != nil {
		return nil, err
	}
	return group, nil
}

func canJoin(op string, group, other *Case) error {
	before := []State{StateSubmitted, StateAccepted, StateAssigned}
	rule := "只有尚未开始调解的案件可以合并 (cases join only before mediation starts)"
	if err := group.expect(op, rule, before...); err != nil {
		return err
	}
	if err := other.expect(op, rule, before...); err != nil {
		return err
	}
	if len(group.Sessions)+len(other.Sessions) > 0 {
		return errs.E(errs.Conflict, op, rule)
	}
	if group.USCC != other.USCC {
		return errs.E(errs.Conflict, op, "只能合并针对同一企业的案件 (cases against different enterprises)")
	}
	if group.Claims[0].Kind != other.Claims[0].Kind {
		return errs.E(errs.Conflict, op, "只能合并请求相同的案件 (the claims differ)")
	}
	if len(group.Claims)+len(other.Claims) > MaxClaims {
		return errs.E(errs.Conflict, op,
			fmt.Sprintf("一件案件至多%d名消费者 (at most %d claims)", MaxClaims, MaxClaims))
	}
	return nil
}

// notOpenedFrom refuses a complaint that a case still standing was opened from; a case that
// was refused or withdrawn lets the complaint be opened again.
func (s *Service) notOpenedFrom(ctx context.Context, op, complaintID string) error {
	cases, err := s.store.CasesFromComplaint(ctx, complaintID)
	if err != nil {
		return err
	}
	for _, c := range cases {
		if c.State != StateRefused && c.State != StateWithdrawn {
			return errs.Fields(op, field("complaint_id", "该投诉已开立调解案件 "+c.ID+
				" (a case was already opened from this complaint: "+c.ID+")"))
		}
	}
	return nil
}
