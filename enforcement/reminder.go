package enforcement

import (
	"context"
	"slices"
	"time"

	"prepaidreg/internal/workday"
)

// Reminder is a reminder to send on a working day about an interview on the next working
// day: to the officials who conduct it and, through its notice, to the enterprise.
type Reminder struct {
	Interview Interview `json:"interview"`
	// Day is the interview's day, and Due the day the reminder is due, the working day
	// before; both at the start of the day in Asia/Shanghai.
	Day       time.Time  `json:"day"`
	Due       time.Time  `json:"due"`
	Officials []Official `json:"officials"`
}

// Reminders returns the reminders due on day: one per scheduled or notified interview whose
// day is the next working day after day, by the official calendar. On a Friday before a long
// weekend they are for the Monday after it; on a day off none fall due, since they were due on
// the working day before. It costs two reads.
func (s *Service) Reminders(ctx context.Context, day time.Time) ([]Reminder, error) {
	if !s.calendar.IsWorkday(day) {
		return []Reminder{}, nil
	}
	due := workday.Day(day)
	next := s.calendar.NextWorkday(day)
	active, err := s.store.ActiveInterviews(ctx, next.UTC(), next.AddDate(0, 0, 1).UTC())
	if err != nil {
		return nil, err
	}
	var ivs []Interview
	var ids []string
	for _, iv := range active {
		if workday.Day(iv.StartsAt).Equal(next) {
			ivs = append(ivs, iv)
			ids = append(ids, iv.Officials...)
		}
	}
	if len(ivs) == 0 {
		return []Reminder{}, nil
	}

	officials, err := s.store.OfficialsByID(ctx, dedupe(ids))
	if err != nil {
		return nil, err
	}
	out := make([]Reminder, 0, len(ivs))
	for _, iv := range ivs {
		r := Reminder{Interview: iv, Day: next, Due: due, Officials: []Official{}}
		for _, o := range officials {
			if slices.Contains(iv.Officials, o.ID) {
				r.Officials = append(r.Officials, o)
			}
		}
		out = append(out, r)
	}
	return out, nil
}
