package mediation

import (
	"fmt"
	"time"

	"prepaidreg/internal/workday"
)

// Deadline periods in working days (《市场监督管理投诉举报处理暂行办法》).
const (
	AcceptWorkdays    = 7  // accept or refuse a complaint within 7 working days of receiving it
	MediationWorkdays = 45 // mediation ends without agreement after 45 working days
	NotifyWorkdays    = 7  // both parties are told of the ending within 7 working days
	// NearWorkdays is how close a deadline is, in working days left, to be flagged near.
	NearWorkdays = 2
)

// TermExpired is the reason of an ending without agreement because the mediation period ran
// out; it is refused before the period has passed.
const TermExpired = "调解期限届满"

// DeadlineKind names a deadline.
type DeadlineKind string

// The deadlines of a case.
const (
	DeadlineAcceptance   DeadlineKind = "acceptance"
	DeadlineMediation    DeadlineKind = "mediation"
	DeadlineNotification DeadlineKind = "notification"
	DeadlinePerformance  DeadlineKind = "performance"
)

// DeadlineStatus says where a deadline stands.
type DeadlineStatus string

// Deadline statuses. A deadline met late stays overdue, with a note.
const (
	DeadlineOpen    DeadlineStatus = "open"
	DeadlineMet     DeadlineStatus = "met"
	DeadlineNear    DeadlineStatus = "near" // open, at most NearWorkdays working days left
	DeadlineOverdue DeadlineStatus = "overdue"
)

// Deadline is one deadline of a case: the rule it follows, the day it falls due (the last day
// allowed, in Asia/Shanghai) and where it stands.
type Deadline struct {
	Kind   DeadlineKind   `json:"kind"`
	Rule   string         `json:"rule"`
	Due    string         `json:"due"` // "2006-01-02"
	Status DeadlineStatus `json:"status"`
	// WorkdaysLeft counts the working days after today up to the due day; negative once
	// passed. It is 0 for a deadline met.
	WorkdaysLeft int    `json:"workdays_left"`
	Note         string `json:"note,omitempty"`

	due  time.Time
	done bool
}

const ruleSource = "（《市场监督管理投诉举报处理暂行办法》）"

// Deadlines computes a case's deadlines at now with the service's calendar, in the order they
// arise: acceptance, mediation, notification of an ending, performance of an agreement.
func (s *Service) Deadlines(c *Case, now time.Time) []Deadline { return deadlines(s.calendar, c, now) }

func deadlines(cal *workday.Calendar, c *Case, now time.Time) []Deadline {
	out := []Deadline{acceptanceDeadline(cal, c)}
	if c.AcceptedAt != nil {
		out = append(out, mediationDeadline(cal, c, now))
	}
	if c.Ending == EndingNoAgreement && c.EndedAt != nil {
		d := Deadline{Kind: DeadlineNotification, Rule: fmt.Sprintf("告知终止：调解终止后%d个工作日内告知双方%s",
			NotifyWorkdays, ruleSource), due: cal.AddWorkdays(*c.EndedAt, NotifyWorkdays)}
		out = append(out, d.finish(c.PartiesNotifiedAt))
	}
	if a := c.Agreement; a != nil {
		if due, ok := lastDue(a.Terms); ok {
			d := Deadline{Kind: DeadlinePerformance,
				Rule: "协议履行：按调解协议约定的期限履行（《中华人民共和国人民调解法》第三十一条）", due: due}
			out = append(out, d.finish(a.PerformanceAt))
		}
	}
	for i := range out {
		out[i].status(cal, now)
	}
	return out
}

func acceptanceDeadline(cal *workday.Calendar, c *Case) Deadline {
	d := Deadline{Kind: DeadlineAcceptance,
		Rule: fmt.Sprintf("受理决定：收到后%d个工作日内%s", AcceptWorkdays, ruleSource),
		due:  cal.AddWorkdays(c.SubmittedAt, AcceptWorkdays)}
	decided := c.AcceptedAt
	if c.State == StateRefused || (decided == nil && c.Ending == EndingRefused) {
		decided = c.EndedAt
	}
	if decided == nil && c.Ending != "" {
		// Joined or withdrawn before a decision: nothing is left to decide.
		decided = c.EndedAt
	}
	return d.finish(decided)
}

// mediationDeadline is the 45 working days from acceptance, moved on by the working days the
// clock was paused for testing or appraisal, which do not count.
func mediationDeadline(cal *workday.Calendar, c *Case, now time.Time) Deadline {
	paused, running := PausedWorkdays(cal, c.Pauses, now)
	d := Deadline{Kind: DeadlineMediation,
		Rule: fmt.Sprintf("调解期限：受理后%d个工作日内，检测、鉴定期间不计入%s", MediationWorkdays, ruleSource),
		due:  cal.AddWorkdays(*c.AcceptedAt, MediationWorkdays+paused)}
	if paused > 0 {
		d.Note = fmt.Sprintf("中止%d个工作日，期限相应顺延", paused)
	}
	if running {
		d.Note = "计时中止中（检测、鉴定），" + d.Note
	}
	var ended *time.Time
	switch {
	case c.Agreement != nil:
		ended = &c.Agreement.SignedAt
	case !c.State.mediating():
		ended = c.EndedAt
	}
	if ended == nil {
		return d
	}
	// Reaching the end of the period is what ends mediation without agreement: an ending on
	// or after the due day is the rule applied, not a deadline missed.
	d.done = true
	d.Status = DeadlineMet
	if workday.Day(*ended).After(d.due) {
		d.Note = "期限届满后终止"
	}
	return d
}

// PausedWorkdays counts the working days the mediation clock was stopped, a pause still under
// way counted up to now, and says whether one is.
func PausedWorkdays(cal *workday.Calendar, pauses []Pause, now time.Time) (n int, running bool) {
	for _, p := range pauses {
		to := now
		if p.To != nil {
			to = *p.To
		} else {
			running = true
		}
		n += max(cal.Between(p.From, to), 0)
	}
	return n, running
}

// finish marks the deadline done at at, if at is set.
func (d Deadline) finish(at *time.Time) Deadline {
	if at == nil {
		return d
	}
	d.done = true
	d.Status = DeadlineMet
	if workday.Day(*at).After(d.due) {
		d.Status = DeadlineOverdue
		d.Note = "逾期完成（" + at.In(workday.Zone).Format(time.DateOnly) + "）"
	}
	return d
}

// status fills in the due day, the working days left and, for an open deadline, its status.
func (d *Deadline) status(cal *workday.Calendar, now time.Time) {
	d.Due = d.due.Format(time.DateOnly)
	if d.done {
		return
	}
	d.WorkdaysLeft = cal.Between(now, d.due)
	switch {
	case workday.Day(now).After(d.due):
		d.Status = DeadlineOverdue
		if d.WorkdaysLeft == 0 {
			d.WorkdaysLeft = -1 // passed over a weekend or holiday
		}
	case d.WorkdaysLeft <= NearWorkdays:
		d.Status = DeadlineNear
	default:
		d.Status = DeadlineOpen
	}
}

// mediationDue returns the last day of the mediation period at now, and whether the clock is
// paused.
func mediationDue(cal *workday.Calendar, c *Case, now time.Time) (time.Time, bool) {
	paused, running := PausedWorkdays(cal, c.Pauses, now)
	return cal.AddWorkdays(*c.AcceptedAt, MediationWorkdays+paused), running
}

// lastDue returns the latest due day of an agreement's terms.
func lastDue(terms []Term) (time.Time, bool) {
	var last time.Time
	for _, t := range terms {
		d, err := time.ParseInLocation(time.DateOnly, t.DueOn, workday.Zone)
		if err == nil && d.After(last) {
			last = d
		}
	}
	return last, !last.IsZero()
}

// farFuture sorts a case with nothing due after every case with a deadline.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// refreshDeadlines computes c's deadlines at now and keeps NextDeadline, the earliest one
// still open, and the queue's sort key up to date.
func refreshDeadlines(cal *workday.Calendar, c *Case, now time.Time) {
	c.Deadlines = deadlines(cal, c, now)
	c.NextDeadline, c.QueueAt = nil, farFuture
	if !c.State.Open() {
		return
	}
	for _, d := range c.Deadlines {
		if d.done {
			continue
		}
		if c.NextDeadline == nil || d.due.Before(*c.NextDeadline) {
			due := d.due.UTC()
			c.NextDeadline = &due
		}
	}
	if c.NextDeadline != nil {
		c.QueueAt = *c.NextDeadline
	}
}

// flag is the most urgent status of a case's open deadlines: overdue, near, or "".
func flag(ds []Deadline) DeadlineStatus {
	var out DeadlineStatus
	for _, d := range ds {
		if d.done {
			continue
		}
		switch d.Status {
		case DeadlineOverdue:
			return DeadlineOverdue
		case DeadlineNear:
			out = DeadlineNear
		}
	}
	return out
}
