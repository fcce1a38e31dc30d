package enforcement

import (
	"time"

	"prepaidreg/registry"
)

// Operation is a joint on-site enforcement operation (联合执法) led by one department with
// others taking part, at a set of target enterprises on one day.
type Operation struct {
	ID             string          `json:"id" bson:"_id"`
	Title          string          `json:"title" bson:"title"`
	LegalBasis     string          `json:"legal_basis" bson:"legal_basis"`
	LeadDepartment Department      `json:"lead_department" bson:"lead_department"`
	Departments    []Department    `json:"departments" bson:"departments"`
	Targets        []registry.USCC `json:"targets" bson:"targets"`
	// Date is the day of the operation, "2006-01-02" in Asia/Shanghai.
	Date      string    `json:"date" bson:"date"`
	Version   int64     `json:"version" bson:"version"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	CreatedBy string    `json:"created_by" bson:"created_by"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}

// Inspector is one person who inspected, and the department they came from.
type Inspector struct {
	Name       string     `json:"name" bson:"name"`
	Department Department `json:"department" bson:"department"`
	// BadgeNumber is their law-enforcement certificate number (执法证号).
	BadgeNumber string `json:"badge_number" bson:"badge_number"`
}

// FindingCategory classifies what an inspection found.
type FindingCategory string

// Finding categories.
const (
	FindingNoFiling          FindingCategory = "no_filing"           // prepaid business not filed
	FindingFundsNotDeposited FindingCategory = "funds_not_deposited" // supervised deposit short
	FindingCardOverLimit     FindingCategory = "card_over_limit"     // card face value over the limit
	FindingFalseAdvertising  FindingCategory = "false_advertising"
	FindingUnfairTerms       FindingCategory = "unfair_terms"
	FindingRefundRefused     FindingCategory = "refund_refused"
	FindingNoLicence         FindingCategory = "no_licence"
	FindingClosed            FindingCategory = "closed"
	FindingOther             FindingCategory = "other"
)

// Finding is one thing found on site, with references to its evidence files.
type Finding struct {
	Category    FindingCategory `json:"category" bson:"category"`
	Description string          `json:"description" bson:"description"`
	Evidence    []string        `json:"evidence" bson:"evidence"`
}

// MeasureKind is what was done about a finding.
type MeasureKind string

// Measure kinds.
const (
	MeasureRectify  MeasureKind = "rectify"  // order to rectify by a deadline
	MeasureFine     MeasureKind = "fine"     // administrative penalty: a fine
	MeasureReferral MeasureKind = "referral" // case referred to another department
	MeasureSeal     MeasureKind = "seal"     // store sealed
)

// Measure is one measure taken. Deadline goes with rectify; AmountFen and DecisionNumber with
// fine; ReferredTo with referral.
type Measure struct {
	Kind           MeasureKind `json:"kind" bson:"kind"`
	Deadline       *time.Time  `json:"deadline,omitempty" bson:"deadline,omitempty"`
	AmountFen      int64       `json:"amount_fen,omitempty" bson:"amount_fen,omitempty"`
	DecisionNumber string      `json:"decision_number,omitempty" bson:"decision_number,omitempty"`
	ReferredTo     Department  `json:"referred_to,omitempty" bson:"referred_to,omitempty"`
	Note           string      `json:"note,omitempty" bson:"note,omitempty"`
}

// Acknowledgement is the enterprise representative's answer to the record: signed, or refused
// to sign (noted by the inspectors).
type Acknowledgement struct {
	Name    string    `json:"name" bson:"name"`
	Role    string    `json:"role" bson:"role"`
	At      time.Time `json:"at" bson:"at"`
	Refused bool      `json:"refused" bson:"refused"`
	Note    string    `json:"note,omitempty" bson:"note,omitempty"`
}

// Inspection is the on-site inspection record (检查记录) of one target of an operation. Its id
// is the operation's id and the USCC, so each target has one record.
type Inspection struct {
	ID              string           `json:"id" bson:"_id"`
	OperationID     string           `json:"operation_id" bson:"operation_id"`
	USCC            registry.USCC    `json:"uscc" bson:"uscc"`
	InspectedAt     time.Time        `json:"inspected_at" bson:"inspected_at"`
	Address         string           `json:"address" bson:"address"`
	Inspectors      []Inspector      `json:"inspectors" bson:"inspectors"`
	Findings        []Finding        `json:"findings" bson:"findings"`
	Measures        []Measure        `json:"measures" bson:"measures"`
	Acknowledgement *Acknowledgement `json:"acknowledgement,omitempty" bson:"acknowledgement,omitempty"`
	Version         int64            `json:"version" bson:"version"`
	RecordedAt      time.Time        `json:"recorded_at" bson:"recorded_at"`
	RecordedBy      string           `json:"recorded_by" bson:"recorded_by"`
}
