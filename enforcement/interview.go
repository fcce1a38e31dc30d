package enforcement

import (
	"time"

	"prepaidreg/registry"
)

// State is where an interview stands in its procedure.
type State string

// The states of an interview. Scheduled and notified interviews hold their room, officials
// and enterprises; the others do not.
const (
	StateScheduled        State = "scheduled"
	StateNotified         State = "notified"
	StateHeld             State = "held"
	StateNoShow           State = "no_show"
	StateCancelled        State = "cancelled"
	StateRectificationDue State = "rectification_due"
	StateRectified        State = "rectified"
	StateNotRectified     State = "not_rectified"
)

// Active says whether an interview in state s is still to take place.
func (s State) Active() bool { return s == StateScheduled || s == StateNotified }

// AttendeeRole is who the enterprise must send.
type AttendeeRole string

// The people an enterprise may be asked to send.
const (
	AttendeeLegalRepresentative AttendeeRole = "legal_representative"
	AttendeeManager             AttendeeRole = "manager"
	AttendeeFinance             AttendeeRole = "finance"
	AttendeeOther               AttendeeRole = "other"
)

// Attendee is one person the enterprise is expected to send; Name may be empty when the
// notice asks for a role only.
type Attendee struct {
	Role AttendeeRole `json:"role" bson:"role"`
	Name string       `json:"name,omitempty" bson:"name,omitempty"`
}

// Reasons links an interview to what prompted it.
type Reasons struct {
	Complaints  []string `json:"complaints,omitempty" bson:"complaints,omitempty"`
	Warnings    []string `json:"warnings,omitempty" bson:"warnings,omitempty"`
	Assessments []string `json:"assessments,omitempty" bson:"assessments,omitempty"`
}

// Step is one change of an interview's state: who, when, and what they said.
type Step struct {
	State State     `json:"state" bson:"state"`
	At    time.Time `json:"at" bson:"at"`
	By    string    `json:"by" bson:"by"`
	Note  string    `json:"note,omitempty" bson:"note,omitempty"`
}

// Rectification is what the enterprise committed to at the interview, by when, and how a
// regulator found it afterwards.
type Rectification struct {
	Commitments []string   `json:"commitments" bson:"commitments"`
	Deadline    time.Time  `json:"deadline" bson:"deadline"`
	CheckedAt   *time.Time `json:"checked_at,omitempty" bson:"checked_at,omitempty"`
	CheckedBy   string     `json:"checked_by,omitempty" bson:"checked_by,omitempty"`
	Finding     string     `json:"finding,omitempty" bson:"finding,omitempty"`
}

// Interview is an administrative interview (行政约谈) with one enterprise, or several for a
// collective interview.
type Interview struct {
	ID string `json:"id" bson:"_id"`
	// NoticeNumber is the number printed on its notice, e.g. 京朝市监约〔2026〕第0153号:
	// numbered per year in the order interviews are scheduled.
	NoticeNumber string          `json:"notice_number" bson:"notice_number"`
	Enterprises  []registry.USCC `json:"enterprises" bson:"enterprises"`
	// Reason is the plain statement the notice gives; Reasons links the records behind it.
	Reason          string       `json:"reason" bson:"reason"`
	Reasons         Reasons      `json:"reasons" bson:"reasons"`
	LegalBasis      string       `json:"legal_basis" bson:"legal_basis"`
	StartsAt        time.Time    `json:"starts_at" bson:"starts_at"`
	EndsAt          time.Time    `json:"ends_at" bson:"ends_at"`
	DurationMinutes int          `json:"duration_minutes" bson:"duration_minutes"`
	Room            string       `json:"room" bson:"room"`
	VideoLink       string       `json:"video_link" bson:"video_link"`
	Departments     []Department `json:"departments" bson:"departments"`
	// Officials are the ids of the officials who conduct it.
	Officials []string   `json:"officials" bson:"officials"`
	Attendees []Attendee `json:"attendees" bson:"attendees"`
	// Materials is what the enterprise must bring.
	Materials []string `json:"materials" bson:"materials"`
	// Contact is who the enterprise calls about the interview, with a phone number.
	Contact string `json:"contact" bson:"contact"`

	State         State          `json:"state" bson:"state"`
	CampaignID    string         `json:"campaign_id,omitempty" bson:"campaign_id,omitempty"`
	Outcome       string         `json:"outcome,omitempty" bson:"outcome,omitempty"`
	Rectification *Rectification `json:"rectification,omitempty" bson:"rectification,omitempty"`
	History       []Step         `json:"history" bson:"history"`
	// Sequence is the iCalendar SEQUENCE: raised each time the time, place or state that the
	// invitation shows changes.
	Sequence int `json:"sequence" bson:"sequence"`

	Version   int64     `json:"version" bson:"version"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	CreatedBy string    `json:"created_by" bson:"created_by"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}
