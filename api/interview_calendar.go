package api

import (
	"slices"
	"strings"
	"time"

	"prepaidreg/enforcement"
	"prepaidreg/internal/workday"
)

// calendarSpan is what a calendar page shows: a week from Monday, or a month in whole weeks.
type calendarSpan string

const (
	spanWeek  calendarSpan = "week"
	spanMonth calendarSpan = "month"
)

// calendarBy is what a week's rows are: rooms or officials.
type calendarBy string

const (
	byRoom     calendarBy = "room"
	byOfficial calendarBy = "official"
)

// calendarDay is one day column or cell of the calendar.
type calendarDay struct {
	Date    time.Time
	Label   string // "9月28日 周一"
	Workday bool
	Holiday string
	// Adjusted marks a weekend day that is a working day because a holiday was moved (调休上班).
	Adjusted bool
	// Key is the day as "2006-01-02", for links and the page's markup.
	Key     string
	InMonth bool
	Today   bool
}

// calendarEntry is one interview as the calendar shows it.
type calendarEntry struct {
	ID    string
	Path  string
	Time  string // "09:00–10:00"
	Title string // enterprise names
	Room  string
	State enforcement.State
	Label string // state in Chinese
}

// calendarRow is one room or official across the days of a week.
type calendarRow struct {
	Key   string
	Label string
	Cells [][]calendarEntry // one list per day, in time order
}

// calendarWeek is one line of a month: seven days and each day's interviews.
type calendarWeek struct {
	Days  []calendarDay
	Cells [][]calendarEntry
}

// calendarView is a week or month of interviews, laid out for the template.
type calendarView struct {
	Span     calendarSpan
	By       calendarBy
	Title    string
	From, To time.Time // first day shown, and the day after the last
	Prev     time.Time
	Next     time.Time
	Days     []calendarDay // week: the seven columns
	Rows     []calendarRow // week: one row per room or official
	Weeks    []calendarWeek
	Empty    bool
	Anchor   string
}

var weekdayLabels = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// calendarRange returns the first day shown and the day after the last, for a span around
// the anchor day: the week from its Monday, or the month's whole weeks.
func calendarRange(span calendarSpan, anchor time.Time) (from, to time.Time) {
	day := workday.Day(anchor)
	if span == spanMonth {
		first := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, workday.Zone)
		last := first.AddDate(0, 1, -1)
		return mondayOf(first), mondayOf(last).AddDate(0, 0, 7)
	}
	from = mondayOf(day)
	return from, from.AddDate(0, 0, 7)
}

func mondayOf(d time.Time) time.Time {
	back := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -back)
}

// buildCalendar lays out interviews for one span. names gives enterprises' names by USCC and
// officials' names by id; cal marks working days and holidays.
func buildCalendar(
	span calendarSpan,
	by calendarBy,
	anchor, now time.Time,
	ivs []enforcement.Interview,
	enterpriseNames, officialNames map[string]string,
	cal *workday.Calendar,
) calendarView {
	from, to := calendarRange(span, anchor)
	v := calendarView{Span: span, By: by, From: from, To: to, Empty: len(ivs) == 0,
		Anchor: workday.Day(anchor).Format(time.DateOnly)}
	today := workday.Day(now)
	dayOf := func(d time.Time) calendarDay {
		name, holiday := cal.Holiday(d)
		if !holiday {
			name = ""
		}
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		return calendarDay{Date: d, Label: d.Format("1月2日") + " " + weekdayLabels[d.Weekday()],
			Workday: cal.IsWorkday(d), Holiday: name, Adjusted: weekend && cal.IsWorkday(d),
			Key: d.Format(time.DateOnly), InMonth: d.Month() == workday.Day(anchor).Month(),
			Today: d.Equal(today)}
	}
	sorted := slices.Clone(ivs)
	slices.SortStableFunc(sorted, func(a, b enforcement.Interview) int { return a.StartsAt.Compare(b.StartsAt) })
	entryOf := func(iv enforcement.Interview) calendarEntry {
		names := make([]string, 0, len(iv.Enterprises))
		for _, u := range iv.Enterprises {
			names = append(names, nameOr(enterpriseNames, string(u)))
		}
		start, end := iv.StartsAt.In(workday.Zone), iv.EndsAt.In(workday.Zone)
		return calendarEntry{ID: iv.ID, Path: "/console/interviews/" + iv.ID,
			Time: start.Format("15:04") + "–" + end.Format("15:04"), Title: strings.Join(names, "、"),
			Room: iv.Room, State: iv.State, Label: iv.State.Label()}
	}
	index := func(t time.Time) int { return int(workday.Day(t).Sub(from).Hours()+12) / 24 }

	if span == spanMonth {
		d := workday.Day(anchor)
		v.Title = d.Format("2006年1月")
		// From the first of the month: a month on from 31 March is not 1 May.
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, workday.Zone)
		v.Prev, v.Next = first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
		days := int(to.Sub(from).Hours()+12) / 24
		cells := make([][]calendarEntry, days)
		for _, iv := range sorted {
			if i := index(iv.StartsAt); i >= 0 && i < days {
				cells[i] = append(cells[i], entryOf(iv))
			}
		}
		for w := 0; w < days/7; w++ {
			week := calendarWeek{Cells: cells[w*7 : w*7+7]}
			for i := 0; i < 7; i++ {
				week.Days = append(week.Days, dayOf(from.AddDate(0, 0, w*7+i)))
			}
			v.Weeks = append(v.Weeks, week)
		}
		return v
	}

	v.Title = from.Format("2006年1月2日") + " — " + to.AddDate(0, 0, -1).Format("1月2日")
	v.Prev, v.Next = from.AddDate(0, 0, -7), from.AddDate(0, 0, 7)
	for i := 0; i < 7; i++ {
		v.Days = append(v.Days, dayOf(from.AddDate(0, 0, i)))
	}
	rows := map[string]*calendarRow{}
	var order []string
	rowFor := func(key, label string) *calendarRow {
		if r, ok := rows[key]; ok {
			return r
		}
		r := &calendarRow{Key: key, Label: label, Cells: make([][]calendarEntry, 7)}
		rows[key] = r
		order = append(order, key)
		return r
	}
	for _, iv := range sorted {
		i := index(iv.StartsAt)
		if i < 0 || i >= 7 {
			continue
		}
		for _, key := range rowKeys(iv, by) {
			label := key
			if by == byOfficial {
				label = nameOr(officialNames, key)
			}
			r := rowFor(key, label)
			r.Cells[i] = append(r.Cells[i], entryOf(iv))
		}
	}
	slices.SortStableFunc(order, func(a, b string) int { return strings.Compare(rows[a].Label, rows[b].Label) })
	for _, k := range order {
		v.Rows = append(v.Rows, *rows[k])
	}
	return v
}

// rowKeys are the rows an interview appears in: its room (视频 when it has none), or each of
// its officials.
func rowKeys(iv enforcement.Interview, by calendarBy) []string {
	if by == byOfficial {
		return iv.Officials
	}
	if iv.Room == "" {
		return []string{"视频约谈"}
	}
	return []string{iv.Room}
}

func nameOr(names map[string]string, key string) string {
	if n := names[key]; n != "" {
		return n
	}
	return key
}
