package enforcement

import (
	"fmt"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
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

// Label returns the state's name in Chinese, as the console and the dossier show it.
func (s State) Label() string {
	switch s {
	case StateScheduled:
		return "已安排"
	case StateNotified:
		return "已通知"
	case StateHeld:
		return "已约谈"
	case StateNoShow:
		return "未到场"
	case StateCancelled:
		return "已取消"
	case StateRectificationDue:
		return "整改中"
	case StateRectified:
		return "已整改"
	case StateNotRectified:
		return "逾期未整改"
	default:
		return string(s)
	}
}

// Valid says whether r is one of the known attendee roles.
func (r AttendeeRole) Valid() bool {
	switch r {
	case AttendeeLegalRepresentative, AttendeeManager, AttendeeFinance, AttendeeOther:
		return true
	}
	return false
}

// DefaultLegalBasis is the legal basis a notice cites unless the regulator names another.
const DefaultLegalBasis = "《北京市单用途预付卡管理条例》"

// Duration limits of one interview: it fits within one working day.
const (
	MinDurationMinutes = 15
	MaxDurationMinutes = 480
)

// InterviewInput is what a regulator gives to schedule an interview. EndsAt may be sent
// instead of, or together with, DurationMinutes; the two must agree.
type InterviewInput struct {
	Enterprises     []string     `json:"enterprises"`
	Reason          string       `json:"reason"`
	Reasons         Reasons      `json:"reasons"`
	LegalBasis      string       `json:"legal_basis"`
	StartsAt        time.Time    `json:"starts_at"`
	EndsAt          *time.Time   `json:"ends_at,omitempty"`
	DurationMinutes int          `json:"duration_minutes"`
	Room            string       `json:"room"`
	VideoLink       string       `json:"video_link"`
	Departments     []Department `json:"departments"`
	Officials       []string     `json:"officials"`
	Attendees       []Attendee   `json:"attendees"`
	Materials       []string     `json:"materials"`
	Contact         string       `json:"contact"`
}

// RescheduleInput moves an interview: a new time, place or panel. Empty fields keep what the
// interview has; Room and VideoLink are replaced together when either is given.
type RescheduleInput struct {
	StartsAt        time.Time `json:"starts_at"`
	DurationMinutes int       `json:"duration_minutes"`
	Room            *string   `json:"room"`
	VideoLink       *string   `json:"video_link"`
	Officials       []string  `json:"officials"`
	Note            string    `json:"note"`
}

// RectificationInput is what the enterprise committed to at the interview and by when.
type RectificationInput struct {
	Commitments []string  `json:"commitments"`
	Deadline    time.Time `json:"deadline"`
	Note        string    `json:"note"`
}

// InterviewQuery selects interviews for a calendar view; zero fields do not filter. From and
// To bound the start time (From included, To excluded).
type InterviewQuery struct {
	From     time.Time
	To       time.Time
	Room     string
	Official string
	USCC     registry.USCC
	State    State
	Limit    int
}

// ClashError says that an interview would take a room, an official or an enterprise that
// another active interview holds at an overlapping time. It unwraps to an errs.Conflict whose
// message names the other interview, so the API answers 409 with it.
type ClashError struct {
	// InterviewID is the interview that already holds the resource.
	InterviewID string
	// Resource is "room", "official" or "enterprise"; Name is the room, official id or USCC.
	Resource string
	Name     string
	err      error
}

// Error returns the message with the clashing interview's id.
func (e *ClashError) Error() string { return e.err.Error() }

// Unwrap returns the Conflict error.
func (e *ClashError) Unwrap() error { return e.err }

// busy indexes active interviews by what they hold: a room, an official, an enterprise.
type busy map[string][]*Interview

const (
	resRoom       = "room"
	resOfficial   = "official"
	resEnterprise = "enterprise"
)

func busyKey(resource, name string) string { return resource + "\x00" + name }

func newBusy(active []Interview) busy {
	b := busy{}
	for i := range active {
		b.add(&active[i])
	}
	return b
}

// add records what iv holds.
func (b busy) add(iv *Interview) {
	if room := strings.TrimSpace(iv.Room); room != "" {
		b[busyKey(resRoom, room)] = append(b[busyKey(resRoom, room)], iv)
	}
	for _, o := range iv.Officials {
		b[busyKey(resOfficial, o)] = append(b[busyKey(resOfficial, o)], iv)
	}
	for _, e := range iv.Enterprises {
		b[busyKey(resEnterprise, string(e))] = append(b[busyKey(resEnterprise, string(e))], iv)
	}
}

// holder returns an active interview other than self that holds the resource at a time
// overlapping [start, end), or nil.
func (b busy) holder(resource, name, self string, start, end time.Time) *Interview {
	for _, other := range b[busyKey(resource, name)] {
		if other.ID != self && other.State.Active() && other.StartsAt.Before(end) && start.Before(other.EndsAt) {
			return other
		}
	}
	return nil
}

// clash returns the first thing iv would take from another active interview: its room, one
// of its officials, one of its enterprises.
func (b busy) clash(iv *Interview) (other *Interview, resource, name string) {
	if room := strings.TrimSpace(iv.Room); room != "" {
		if o := b.holder(resRoom, room, iv.ID, iv.StartsAt, iv.EndsAt); o != nil {
			return o, resRoom, room
		}
	}
	for _, id := range iv.Officials {
		if o := b.holder(resOfficial, id, iv.ID, iv.StartsAt, iv.EndsAt); o != nil {
			return o, resOfficial, id
		}
	}
	for _, e := range iv.Enterprises {
		if o := b.holder(resEnterprise, string(e), iv.ID, iv.StartsAt, iv.EndsAt); o != nil {
			return o, resEnterprise, string(e)
		}
	}
	return nil, "", ""
}

// clashOf refuses iv with a *ClashError when it takes what another active interview holds.
func clashOf(op string, iv *Interview, b busy, officials map[string]Official) error {
	other, resource, name := b.clash(iv)
	if other == nil {
		return nil
	}
	var what string
	switch resource {
	case resRoom:
		what = fmt.Sprintf("约谈室 %s 已被占用 (room %s taken)", name, name)
	case resOfficial:
		label := name
		if o, ok := officials[name]; ok {
			label = o.Name + "（" + name + "）"
		}
		what = fmt.Sprintf("约谈人员 %s 已有安排 (official %s busy)", label, name)
	default:
		what = fmt.Sprintf("企业 %s 已有约谈 (enterprise %s already booked)", name, name)
	}
	when := other.StartsAt.In(workday.Zone).Format("2006-01-02 15:04") + "–" +
		other.EndsAt.In(workday.Zone).Format("15:04")
	msg := fmt.Sprintf("与约谈 %s（%s）冲突：%s (clashes with interview %s)", other.ID, when, what, other.ID)
	return &ClashError{InterviewID: other.ID, Resource: resource, Name: name, err: errs.E(errs.Conflict, op, msg)}
}
