package mediation

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// State is where a case stands in the procedure.
type State string

// The states of a case (《市场监督管理投诉举报处理暂行办法》 and the People's Mediation Law).
const (
	StateSubmitted   State = "submitted"    // received, acceptance to be decided
	StateAccepted    State = "accepted"     // accepted, in the open pool until assigned
	StateRefused     State = "refused"      // not accepted, with the reason
	StateAssigned    State = "assigned"     // given to a mediation body and mediator
	StateInMediation State = "in_mediation" // sessions under way
	StateAgreement   State = "agreement"    // mediation agreement signed; performance to check
	StateEnded       State = "ended"        // ended without agreement (终止调解)
	StateWithdrawn   State = "withdrawn"    // the consumer withdrew
	StateReferred    State = "referred"     // referred on: arbitration, litigation, enforcement, court confirmation
	StateClosed      State = "closed"       // procedure over, or joined into a group case
)

// ClaimKind is what a consumer asks for.
type ClaimKind string

// Claim kinds.
const (
	ClaimRefund   ClaimKind = "refund"
	ClaimContinue ClaimKind = "continue_service"
	ClaimOther    ClaimKind = "other"
)

// CardKind is the kind of prepaid card or contract in dispute.
type CardKind string

// Card kinds (商务部《单用途商业预付卡管理办法》: anonymous cards up to 1,000 元, named cards up
// to 5,000 元); courses are sold by the lesson.
const (
	CardAnonymous CardKind = "anonymous"
	CardNamed     CardKind = "named"
	CardCourse    CardKind = "course"
	CardOther     CardKind = "other"
)

// Card is the contract or card a claim is about. Money is in fen.
type Card struct {
	Kind         CardKind `json:"type" bson:"kind"`
	FaceValueFen int64    `json:"face_value_fen" bson:"face_value_fen"`
	PaidFen      int64    `json:"paid_fen" bson:"paid_fen"`
	UsedFen      int64    `json:"used_fen" bson:"used_fen"`
	// BoughtOn is the day it was bought, "2006-01-02" in Asia/Shanghai.
	BoughtOn string `json:"bought_on" bson:"bought_on"`
	// Lessons and LessonsUsed describe a course sold by the lesson.
	Lessons     int `json:"lessons,omitempty" bson:"lessons,omitempty"`
	LessonsUsed int `json:"lessons_used,omitempty" bson:"lessons_used,omitempty"`
}

// Claim is one consumer's claim. A group case keeps each consumer's claim apart.
type Claim struct {
	ConsumerName  string    `json:"consumer_name" bson:"consumer_name"`
	ConsumerPhone string    `json:"consumer_phone" bson:"consumer_phone"`
	IDNumber      string    `json:"id_number,omitempty" bson:"id_number,omitempty"`
	Kind          ClaimKind `json:"claim" bson:"kind"`
	ClaimFen      int64     `json:"claim_fen" bson:"claim_fen"`
	Card          *Card     `json:"card,omitempty" bson:"card,omitempty"`
	ComplaintID   string    `json:"complaint_id,omitempty" bson:"complaint_id,omitempty"`
}

// Event is one entry of a case's timeline: who did what, when.
type Event struct {
	At   time.Time `json:"at" bson:"at"`
	By   string    `json:"by" bson:"by"`
	What string    `json:"what" bson:"what"` // e.g. "accept", "assign", "pause"
	Note string    `json:"note,omitempty" bson:"note,omitempty"`
}

// Pause is a stretch of the mediation clock stopped for testing or appraisal, which does not
// count towards the 45 working days; To is nil while it lasts.
type Pause struct {
	From   time.Time  `json:"from" bson:"from"`
	To     *time.Time `json:"to,omitempty" bson:"to,omitempty"`
	Reason string     `json:"reason" bson:"reason"`
}

// Side is a party to the negotiation.
type Side string

// Sides.
const (
	SideConsumer   Side = "consumer"
	SideEnterprise Side = "enterprise"
	SideMediator   Side = "mediator"
)

// Offer is one offer or counter-offer, kept in order.
type Offer struct {
	At        time.Time `json:"at" bson:"at"`
	Side      Side      `json:"side" bson:"side"`
	AmountFen int64     `json:"amount_fen" bson:"amount_fen"`
	Terms     string    `json:"terms" bson:"terms"`
}

// Session is one mediation session.
type Session struct {
	At        time.Time `json:"at" bson:"at"`
	Form      string    `json:"form" bson:"form"` // on_site, phone, video
	Attendees []string  `json:"attendees" bson:"attendees"`
	Notes     string    `json:"notes" bson:"notes"`
	Offers    []Offer   `json:"offers" bson:"offers"`
}

// Term is one obligation of an agreement: who pays whom how much, by when and how.
type Term struct {
	Payer     string `json:"payer" bson:"payer"`
	Payee     string `json:"payee" bson:"payee"`
	AmountFen int64  `json:"amount_fen" bson:"amount_fen"`
	DueOn     string `json:"due_on" bson:"due_on"` // "2006-01-02"
	Method    string `json:"method" bson:"method"`
}

// Agreement is the mediation agreement (调解协议) and the record of its performance.
type Agreement struct {
	Points   []string `json:"points" bson:"points"` // the points in dispute
	Terms    []Term   `json:"terms" bson:"terms"`
	TotalFen int64    `json:"total_fen" bson:"total_fen"`
	// OverClaimReason says why the agreement gives more than was claimed; it must be given
	// when it does.
	OverClaimReason string     `json:"over_claim_reason,omitempty" bson:"over_claim_reason,omitempty"`
	SignedAt        time.Time  `json:"signed_at" bson:"signed_at"`
	Performed       *bool      `json:"performed,omitempty" bson:"performed,omitempty"`
	PerformanceAt   *time.Time `json:"performance_checked_at,omitempty" bson:"performance_checked_at,omitempty"`
	PerformanceNote string     `json:"performance_note,omitempty" bson:"performance_note,omitempty"`
}

// Case is one dispute between consumers and an enterprise.
type Case struct {
	ID   string        `json:"id" bson:"_id"`
	USCC registry.USCC `json:"uscc" bson:"uscc"`
	// EnterpriseName is kept as the case was opened, for lists.
	EnterpriseName string            `json:"enterprise_name" bson:"enterprise_name"`
	Industry       registry.Industry `json:"industry" bson:"industry"`
	District       string            `json:"district" bson:"district"`
	Claims         []Claim           `json:"claims" bson:"claims"`
	Facts          string            `json:"facts" bson:"facts"`
	State          State             `json:"state" bson:"state"`
	SubmittedAt    time.Time         `json:"submitted_at" bson:"submitted_at"`
	AcceptedAt     *time.Time        `json:"accepted_at,omitempty" bson:"accepted_at,omitempty"`
	EndedAt        *time.Time        `json:"ended_at,omitempty" bson:"ended_at,omitempty"`
	// Body and Mediator are the mediation body and the mediator's username once assigned.
	Body     string `json:"body,omitempty" bson:"body,omitempty"`
	Mediator string `json:"mediator,omitempty" bson:"mediator,omitempty"`
	// RefusedByEnterprise marks a case the enterprise refused to take part in.
	RefusedByEnterprise bool       `json:"refused_by_enterprise" bson:"refused_by_enterprise"`
	Pauses              []Pause    `json:"pauses" bson:"pauses"`
	Sessions            []Session  `json:"sessions" bson:"sessions"`
	Agreement           *Agreement `json:"agreement,omitempty" bson:"agreement,omitempty"`
	// Outcome is the reason given for a refusal, an ending without agreement, a withdrawal or
	// a referral, and where a referral went.
	Outcome    string `json:"outcome,omitempty" bson:"outcome,omitempty"`
	ReferredTo string `json:"referred_to,omitempty" bson:"referred_to,omitempty"`
	// NextDeadline is the earliest deadline still open, for sorting a queue in one query.
	NextDeadline *time.Time `json:"next_deadline,omitempty" bson:"next_deadline,omitempty"`
	// QueueAt is NextDeadline, or the far future when nothing is due, so that one sorted query
	// lists the cases that wait for nothing last (MongoDB sorts a missing field first).
	QueueAt time.Time `json:"-" bson:"queue_at"`
	// AssignedAt is when the case was last given to a mediator; PartiesNotifiedAt when both
	// parties were told that mediation ended.
	AssignedAt        *time.Time `json:"assigned_at,omitempty" bson:"assigned_at,omitempty"`
	PartiesNotifiedAt *time.Time `json:"parties_notified_at,omitempty" bson:"parties_notified_at,omitempty"`
	// Ending is how mediation ended, kept when the case is closed: the risk score counts
	// mediations that failed.
	Ending Ending `json:"ending,omitempty" bson:"ending,omitempty"`
	// JoinedInto is the group case this case's claims were joined into.
	JoinedInto string `json:"joined_into,omitempty" bson:"joined_into,omitempty"`
	// Deadlines are computed when the case is read, never stored.
	Deadlines []Deadline `json:"deadlines" bson:"-"`
	Timeline  []Event    `json:"timeline" bson:"timeline"`
	Version   int64      `json:"version" bson:"version"`
	CreatedBy string     `json:"created_by" bson:"created_by"`
	UpdatedAt time.Time  `json:"updated_at" bson:"updated_at"`
}

// Ending is how a case's mediation ended.
type Ending string

// Endings.
const (
	EndingAgreement   Ending = "agreement"    // an agreement was signed
	EndingNoAgreement Ending = "no_agreement" // ended without agreement (终止调解)
	EndingWithdrawn   Ending = "withdrawn"    // the consumer withdrew
	EndingReferred    Ending = "referred"     // referred on: arbitration, litigation, enforcement, court confirmation
	EndingRefused     Ending = "refused"      // not accepted
	EndingJoined      Ending = "joined"       // joined into a group case
)

// Referral is where a case is referred to.
type Referral string

// Referrals: a dispute mediation cannot settle goes to arbitration or the courts, a violation
// found to enforcement; an agreement not performed may be taken to court for confirmation
// (司法确认, 《人民调解法》第三十三条) or to enforcement.
const (
	ReferArbitration       Referral = "arbitration"
	ReferLitigation        Referral = "litigation"
	ReferEnforcement       Referral = "enforcement"
	ReferCourtConfirmation Referral = "court_confirmation"
)

var referralLabels = map[Referral]string{
	ReferArbitration: "仲裁", ReferLitigation: "诉讼", ReferEnforcement: "行政执法", ReferCourtConfirmation: "司法确认",
}

// Label returns the referral's Chinese name.
func (r Referral) Label() string { return referralLabels[r] }

var stateLabels = map[State]string{
	StateSubmitted: "待受理", StateAccepted: "已受理待分派", StateRefused: "不予受理", StateAssigned: "已分派",
	StateInMediation: "调解中", StateAgreement: "已达成协议", StateEnded: "终止调解", StateWithdrawn: "已撤回",
	StateReferred: "已移送", StateClosed: "已结案",
}

// Label returns the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// openStates are the states of a case that still needs work; refused and closed cases do not.
var openStates = []State{
	StateSubmitted, StateAccepted, StateAssigned, StateInMediation, StateAgreement, StateEnded,
	StateWithdrawn, StateReferred,
}

// Open reports whether the case still needs work.
func (s State) Open() bool { return s != StateRefused && s != StateClosed }

// mediating reports whether the mediation clock runs in s: from acceptance until mediation
// ends.
func (s State) mediating() bool {
	return s == StateAccepted || s == StateAssigned || s == StateInMediation
}

// ClaimedFen is the total the consumers claim.
func (c *Case) ClaimedFen() int64 {
	var n int64
	for _, cl := range c.Claims {
		n += cl.ClaimFen
	}
	return n
}

// pausedNow returns the pause that lasts, or nil.
func (c *Case) pausedNow() *Pause {
	for i := range c.Pauses {
		if c.Pauses[i].To == nil {
			return &c.Pauses[i]
		}
	}
	return nil
}

func (c *Case) target() string { return "mediation_case/" + c.ID }

// MaxFen is the largest amount of money the module accepts, 10^13 fen (1000 亿元).
const MaxFen int64 = 10_000_000_000_000

// ClaimInput is one consumer's claim as it arrives.
type ClaimInput struct {
	ConsumerName  string    `json:"consumer_name"`
	ConsumerPhone string    `json:"consumer_phone"`
	IDNumber      string    `json:"id_number"`
	Claim         ClaimKind `json:"claim"`
	ClaimFen      int64     `json:"claim_fen"`
	Card          *Card     `json:"card"`
}

// OpenInput opens a case, from a complaint on file (ComplaintID: the consumer, the enterprise,
// the text and the amount are carried over) or directly (USCC and the consumer's claim).
// MoreClaims are further consumers with the same claim against the same enterprise: they
// make a group case that keeps each claim.
type OpenInput struct {
	ComplaintID   string       `json:"complaint_id"`
	USCC          string       `json:"uscc"`
	ConsumerName  string       `json:"consumer_name"`
	ConsumerPhone string       `json:"consumer_phone"`
	IDNumber      string       `json:"id_number"`
	Claim         ClaimKind    `json:"claim"`
	ClaimFen      int64        `json:"claim_fen"`
	Facts         string       `json:"facts"`
	Card          *Card        `json:"card"`
	MoreClaims    []ClaimInput `json:"more_claims"`
}

// OfferInput is one offer or counter-offer made at a session; At defaults to the session's
// time, and offers keep the order given.
type OfferInput struct {
	At        *time.Time `json:"at"`
	Side      Side       `json:"side"`
	AmountFen int64      `json:"amount_fen"`
	Terms     string     `json:"terms"`
}

// SessionInput records a mediation session held.
type SessionInput struct {
	At        time.Time    `json:"at"`
	Form      string       `json:"form"` // on_site, phone, video
	Attendees []string     `json:"attendees"`
	Notes     string       `json:"notes"`
	Offers    []OfferInput `json:"offers"`
}

// AgreementInput records a mediation agreement. The total is the sum of the terms; when it is
// more than the consumers claimed, OverClaimReason must say why.
type AgreementInput struct {
	Points          []string `json:"points"`
	Terms           []Term   `json:"terms"`
	OverClaimReason string   `json:"over_claim_reason"`
}

// Session forms.
var sessionForms = map[string]bool{"on_site": true, "phone": true, "video": true}

var (
	phonePattern = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)
	idPattern    = regexp.MustCompile(`^([0-9]{17}[0-9Xx]|[0-9]{15})$`)
)

// field names a field of a request and says what is wrong with it.
func field(name, msg string) errs.FieldError { return errs.FieldError{Field: name, Message: msg} }

// checkFen refuses a negative amount, zero where zero is not allowed, and more than MaxFen.
func checkFen(name string, v int64, zeroOK bool) []errs.FieldError {
	switch {
	case v < 0:
		return []errs.FieldError{field(name, "金额不能为负数 (a negative amount)")}
	case v == 0 && !zeroOK:
		return []errs.FieldError{field(name, "金额须大于零 (the amount must be more than zero)")}
	case v > MaxFen:
		return []errs.FieldError{field(name, "金额不能超过10^13分 (at most 10^13 fen)")}
	}
	return nil
}

// checkText trims text and checks its length; required text may not be empty.
func checkText(name, text string, required bool, most int) (string, []errs.FieldError) {
	text = strings.TrimSpace(text)
	if required && text == "" {
		return "", []errs.FieldError{field(name, "必填 (required)")}
	}
	if utf8.RuneCountInString(text) > most {
		return text, []errs.FieldError{field(name, fmt.Sprintf("不超过%d字 (at most %d characters)", most, most))}
	}
	return text, nil
}

// claimOf checks one consumer's claim; p prefixes the field names.
func claimOf(p string, in ClaimInput) (Claim, []errs.FieldError) {
	name, fe := checkText(p+"consumer_name", in.ConsumerName, true, 50)
	phone := strings.TrimSpace(in.ConsumerPhone)
	if !phonePattern.MatchString(phone) {
		fe = append(fe, field(p+"consumer_phone", "请填写正确的联系电话 (a phone number of 5 to 20 digits)"))
	}
	id := strings.ToUpper(strings.TrimSpace(in.IDNumber))
	if id != "" && !idPattern.MatchString(id) {
		fe = append(fe, field(p+"id_number", "身份证号应为18位（或15位旧号） (an 18-digit identity number)"))
	}
	switch in.Claim {
	case ClaimRefund:
		fe = append(fe, checkFen(p+"claim_fen", in.ClaimFen, false)...)
	case ClaimContinue, ClaimOther:
		fe = append(fe, checkFen(p+"claim_fen", in.ClaimFen, true)...)
	default:
		fe = append(fe, field(p+"claim", "请求应为 refund、continue_service 或 other (unknown claim)"))
	}
	fe = append(fe, checkCard(p+"card.", in.Card)...)
	return Claim{ConsumerName: name, ConsumerPhone: phone, IDNumber: id, Kind: in.Claim, ClaimFen: in.ClaimFen,
		Card: in.Card}, fe
}

// checkCard checks the card or contract a claim is about, if given.
func checkCard(p string, c *Card) []errs.FieldError {
	if c == nil {
		return nil
	}
	var fe []errs.FieldError
	switch c.Kind {
	case CardAnonymous, CardNamed, CardCourse, CardOther:
	default:
		fe = append(fe, field(p+"type", "卡类型应为 anonymous、named、course 或 other (unknown card type)"))
	}
	fe = append(fe, checkFen(p+"face_value_fen", c.FaceValueFen, true)...)
	fe = append(fe, checkFen(p+"paid_fen", c.PaidFen, true)...)
	fe = append(fe, checkFen(p+"used_fen", c.UsedFen, true)...)
	if c.UsedFen > c.PaidFen {
		fe = append(fe, field(p+"used_fen", "已消费金额不能超过实付金额 (more used than paid)"))
	}
	if _, err := time.ParseInLocation(time.DateOnly, c.BoughtOn, workday.Zone); err != nil {
		fe = append(fe, field(p+"bought_on", "购卡日期格式应为 2006-01-02 (a date)"))
	}
	if c.Lessons < 0 || c.LessonsUsed < 0 || c.LessonsUsed > c.Lessons {
		fe = append(fe, field(p+"lessons_used", "已上课时应在0至总课时之间 (lessons used out of range)"))
	}
	return fe
}
