package mediation

import (
	"time"

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
	StateReferred    State = "referred"     // referred to arbitration, litigation or enforcement
	StateClosed      State = "closed"
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
	Timeline     []Event    `json:"timeline" bson:"timeline"`
	Version      int64      `json:"version" bson:"version"`
	CreatedBy    string     `json:"created_by" bson:"created_by"`
	UpdatedAt    time.Time  `json:"updated_at" bson:"updated_at"`
}
