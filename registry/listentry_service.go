package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// ListEntryStore keeps list entries and the publication version.
type ListEntryStore interface {
	// InsertEntry stores a new entry. An open entry of the same kind for the same enterprise
	// is a Conflict; an id already taken is errEntryIDTaken.
	InsertEntry(ctx context.Context, e *ListEntry) error
	// GetEntry returns the entry, or NotFound.
	GetEntry(ctx context.Context, id string) (*ListEntry, error)
	// ReplaceEntry writes e if the stored version is still e.Version-1; otherwise Stale.
	ReplaceEntry(ctx context.Context, e *ListEntry) error
	// ListEntries returns one page of entries matching q, newest first.
	ListEntries(ctx context.Context, q ListEntryQuery) ([]ListEntry, error)
	// EntriesOf returns at most limit of an enterprise's entries: its open ones first, then
	// the newest of the others.
	EntriesOf(ctx context.Context, uscc USCC, limit int) ([]ListEntry, error)
	// BumpPublication raises the publication version and returns the new one.
	BumpPublication(ctx context.Context, at time.Time) (int64, error)
}

var _ ListEntryStore = (*MongoStore)(nil)

// errEntryIDTaken says a new entry's id is already used; the service draws another.
var errEntryIDTaken = errors.New("list entry id already taken")

// entries returns the store that keeps list entries.
func (s *Service) entries(string) (ListEntryStore, error) { return s.store, nil }

// ListSettings are the list rules a city may set differently (DESIGN.md: where a rule differs
// by city, it is a setting with the default given there).
type ListSettings struct {
	// GreyReviewMonths is how long a grey entry stands before it comes up for review.
	GreyReviewMonths int
}

// DefaultListSettings are the defaults of DESIGN.md: a grey entry is reviewed after six months.
func DefaultListSettings() ListSettings { return ListSettings{GreyReviewMonths: 6} }

// SetListSettings sets the service's list rules; a zero field keeps its default.
func (s *Service) SetListSettings(ls ListSettings) {
	if ls.GreyReviewMonths <= 0 {
		ls.GreyReviewMonths = DefaultListSettings().GreyReviewMonths
	}
	s.lists = ls
}

// ListSettings returns the list rules in force.
func (s *Service) ListSettings() ListSettings { return s.lists }

// dossierEntries is how many list entries a dossier shows.
const dossierEntries = 20

func (e *ListEntry) target() string { return "list-entry/" + e.ID }

// newEntryID returns a readable id: the proposal's day in Asia/Shanghai and six random hex
// digits, e.g. LE-20261203-4f9a0c.
func newEntryID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return "LE-" + now.In(shanghai).Format("20060102") + "-" + hex.EncodeToString(b)
}

// ProposeEntry files a proposal to put an enterprise on the grey or black list. The
// enterprise's name, former names, address, district and industry are copied as they stand
// now, so that the entry keeps what was decided on whatever the file says later.
//
// A black proposal cites one of the black-list grounds of LegalBases and at least one piece
// of evidence (《市场监督管理严重违法失信名单管理办法》第八条). A grey proposal states a reason
// and rests either on a cited risk assessment of this enterprise at high or critical level
// (DESIGN.md, "Grey list": entered on a risk assessment), or, marked as a manual judgement, on
// the regulator's own judgement, written out in the reason in at least ten characters. An
// enterprise has at most one open entry of each kind.
func (s *Service) ProposeEntry(ctx context.Context, actor audit.Actor, in ProposalInput) (*ListEntry, error) {
	const op = "registry.ProposeEntry"

	in.normalise()
	uscc, basis, fe := in.check()
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	ent, err := s.store.GetEnterprise(ctx, uscc)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.Fields(op, entryField("uscc", "没有这个统一社会信用代码的企业 (no such enterprise)"))
	}
	if err != nil {
		return nil, err
	}
	fe, err = s.checkEvidence(ctx, in, uscc)
	if err != nil {
		return nil, err
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	st, err := s.entries(op)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	e := newEntry(in, basis, ent, actor, now)
	if err := insertEntry(ctx, st, e); err != nil {
		return nil, err
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "list_entry.propose", Target: e.target(), Version: e.Version,
		Change: map[string]any{"after": e},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return e, nil
}

// insertEntry stores e, drawing a new id while the one drawn is taken.
func insertEntry(ctx context.Context, st ListEntryStore, e *ListEntry) error {
	for attempt := 0; ; attempt++ {
		err := st.InsertEntry(ctx, e)
		if !errors.Is(err, errEntryIDTaken) || attempt == 4 {
			return err
		}
		e.ID = newEntryID(e.CreatedAt)
	}
}

func newEntry(in ProposalInput, basis LegalBasis, ent *Enterprise, actor audit.Actor, now time.Time) *ListEntry {
	text := in.LegalBasis
	if basis.Code != "" {
		text = basis.Text
	}
	return &ListEntry{
		ID: newEntryID(now), USCC: ent.USCC, Name: ent.Name, FormerNames: append([]string{}, ent.Aliases...),
		Address: ent.RegisteredAddress, District: ent.District, Industry: ent.Industry,
		Kind: in.Kind, State: EntryProposed, Reason: in.Reason, LegalBasis: text, LegalBasisCode: basis.Code,
		ManualJudgement: in.ManualJudgement, Evidence: in.Evidence, Authority: in.Authority,
		DecisionNumber: in.DecisionNumber, ProposedBy: actor.Username, Objections: []Objection{},
		History:   []EntryEvent{{At: now, By: actor.Username, Action: "propose", To: EntryProposed}},
		Version:   1,
		CreatedAt: now, UpdatedAt: now,
	}
}

// checkEvidence looks up the complaints and risk assessments a proposal cites: each must be on
// file and be about the proposed enterprise. A grey proposal that is not a manual judgement
// needs one of its assessments at high or critical level. Interview and inspection records
// belong to the enforcement module and are taken as cited.
func (s *Service) checkEvidence(ctx context.Context, in ProposalInput, uscc USCC) ([]errs.FieldError, error) {
	var fe []errs.FieldError
	high := false
	for i, ev := range in.Evidence {
		field := fmt.Sprintf("evidence[%d].id", i)
		switch ev.Kind {
		case "complaint":
			c, err := s.complaints.GetComplaint(ctx, ev.ID)
			switch {
			case errs.Is(err, errs.NotFound):
				fe = append(fe, entryField(field, "没有这件投诉 (no such complaint)"))
			case err != nil:
				return nil, err
			case c.USCC != uscc:
				fe = append(fe, entryField(field, "该投诉未关联到本企业 (complaint is not about this enterprise)"))
			}
		case "assessment":
			a, err := s.Assessment(ctx, ev.ID)
			switch {
			case errs.Is(err, errs.NotFound):
				fe = append(fe, entryField(field, "没有这次风险评估 (no such assessment)"))
			case err != nil:
				return nil, err
			case a.USCC != uscc:
				fe = append(fe, entryField(field, "该风险评估不是本企业的 (assessment is of another enterprise)"))
			default:
				high = high || a.Level.AtLeastHigh()
			}
		}
	}
	if in.Kind == ListGrey && !in.ManualJudgement && !high && len(fe) == 0 {
		fe = append(fe, entryField("evidence", "灰名单须附本企业风险等级为高或极高的风险评估，或标明为人工研判"+
			"并在理由中写明 (a grey entry needs a high or critical risk assessment of this enterprise, "+
			"or a manual judgement explained in the reason)"))
	}
	return fe, nil
}

// entryStep is a change a rule allowed: its name in the history and the audit trail, the note
// that goes with it, whether it changes what the public sees, and what the audit record adds.
type entryStep struct {
	action    string
	note      string
	publishes bool
	detail    map[string]any
}

// changeEntry reads the entry, lets step check the rules and change it, and writes it back if
// nobody changed it meanwhile. When somebody did, it reads the entry again and asks step
// again: of two approvals sent at once, the second sees the first's result and is refused by
// the rule it breaks. Nothing is written when step refuses.
func (s *Service) changeEntry(
	ctx context.Context,
	actor audit.Actor,
	op, id string,
	step func(e *ListEntry, now time.Time) (entryStep, error),
) (*ListEntry, error) {
	st, err := s.entries(op)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		e, err := s.Entry(ctx, id)
		if err != nil {
			return nil, err
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		from := e.State
		done, err := step(e, now)
		if err != nil {
			return nil, err
		}
		e.History = append(e.History, EntryEvent{At: now, By: actor.Username, Action: done.action, From: from,
			To: e.State, Note: done.note})
		e.Version++
		e.UpdatedAt = now

		err = st.ReplaceEntry(ctx, e)
		if errs.Is(err, errs.Stale) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return e, s.recordStep(ctx, st, actor, op, e, from, done, now)
	}
}

// recordStep raises the publication version when the public lists changed, so that every
// instance's snapshot notices, and writes the audit record.
func (s *Service) recordStep(
	ctx context.Context,
	st ListEntryStore,
	actor audit.Actor,
	op string,
	e *ListEntry,
	from EntryState,
	done entryStep,
	now time.Time,
) error {
	if done.publishes {
		if _, err := st.BumpPublication(ctx, now); err != nil {
			return err
		}
		if s.publicationHook != nil {
			defer s.publicationHook(context.WithoutCancel(ctx))
		}
	}
	change := map[string]any{"from": from, "to": e.State}
	if done.note != "" {
		change["note"] = done.note
	}
	for k, v := range done.detail {
		change[k] = v
	}
	_, err := s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "list_entry." + done.action, Target: e.target(), Version: e.Version, Change: change,
	})
	return errs.Wrap(errs.Internal, op, err)
}

const (
	needProposed       = "只有待审批的提议可以审批 (only a proposal awaiting approval can be decided)"
	approverIsProposer = "审批人不能是提议人 (the approver may not be the proposer)"
)

// Approve publishes a proposed entry. Only a supervisor who is not the proposer may approve
// (DESIGN.md, "Four eyes"); the route table lets only supervisors in. The entry is listed
// now, which is its date of publication, and comes up for review after the grey review period
// or, on the black list, at the end of its three years. The publication version is raised and
// the enterprise is re-scored, its list history being a risk factor.
func (s *Service) Approve(ctx context.Context, actor audit.Actor, id, note string) (*ListEntry, error) {
	const op = "registry.Approve"
	note, err := checkNote(op, note, false)
	if err != nil {
		return nil, err
	}
	e, err := s.changeEntry(ctx, actor, op, id, func(e *ListEntry, now time.Time) (entryStep, error) {
		if err := e.expect(op, needProposed, EntryProposed); err != nil {
			return entryStep{}, err
		}
		if err := notProposer(op, actor.Username, e.ProposedBy, approverIsProposer); err != nil {
			return entryStep{}, err
		}
		review := s.reviewAt(e.Kind, now)
		e.State, e.ApprovedBy, e.ListedAt, e.ReviewAt = EntryPublished, actor.Username, &now, &review
		return entryStep{action: "approve", note: note, publishes: true,
			detail: map[string]any{"listed_at": now, "review_at": review}}, nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.Rescore(ctx, []USCC{e.USCC}); err != nil {
		return e, err
	}
	if s.listedHook != nil {
		if err := s.listedHook(ctx, *e); err != nil {
			return e, err
		}
	}
	return e, nil
}

// ListedHook is told of an entry just published, after the fact: the funds module freezes the
// supervised accounts of an enterprise black-listed as gone.
type ListedHook func(ctx context.Context, e ListEntry) error

// SetListedHook sets the function told of each entry published.
func (s *Service) SetListedHook(h ListedHook) { s.listedHook = h }

// reviewAt is when an entry listed at listed comes up for review: after the grey review
// period, or at the end of a black entry's three years. Months and years count in
// Asia/Shanghai.
func (s *Service) reviewAt(kind ListKind, listed time.Time) time.Time {
	local := listed.In(shanghai)
	if kind == ListBlack {
		return local.AddDate(blackListYears, 0, 0).UTC()
	}
	return local.AddDate(0, s.ListSettings().GreyReviewMonths, 0).UTC()
}

// Reject turns a proposal down. Like approval it is for a supervisor who is not the proposer,
// and it needs a note saying why.
func (s *Service) Reject(ctx context.Context, actor audit.Actor, id, note string) (*ListEntry, error) {
	const op = "registry.Reject"
	note, err := checkNote(op, note, true)
	if err != nil {
		return nil, err
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, _ time.Time) (entryStep, error) {
		if err := e.expect(op, needProposed, EntryProposed); err != nil {
			return entryStep{}, err
		}
		if err := notProposer(op, actor.Username, e.ProposedBy, approverIsProposer); err != nil {
			return entryStep{}, err
		}
		e.State = EntryRejected
		return entryStep{action: "reject", note: note}, nil
	})
}

// Withdraw takes back a proposal before it is decided; only its proposer may.
func (s *Service) Withdraw(ctx context.Context, actor audit.Actor, id, note string) (*ListEntry, error) {
	const op = "registry.Withdraw"
	note, err := checkNote(op, note, false)
	if err != nil {
		return nil, err
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, _ time.Time) (entryStep, error) {
		if err := e.expect(op, "只有待审批的提议可以撤回 (only a proposal awaiting approval can be withdrawn)",
			EntryProposed); err != nil {
			return entryStep{}, err
		}
		if actor.Username != e.ProposedBy {
			return entryStep{}, errs.E(errs.Forbidden, op, "只有提议人可以撤回提议 (only the proposer may withdraw)")
		}
		e.State = EntryWithdrawn
		return entryStep{action: "withdraw", note: note}, nil
	})
}

// ProposeRemoval asks for a published entry to be removed; a supervisor who did not ask
// decides. At the end of the period (a grey entry's review date, a black entry's three years)
// removal may be asked at once. Earlier, a black entry may be removed only after one year
// (DESIGN.md: early removal may be asked after one year, once obligations are met), unless an
// objection against it was upheld.
func (s *Service) ProposeRemoval(
	ctx context.Context,
	actor audit.Actor,
	id string,
	in RemovalInput,
) (*ListEntry, error) {
	const op = "registry.ProposeRemoval"
	note, err := in.check(op)
	if err != nil {
		return nil, err
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, now time.Time) (entryStep, error) {
		if err := e.expect(op, "只有已公示的条目可以申请移出 (only a published entry can be proposed for removal)",
			EntryPublished); err != nil {
			return entryStep{}, err
		}
		if err := e.mayRemove(op, in.Reason, now); err != nil {
			return entryStep{}, err
		}
		reason := note
		if reason == "" {
			reason = in.Reason.Label()
		}
		e.State, e.RemovalProposedBy = EntryRemovalProposed, actor.Username
		e.RemovalKind, e.RemovalReason = in.Reason, reason
		return entryStep{action: "propose_removal", note: note, detail: map[string]any{"removal_kind": in.Reason}}, nil
	})
}

const (
	needRemovalProposed = "只有待审批的移出申请可以审批 (only a removal awaiting approval can be decided)"
	approverIsRemover   = "审批人不能是移出申请人 (the approver may not be the one who asked for the removal)"
)

// ApproveRemoval takes the entry off its list; a supervisor who did not ask for the removal
// decides (DESIGN.md, "Four eyes"). The publication version is raised, so that the public
// lists stop showing the entry at once (DESIGN.md: stop showing within three working days).
func (s *Service) ApproveRemoval(ctx context.Context, actor audit.Actor, id, note string) (*ListEntry, error) {
	const op = "registry.ApproveRemoval"
	note, err := checkNote(op, note, false)
	if err != nil {
		return nil, err
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, now time.Time) (entryStep, error) {
		if err := e.expect(op, needRemovalProposed, EntryRemovalProposed); err != nil {
			return entryStep{}, err
		}
		if err := notProposer(op, actor.Username, e.RemovalProposedBy, approverIsRemover); err != nil {
			return entryStep{}, err
		}
		e.State, e.RemovedAt = EntryRemoved, &now
		return entryStep{action: "approve_removal", note: note, publishes: true,
			detail: map[string]any{"removed_at": now, "removal_kind": e.RemovalKind}}, nil
	})
}

// RejectRemoval turns a removal down and leaves the entry published; it needs a note, and a
// supervisor who did not ask for the removal. The history keeps who asked and why.
func (s *Service) RejectRemoval(ctx context.Context, actor audit.Actor, id, note string) (*ListEntry, error) {
	const op = "registry.RejectRemoval"
	note, err := checkNote(op, note, true)
	if err != nil {
		return nil, err
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, _ time.Time) (entryStep, error) {
		if err := e.expect(op, needRemovalProposed, EntryRemovalProposed); err != nil {
			return entryStep{}, err
		}
		if err := notProposer(op, actor.Username, e.RemovalProposedBy, approverIsRemover); err != nil {
			return entryStep{}, err
		}
		e.State, e.RemovalProposedBy, e.RemovalKind, e.RemovalReason = EntryPublished, "", "", ""
		return entryStep{action: "reject_removal", note: note}, nil
	})
}

// RecordObjection records an enterprise's objection (异议) to a published entry. It must arrive
// within 30 days of publication, counted in days of Asia/Shanghai from the day of listing. Its
// acceptance is due within 5 working days of receipt and its review within 20 (DESIGN.md,
// "Objection"); see addWeekdays for how working days are counted.
func (s *Service) RecordObjection(
	ctx context.Context,
	actor audit.Actor,
	id string,
	in ObjectionInput,
) (*ListEntry, error) {
	const op = "registry.RecordObjection"
	text := strings.TrimSpace(in.Text)
	if fe := checkText("text", text, 2000, true); fe != nil {
		return nil, errs.Fields(op, *fe)
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, now time.Time) (entryStep, error) {
		received := now
		if in.ReceivedAt != nil {
			received = in.ReceivedAt.UTC().Truncate(time.Millisecond)
		}
		if err := e.mayObject(op, received, now); err != nil {
			return entryStep{}, err
		}
		o := Objection{
			ID: "O" + strconv.Itoa(len(e.Objections)+1), ReceivedAt: received, Text: text, RecordedBy: actor.Username,
			AcceptBy: addWeekdays(received, objectionAcceptDays), ReviewBy: addWeekdays(received, objectionReviewDays),
		}
		e.Objections = append(e.Objections, o)
		return entryStep{action: "record_objection", note: o.ID, detail: map[string]any{"objection": o}}, nil
	})
}

// DecideObjection records the outcome of an objection, with the reasons. An upheld objection
// does not change the entry by itself: its removal is proposed and approved like any other,
// on the ground objection_upheld, which needs no waiting period.
func (s *Service) DecideObjection(
	ctx context.Context,
	actor audit.Actor,
	id, objectionID string,
	in ObjectionDecision,
) (*ListEntry, error) {
	const op = "registry.DecideObjection"
	if in.Outcome != ObjectionUpheld && in.Outcome != ObjectionDismissed {
		return nil, errs.Fields(op, entryField("outcome",
			"结论应为 upheld（成立）或 dismissed（不成立）(outcome must be upheld or dismissed)"))
	}
	note, err := checkNote(op, in.Note, true)
	if err != nil {
		return nil, err
	}
	return s.changeEntry(ctx, actor, op, id, func(e *ListEntry, now time.Time) (entryStep, error) {
		i := slices.IndexFunc(e.Objections, func(o Objection) bool { return o.ID == objectionID })
		if i < 0 {
			return entryStep{}, errs.E(errs.NotFound, op, "该条目没有这项异议 (no such objection on this entry)")
		}
		o := &e.Objections[i]
		if o.Outcome != "" {
			return entryStep{}, errs.E(errs.Conflict, op, "该异议已有结论 (the objection is already decided)")
		}
		o.Outcome, o.DecidedAt, o.DecidedBy, o.DecisionNote = in.Outcome, &now, actor.Username, note
		return entryStep{action: "decide_objection", note: o.ID + " " + in.Outcome + "：" + note,
			detail: map[string]any{"objection": *o}}, nil
	})
}

// Entry returns one list entry with its whole history.
func (s *Service) Entry(ctx context.Context, id string) (*ListEntry, error) {
	const op = "registry.Entry"
	if id == "" || len(id) > 64 {
		return nil, errNoEntry
	}
	st, err := s.entries(op)
	if err != nil {
		return nil, err
	}
	return st.GetEntry(ctx, id)
}

var errNoEntry = errs.E(errs.NotFound, "registry.Entry", "没有这个名单条目 (no such list entry)")

// ListEntries returns one page of entries matching q. Grey entries whose review date has
// come, and black entries at the end of their three years, are found with ReviewDue.
func (s *Service) ListEntries(ctx context.Context, q ListEntryQuery) (ListEntryPage, error) {
	const op = "registry.ListEntries"
	if fe := q.check(); len(fe) > 0 {
		return ListEntryPage{}, errs.Fields(op, fe...)
	}
	st, err := s.entries(op)
	if err != nil {
		return ListEntryPage{}, err
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	if q.ReviewDue {
		q.State, q.DueAt = EntryPublished, s.now().UTC()
	}
	want := q.Limit
	q.Limit++
	items, err := st.ListEntries(ctx, q)
	if err != nil {
		return ListEntryPage{}, err
	}
	page := ListEntryPage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		last := items[want-1]
		page.Next = &EntryCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return page, nil
}

// EntriesOf returns an enterprise's list entries for its dossier, newest first: at most 20,
// its open entries always among them.
func (s *Service) EntriesOf(ctx context.Context, uscc string) ([]ListEntry, error) {
	const op = "registry.EntriesOf"
	code, err := ParseUSCC(uscc)
	if err != nil {
		return nil, errNoEnterprise
	}
	st, err := s.entries(op)
	if err != nil {
		return nil, err
	}
	items, err := st.EntriesOf(ctx, code, dossierEntries)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, func(a, b ListEntry) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return items, nil
}
