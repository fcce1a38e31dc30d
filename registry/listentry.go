package registry

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/errs"
)

// ListKind is the list an entry is on: the black list (严重违法失信名单, enterprises that
// took prepayments and vanished or collapsed) or the grey list (a consumer warning for
// high-risk enterprises).
type ListKind string

// The lists.
const (
	ListBlack ListKind = "black"
	ListGrey  ListKind = "grey"
)

// Label returns the list's Chinese name.
func (k ListKind) Label() string {
	switch k {
	case ListBlack:
		return "黑名单"
	case ListGrey:
		return "灰名单"
	}
	return ""
}

// EntryState is where a list entry stands in its procedure.
type EntryState string

// The entry states. An entry is proposed by one user and approved (published) or rejected by
// a supervisor who is not the proposer; a published entry is removed by the same four-eyes
// path (removal_proposed, then removed). Nothing is deleted.
const (
	EntryProposed        EntryState = "proposed"
	EntryPublished       EntryState = "published"
	EntryRejected        EntryState = "rejected"
	EntryWithdrawn       EntryState = "withdrawn"
	EntryRemovalProposed EntryState = "removal_proposed"
	EntryRemoved         EntryState = "removed"
)

// Label returns the state's Chinese name.
func (s EntryState) Label() string { return entryStateLabels[s] }

var entryStateLabels = map[EntryState]string{
	EntryProposed:        "待审批",
	EntryPublished:       "已公示",
	EntryRejected:        "已驳回",
	EntryWithdrawn:       "已撤回",
	EntryRemovalProposed: "移出待审批",
	EntryRemoved:         "已移出",
}

// Valid reports whether s is one of the entry states.
func (s EntryState) Valid() bool { _, ok := entryStateLabels[s]; return ok }

// Open reports whether an entry in state s still stands or may still come to stand: proposed,
// published, or published with a removal pending. An enterprise has at most one open entry of
// each kind.
func (s EntryState) Open() bool {
	return s == EntryProposed || s == EntryPublished || s == EntryRemovalProposed
}

// Listed reports whether an entry in state s is on the published list.
func (s EntryState) Listed() bool { return s == EntryPublished || s == EntryRemovalProposed }

// Evidence is one record a list decision rests on.
type Evidence struct {
	// Kind is "complaint", "interview", "inspection", "assessment" or "document".
	Kind string `json:"kind" bson:"kind"`
	ID   string `json:"id" bson:"id"`
	Note string `json:"note,omitempty" bson:"note,omitempty"`
}

// EntryEvent is one step of an entry's history: who did what, when, and why.
type EntryEvent struct {
	At     time.Time  `json:"at" bson:"at"`
	By     string     `json:"by" bson:"by"`
	Action string     `json:"action" bson:"action"`
	From   EntryState `json:"from,omitempty" bson:"from,omitempty"`
	To     EntryState `json:"to" bson:"to"`
	Note   string     `json:"note,omitempty" bson:"note,omitempty"`
}

// Objection is an enterprise's objection (异议) to a published entry.
type Objection struct {
	ID         string     `json:"id" bson:"id"`
	ReceivedAt time.Time  `json:"received_at" bson:"received_at"`
	Text       string     `json:"text" bson:"text"`
	AcceptBy   time.Time  `json:"accept_by" bson:"accept_by"`
	ReviewBy   time.Time  `json:"review_by" bson:"review_by"`
	Outcome    string     `json:"outcome,omitempty" bson:"outcome,omitempty"`
	DecidedAt  *time.Time `json:"decided_at,omitempty" bson:"decided_at,omitempty"`
	DecidedBy  string     `json:"decided_by,omitempty" bson:"decided_by,omitempty"`
	// RecordedBy is the regulator who recorded the objection on receipt.
	RecordedBy string `json:"recorded_by" bson:"recorded_by"`
	// DecisionNote gives the reasons for the outcome.
	DecisionNote string `json:"decision_note,omitempty" bson:"decision_note,omitempty"`
}

// ListEntry is a grey or black list decision with its whole history. The published fields
// (PublicEntry) are a fixed subset of it.
type ListEntry struct {
	ID          string     `json:"id" bson:"_id"`
	USCC        USCC       `json:"uscc" bson:"uscc"`
	Name        string     `json:"name" bson:"name"`
	FormerNames []string   `json:"former_names" bson:"former_names"`
	Address     string     `json:"address" bson:"address"`
	District    string     `json:"district" bson:"district"`
	Industry    Industry   `json:"industry" bson:"industry"`
	Kind        ListKind   `json:"kind" bson:"kind"`
	State       EntryState `json:"state" bson:"state"`
	Reason      string     `json:"reason" bson:"reason"`
	LegalBasis  string     `json:"legal_basis" bson:"legal_basis"`
	// LegalBasisCode is the code of the legal basis chosen from LegalBases, or "" when the
	// legal basis was written as free text.
	LegalBasisCode string `json:"legal_basis_code,omitempty" bson:"legal_basis_code,omitempty"`
	// ManualJudgement marks a grey entry that rests on a regulator's own risk judgement,
	// written out in Reason, rather than on a high or critical risk assessment.
	ManualJudgement bool       `json:"manual_judgement" bson:"manual_judgement"`
	Evidence        []Evidence `json:"evidence" bson:"evidence"`
	Authority       string     `json:"authority" bson:"authority"`
	DecisionNumber  string     `json:"decision_number" bson:"decision_number"`
	ProposedBy      string     `json:"proposed_by" bson:"proposed_by"`
	ApprovedBy      string     `json:"approved_by,omitempty" bson:"approved_by,omitempty"`
	// ListedAt is the date of publication: the moment a supervisor approved the entry.
	ListedAt *time.Time `json:"listed_at" bson:"listed_at,omitempty"`
	// ReviewAt is when a grey entry comes up for review (DESIGN.md: a set period, default six
	// months) and, for a black entry, the end of its three-year period, after which it is to be
	// removed (art. 8 rules: removal is automatic after three years).
	ReviewAt      *time.Time `json:"review_at" bson:"review_at,omitempty"`
	RemovedAt     *time.Time `json:"removed_at" bson:"removed_at,omitempty"`
	RemovalReason string     `json:"removal_reason,omitempty" bson:"removal_reason,omitempty"`
	// RemovalKind is the ground of the pending or granted removal.
	RemovalKind RemovalKind `json:"removal_kind,omitempty" bson:"removal_kind,omitempty"`
	// RemovalProposedBy is the proposer of a removal, who may not approve it.
	RemovalProposedBy string       `json:"removal_proposed_by,omitempty" bson:"removal_proposed_by,omitempty"`
	Objections        []Objection  `json:"objections" bson:"objections"`
	History           []EntryEvent `json:"history" bson:"history"`
	Version           int64        `json:"version" bson:"version"`
	CreatedAt         time.Time    `json:"created_at" bson:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at" bson:"updated_at"`
}

// PublicEntry is what the public sees of a published or removed entry (DESIGN.md,
// "Publication"): never a consumer's data, never internal scores or notes.
type PublicEntry struct {
	ID             string     `json:"id"`
	Kind           ListKind   `json:"kind"`
	Name           string     `json:"name"`
	USCC           USCC       `json:"uscc"`
	Address        string     `json:"address"`
	District       string     `json:"district"`
	Industry       Industry   `json:"industry"`
	Reason         string     `json:"reason"`
	LegalBasis     string     `json:"legal_basis"`
	Authority      string     `json:"authority"`
	DecisionNumber string     `json:"decision_number"`
	ListedAt       *time.Time `json:"listed_at"`
	RemovedAt      *time.Time `json:"removed_at"`
}

// Public returns the entry's published fields.
func (e *ListEntry) Public() PublicEntry {
	return PublicEntry{
		ID: e.ID, Kind: e.Kind, Name: e.Name, USCC: e.USCC, Address: e.Address, District: e.District,
		Industry: e.Industry, Reason: e.Reason, LegalBasis: e.LegalBasis, Authority: e.Authority,
		DecisionNumber: e.DecisionNumber, ListedAt: e.ListedAt, RemovedAt: e.RemovedAt,
	}
}

// LegalBasis is one of the legal bases a proposal may cite by its code.
type LegalBasis struct {
	Code string   `json:"code"`
	Kind ListKind `json:"kind"`
	// Text is the basis as the decision and the publication cite it.
	Text string `json:"text"`
}

// The codes of LegalBases.
const (
	BasisAbsconded    = "black-absconded"
	BasisTwicePenal   = "black-twice-penalised"
	BasisGreyHighRisk = "grey-high-risk"
)

// LegalBases are the legal bases a regulator chooses from (DESIGN.md, "Domain rules"): the
// black-list grounds and the grey-list basis. A grey proposal may instead cite a basis in its
// own words; a black one must cite one of the grounds.
var LegalBases = []LegalBasis{
	{Code: BasisAbsconded, Kind: ListBlack,
		Text: "《市场监督管理严重违法失信名单管理办法》第八条：收取预付款后停业、歇业或迁址逃避义务，且经核查无法联系"},
	{Code: BasisTwicePenal, Kind: ListBlack,
		Text: "上海地方规定：一年内两次因预付式消费违法行为受到行政处罚"},
	{Code: BasisGreyHighRisk, Kind: ListGrey,
		Text: "风险评估为高或极高风险，经审核列入消费提示（灰名单）"},
}

// LegalBasisByCode returns the legal basis with the code, if there is one.
func LegalBasisByCode(code string) (LegalBasis, bool) {
	for _, b := range LegalBases {
		if b.Code == code {
			return b, true
		}
	}
	return LegalBasis{}, false
}

// RemovalKind is the ground on which an entry is taken off its list.
type RemovalKind string

// The removal grounds.
const (
	// RemovalCreditRepair is credit repair (信用修复): the enterprise has met its obligations.
	RemovalCreditRepair RemovalKind = "credit_repair"
	// RemovalEndOfPeriod is the end of the period: a grey entry's review date or a black
	// entry's three years.
	RemovalEndOfPeriod RemovalKind = "end_of_period"
	// RemovalObjectionUpheld follows an objection that was upheld.
	RemovalObjectionUpheld RemovalKind = "objection_upheld"
	// RemovalOther is any other ground, stated in the note.
	RemovalOther RemovalKind = "other"
)

var removalLabels = map[RemovalKind]string{
	RemovalCreditRepair:    "信用修复",
	RemovalEndOfPeriod:     "期满移出",
	RemovalObjectionUpheld: "异议成立",
	RemovalOther:           "其他",
}

// Label returns the ground's Chinese name.
func (k RemovalKind) Label() string { return removalLabels[k] }

// Valid reports whether k is one of the removal grounds.
func (k RemovalKind) Valid() bool { _, ok := removalLabels[k]; return ok }

// The outcomes of an objection.
const (
	ObjectionUpheld    = "upheld"
	ObjectionDismissed = "dismissed"
)

// ProposalInput is what a regulator fills in to propose a list entry.
type ProposalInput struct {
	USCC   string   `json:"uscc"`
	Kind   ListKind `json:"kind"`
	Reason string   `json:"reason"`
	// LegalBasisCode chooses a basis from LegalBases; LegalBasis states one in free text
	// instead, which only a grey proposal may do. A grey proposal with neither cites the
	// grey-list basis.
	LegalBasisCode string `json:"legal_basis_code"`
	LegalBasis     string `json:"legal_basis"`
	// ManualJudgement marks a grey proposal resting on the regulator's own risk judgement,
	// written out in Reason, instead of on a high or critical risk assessment.
	ManualJudgement bool       `json:"manual_judgement"`
	Evidence        []Evidence `json:"evidence"`
	Authority       string     `json:"authority"`
	DecisionNumber  string     `json:"decision_number"`
}

// manualJudgementMin is the fewest characters in which a reason must explain a manual
// judgement, so that a grey entry never rests on a bare word.
const manualJudgementMin = 10

// maxEvidence bounds the evidence one entry cites.
const maxEvidence = 50

var evidenceKinds = []string{"complaint", "interview", "inspection", "assessment", "document"}

func (in *ProposalInput) normalise() {
	texts := []*string{&in.USCC, &in.Reason, &in.LegalBasisCode, &in.LegalBasis, &in.Authority, &in.DecisionNumber}
	for _, p := range texts {
		*p = strings.TrimSpace(*p)
	}
	if in.Evidence == nil {
		in.Evidence = []Evidence{}
	}
	for i := range in.Evidence {
		ev := &in.Evidence[i]
		ev.Kind, ev.ID, ev.Note = strings.TrimSpace(ev.Kind), strings.TrimSpace(ev.ID), strings.TrimSpace(ev.Note)
	}
}

// check returns the enterprise's code and the chosen legal basis, or what is wrong with the
// proposal's fields.
func (in ProposalInput) check() (USCC, LegalBasis, []errs.FieldError) {
	var fe []errs.FieldError
	add := func(e *errs.FieldError) {
		if e != nil {
			fe = append(fe, *e)
		}
	}
	uscc, err := ParseUSCC(in.USCC)
	if err != nil {
		fe = append(fe, entryField("uscc", err.Error()))
	}
	if in.Kind != ListBlack && in.Kind != ListGrey {
		fe = append(fe, entryField("kind", "名单类型应为 black 或 grey (kind must be black or grey)"))
	}
	add(checkText("reason", in.Reason, 2000, true))
	add(checkText("authority", in.Authority, 100, true))
	add(checkText("decision_number", in.DecisionNumber, 100, true))
	add(checkText("legal_basis", in.LegalBasis, 500, false))
	basis, bfe := in.legalBasis()
	fe = append(fe, bfe...)
	fe = append(fe, in.checkGrounds()...)
	return uscc, basis, fe
}

// legalBasis resolves the chosen legal basis. A black entry cites one of the black-list
// grounds (DESIGN.md, "Black list"); a grey one cites the grey-list basis or its own words.
func (in ProposalInput) legalBasis() (LegalBasis, []errs.FieldError) {
	bad := func(field, msg string) (LegalBasis, []errs.FieldError) {
		return LegalBasis{}, []errs.FieldError{{Field: field, Message: msg}}
	}
	if in.LegalBasisCode == "" {
		switch {
		case in.Kind == ListBlack:
			return bad("legal_basis_code", "黑名单须引用所列黑名单事由之一："+basisCodes(ListBlack)+
				" (a black-list entry must cite one of the black-list grounds)")
		case in.Kind == ListGrey && in.LegalBasis == "":
			basis, _ := LegalBasisByCode(BasisGreyHighRisk)
			return basis, nil
		}
		return LegalBasis{}, nil
	}
	basis, ok := LegalBasisByCode(in.LegalBasisCode)
	switch {
	case !ok:
		return bad("legal_basis_code", "未知的法律依据代码；可选："+basisCodes("")+" (unknown legal basis code)")
	case in.LegalBasis != "":
		return bad("legal_basis", "已选择法律依据代码，请勿再填写自由文本 (give a basis code or a text, not both)")
	case in.Kind != "" && basis.Kind != in.Kind:
		return bad("legal_basis_code", fmt.Sprintf("该依据适用于%s，不适用于%s (basis is for the %s list)",
			basis.Kind.Label(), in.Kind.Label(), basis.Kind))
	}
	return basis, nil
}

// basisCodes lists the codes of the legal bases of a kind, or of all when kind is "".
func basisCodes(kind ListKind) string {
	var codes []string
	for _, b := range LegalBases {
		if kind == "" || b.Kind == kind {
			codes = append(codes, b.Code)
		}
	}
	return strings.Join(codes, "、")
}

// checkGrounds checks the evidence's shape and what each list needs: a black entry at least
// one piece of evidence, a manual judgement a grey entry and a reason that explains it.
func (in ProposalInput) checkGrounds() []errs.FieldError {
	var fe []errs.FieldError
	if len(in.Evidence) > maxEvidence {
		fe = append(fe, entryField("evidence",
			fmt.Sprintf("最多附%d项证据 (at most %d pieces of evidence)", maxEvidence, maxEvidence)))
	}
	seen := map[Evidence]bool{}
	for i, ev := range in.Evidence {
		at := fmt.Sprintf("evidence[%d]", i)
		if !slices.Contains(evidenceKinds, ev.Kind) {
			fe = append(fe, entryField(at+".kind",
				"证据类型应为 "+strings.Join(evidenceKinds, "、")+" 之一 (unknown evidence kind)"))
		}
		if e := checkText(at+".id", ev.ID, 100, true); e != nil {
			fe = append(fe, *e)
		}
		if e := checkText(at+".note", ev.Note, 500, false); e != nil {
			fe = append(fe, *e)
		}
		key := Evidence{Kind: ev.Kind, ID: ev.ID}
		if seen[key] {
			fe = append(fe, entryField(at, "重复的证据 (evidence cited twice)"))
		}
		seen[key] = true
	}
	switch {
	case in.Kind == ListBlack && len(in.Evidence) == 0:
		fe = append(fe, entryField("evidence",
			"黑名单须附至少一项证据 (a black-list entry needs at least one piece of evidence)"))
	case in.Kind == ListBlack && in.ManualJudgement:
		fe = append(fe, entryField("manual_judgement",
			"人工研判只适用于灰名单 (a manual judgement is for the grey list only)"))
	case in.Kind == ListGrey && in.ManualJudgement && in.Reason != "" &&
		utf8.RuneCountInString(in.Reason) < manualJudgementMin:
		fe = append(fe, entryField("reason", fmt.Sprintf(
			"人工研判须在理由中写明判断依据，至少%d个字 (explain a manual judgement in at least %d characters)",
			manualJudgementMin, manualJudgementMin)))
	}
	return fe
}

// blackListYears is how long a black entry stands: removal is automatic after three years
// (《市场监督管理严重违法失信名单管理办法》).
const blackListYears = 3

// earlyRemovalYears is how long a black entry stands before its early removal may be asked
// (DESIGN.md: after one year, once obligations are met).
const earlyRemovalYears = 1

// objectionDays is the period after publication in which an enterprise may object
// (DESIGN.md, "Objection": within 30 days).
const objectionDays = 30

// The deadlines of an objection, in working days after its receipt (DESIGN.md, "Objection").
const (
	objectionAcceptDays = 5
	objectionReviewDays = 20
)

// maxObjections bounds the objections one entry keeps, so that its document stays small.
const maxObjections = 20

// expect refuses a step unless the entry is in one of the states, saying what the step needs
// and where the entry stands.
func (e *ListEntry) expect(op, need string, states ...EntryState) error {
	if slices.Contains(states, e.State) {
		return nil
	}
	return errs.E(errs.Conflict, op, fmt.Sprintf("%s；该条目当前为“%s” (entry is %s)", need, e.State.Label(), e.State))
}

// notProposer refuses a decision by the one who proposed it (DESIGN.md, "Four eyes").
func notProposer(op, decider, proposer, msg string) error {
	if decider == proposer {
		return errs.E(errs.Forbidden, op, msg)
	}
	return nil
}

// RemovalInput asks for a published entry to be taken off its list.
type RemovalInput struct {
	Reason RemovalKind `json:"reason"`
	// Note explains the ground; it may be left out only at the end of the period.
	Note string `json:"note"`
}

func (in RemovalInput) check(op string) (string, error) {
	if !in.Reason.Valid() {
		return "", errs.Fields(op, entryField("reason",
			"移出理由应为 credit_repair、end_of_period、objection_upheld、other 之一 (unknown removal ground)"))
	}
	return checkNote(op, in.Note, in.Reason != RemovalEndOfPeriod)
}

// mayRemove applies the timing rules of removal at now.
func (e *ListEntry) mayRemove(op string, kind RemovalKind, now time.Time) error {
	switch {
	case kind == RemovalEndOfPeriod && e.ReviewAt != nil && now.Before(*e.ReviewAt):
		return errs.E(errs.Conflict, op, fmt.Sprintf("期限未满，%s方可期满移出 (the period ends on %s)",
			dayText(*e.ReviewAt), dayText(*e.ReviewAt)))
	case kind == RemovalObjectionUpheld && !e.hasUpheldObjection():
		return errs.E(errs.Conflict, op, "该条目没有成立的异议 (no objection against this entry was upheld)")
	case e.Kind == ListBlack && (kind == RemovalCreditRepair || kind == RemovalOther):
		from := e.ListedAt.In(shanghai).AddDate(earlyRemovalYears, 0, 0)
		if now.Before(from) {
			return errs.E(errs.Conflict, op, fmt.Sprintf("黑名单列入满一年后方可申请提前移出，最早%s "+
				"(early removal of a black entry may be asked from %s)", dayText(from), dayText(from)))
		}
	}
	return nil
}

func (e *ListEntry) hasUpheldObjection() bool {
	for _, o := range e.Objections {
		if o.Outcome == ObjectionUpheld {
			return true
		}
	}
	return false
}

// dayText shows t's day in Asia/Shanghai.
func dayText(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }

// ObjectionInput is an enterprise's objection as a regulator records it on receipt.
type ObjectionInput struct {
	Text string `json:"text"`
	// ReceivedAt is when the objection reached the bureau; the present moment when left out.
	ReceivedAt *time.Time `json:"received_at"`
}

// mayObject checks an objection received at received against the entry and the objection
// period.
func (e *ListEntry) mayObject(op string, received, now time.Time) error {
	if err := e.expect(op, "只能对已公示的条目提出异议 (only a published entry can be objected to)",
		EntryPublished, EntryRemovalProposed); err != nil {
		return err
	}
	if received.After(now) {
		return errs.Fields(op, entryField("received_at", "收到时间不能晚于现在 (received time is in the future)"))
	}
	if received.Before(*e.ListedAt) {
		return errs.Fields(op, entryField("received_at",
			"收到时间早于公示时间 (received before the entry was published)"))
	}
	if last := objectionDeadline(*e.ListedAt); received.After(last) {
		return errs.E(errs.Conflict, op, fmt.Sprintf("异议期已过：应在公示后%d日内（%s前）提出 "+
			"(objections were due within %d days of publication, by %s)",
			objectionDays, dayText(last), objectionDays, dayText(last)))
	}
	if len(e.Objections) >= maxObjections {
		return errs.E(errs.Conflict, op, fmt.Sprintf("每个条目最多记录%d项异议 (at most %d objections per entry)",
			maxObjections, maxObjections))
	}
	return nil
}

// objectionDeadline is the last moment of the objection period: the end of the 30th day after
// the day of listing, in Asia/Shanghai.
func objectionDeadline(listed time.Time) time.Time {
	return endOfDay(listed.In(shanghai).AddDate(0, 0, objectionDays))
}

// addWeekdays returns the end of the n-th working day after t's day, in Asia/Shanghai.
//
// Working days are counted as Monday to Friday. The project has no official holiday calendar
// yet (DESIGN.md wants one, with public holidays and adjusted working weekends, from a data
// file), so a public holiday counts here as a working day and an adjusted working Saturday
// does not; deadlines that span a holiday come out earlier than the official ones.
func addWeekdays(t time.Time, n int) time.Time {
	day := t.In(shanghai)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return endOfDay(day)
}

// endOfDay returns the last second of t's day in Asia/Shanghai, in UTC.
func endOfDay(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 23, 59, 59, 0, shanghai).UTC()
}

// ObjectionDecision is a supervisor's outcome of an objection.
type ObjectionDecision struct {
	// Outcome is "upheld" or "dismissed".
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// EntryCursor is where a page of entries ended.
type EntryCursor struct {
	CreatedAt time.Time
	ID        string
}

// ListEntryQuery selects list entries, newest first.
type ListEntryQuery struct {
	State EntryState
	Kind  ListKind
	USCC  USCC
	// ReviewDue selects published entries whose review date has come by DueAt; the service
	// sets DueAt to the present.
	ReviewDue bool
	DueAt     time.Time
	After     *EntryCursor
	Limit     int
}

// ListEntryPage is one page of entries.
type ListEntryPage struct {
	Items []ListEntry
	Next  *EntryCursor
}

func (q ListEntryQuery) check() []errs.FieldError {
	var fe []errs.FieldError
	if q.State != "" && !q.State.Valid() {
		fe = append(fe, entryField("state",
			"状态应为 proposed、published、rejected、withdrawn、removal_proposed、removed 之一 (unknown state)"))
	}
	if q.Kind != "" && q.Kind != ListBlack && q.Kind != ListGrey {
		fe = append(fe, entryField("kind", "名单类型应为 black 或 grey (kind must be black or grey)"))
	}
	if q.ReviewDue && q.State != "" && q.State != EntryPublished {
		fe = append(fe, entryField("review_due",
			"待复核只适用于已公示的条目 (review_due selects published entries only)"))
	}
	return fe
}

// checkNote trims a decision's note and checks it: at most 1,000 characters, and present when
// the rule asks for reasons.
func checkNote(op, note string, required bool) (string, error) {
	note = strings.TrimSpace(note)
	if required && note == "" {
		return "", errs.Fields(op, entryField("note", "请写明意见和理由 (a note giving the reasons is required)"))
	}
	if fe := checkText("note", note, 1000, required); fe != nil {
		return "", errs.Fields(op, *fe)
	}
	return note, nil
}

// checkText checks one text field: present when required, at most limit characters.
func checkText(field, v string, limit int, required bool) *errs.FieldError {
	switch {
	case required && v == "":
		fe := entryField(field, "请填写此项 (required)")
		return &fe
	case utf8.RuneCountInString(v) > limit:
		fe := entryField(field, fmt.Sprintf("最多%d个字 (at most %d characters)", limit, limit))
		return &fe
	}
	return nil
}

// entryField names a field of a list-entry request and says what is wrong with it.
func entryField(field, msg string) errs.FieldError {
	return errs.FieldError{Field: field, Message: msg}
}
