package registry

import "time"

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
}

// ListEntry is a grey or black list decision with its whole history. The published fields
// (PublicEntry) are a fixed subset of it.
type ListEntry struct {
	ID             string     `json:"id" bson:"_id"`
	USCC           USCC       `json:"uscc" bson:"uscc"`
	Name           string     `json:"name" bson:"name"`
	FormerNames    []string   `json:"former_names" bson:"former_names"`
	Address        string     `json:"address" bson:"address"`
	District       string     `json:"district" bson:"district"`
	Industry       Industry   `json:"industry" bson:"industry"`
	Kind           ListKind   `json:"kind" bson:"kind"`
	State          EntryState `json:"state" bson:"state"`
	Reason         string     `json:"reason" bson:"reason"`
	LegalBasis     string     `json:"legal_basis" bson:"legal_basis"`
	Evidence       []Evidence `json:"evidence" bson:"evidence"`
	Authority      string     `json:"authority" bson:"authority"`
	DecisionNumber string     `json:"decision_number" bson:"decision_number"`
	ProposedBy     string     `json:"proposed_by" bson:"proposed_by"`
	ApprovedBy     string     `json:"approved_by,omitempty" bson:"approved_by,omitempty"`
	ListedAt       *time.Time `json:"listed_at" bson:"listed_at,omitempty"`
	ReviewAt       *time.Time `json:"review_at" bson:"review_at,omitempty"`
	RemovedAt      *time.Time `json:"removed_at" bson:"removed_at,omitempty"`
	RemovalReason  string     `json:"removal_reason,omitempty" bson:"removal_reason,omitempty"`
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
