// Package workday knows the official working-day calendar of mainland China: Monday to
// Friday are working days except public holidays, and some weekend days are working days
// because a holiday was moved (调休上班). Deadlines "in working days" (complaint handling,
// list decisions, interview reminders) are counted with it, in Asia/Shanghai.
//
// The calendar comes from a data file, one entry per year as the State Council's yearly
// notice gives it. A year the file does not cover counts Monday to Friday only; Covers says
// whether a day's year is known, so that a deadline reaching past the data can say so.
package workday

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database
)

// Zone is the time zone working days are counted in.
var Zone = mustLoadZone("Asia/Shanghai")

func mustLoadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

//go:embed data/cn-holidays.json
var defaultData []byte

// Data is the calendar file's shape.
type Data struct {
	Description string `json:"description,omitempty"`
	Years       []Year `json:"years"`
}

// Year is one year's holidays and adjusted working days, as its notice gives them.
type Year struct {
	Year     int       `json:"year"`
	Notice   string    `json:"notice"`
	Holidays []Holiday `json:"holidays"`
	Workdays []Workday `json:"workdays"`
}

// Holiday is a run of days off, from and to inclusive ("2006-01-02").
type Holiday struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Workday is a weekend day that is a working day.
type Workday struct {
	Name string `json:"name"`
	Date string `json:"date"`
}

// Calendar answers which days are working days. It is safe for concurrent use; Replace swaps
// in a new year's file without stopping readers.
type Calendar struct {
	t atomic.Pointer[tables]
}

// tables are one calendar file, parsed.
type tables struct {
	data     Data
	years    map[int]bool
	holidays map[string]string
	workdays map[string]string
}

// Default returns the calendar shipped with the program.
func Default() *Calendar {
	c, err := Parse(defaultData)
	if err != nil {
		panic(fmt.Sprintf("workday: shipped calendar is invalid: %v", err))
	}
	return c
}

// Parse reads a calendar file and checks it: each year once, dates inside their year, holiday
// runs that end on or after they start and last at most 15 days, adjusted working days that
// fall on a weekend, and no day both a holiday and a working day.
func Parse(b []byte) (*Calendar, error) {
	t, err := parse(b)
	if err != nil {
		return nil, err
	}
	c := &Calendar{}
	c.t.Store(t)
	return c, nil
}

// Replace checks a new calendar file and puts it in force. It refuses a file that leaves out a
// year the calendar in force has: deadlines already counted with that year would change.
func (c *Calendar) Replace(b []byte) error {
	t, err := c.check(b)
	if err != nil {
		return err
	}
	c.t.Store(t)
	return nil
}

// Check says whether Replace would accept b, without replacing anything.
func (c *Calendar) Check(b []byte) error {
	_, err := c.check(b)
	return err
}

func (c *Calendar) check(b []byte) (*tables, error) {
	t, err := parse(b)
	if err != nil {
		return nil, err
	}
	for y := range c.t.Load().years {
		if !t.years[y] {
			return nil, fmt.Errorf("the file leaves out %d, which the calendar in force has", y)
		}
	}
	return t, nil
}

func parse(b []byte) (*tables, error) {
	var d Data
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("calendar file is not valid JSON of the expected shape: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("calendar file has more than one JSON value")
	}
	t := &tables{data: d, years: map[int]bool{}, holidays: map[string]string{}, workdays: map[string]string{}}
	for _, y := range d.Years {
		if err := t.addYear(y); err != nil {
			return nil, fmt.Errorf("year %d: %w", y.Year, err)
		}
	}
	return t, nil
}

func (c *tables) addYear(y Year) error {
	if y.Year < 2000 || y.Year > 2100 {
		return fmt.Errorf("year out of range")
	}
	if c.years[y.Year] {
		return fmt.Errorf("listed twice")
	}
	c.years[y.Year] = true
	for _, h := range y.Holidays {
		from, err := parseDay(h.From, y.Year)
		if err != nil {
			return fmt.Errorf("holiday %q: from: %w", h.Name, err)
		}
		to, err := parseDay(h.To, y.Year)
		if err != nil {
			return fmt.Errorf("holiday %q: to: %w", h.Name, err)
		}
		if to.Before(from) || to.Sub(from) > 14*24*time.Hour {
			return fmt.Errorf("holiday %q: runs from %s to %s", h.Name, h.From, h.To)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			c.holidays[key(d)] = h.Name
		}
	}
	for _, w := range y.Workdays {
		d, err := parseDay(w.Date, y.Year)
		if err != nil {
			return fmt.Errorf("working day %q: %w", w.Name, err)
		}
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("working day %s is a %s, not a weekend day", w.Date, wd)
		}
		if _, clash := c.holidays[key(d)]; clash {
			return fmt.Errorf("%s is both a holiday and a working day", w.Date)
		}
		c.workdays[key(d)] = w.Name
	}
	return nil
}

func parseDay(s string, year int) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, s, Zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2006-01-02)", s)
	}
	if d.Year() != year {
		return time.Time{}, fmt.Errorf("%s is not in %d", s, year)
	}
	return d, nil
}

// Data returns the calendar's file contents.
func (c *Calendar) Data() Data { return c.t.Load().data }

// Years returns the years the calendar has notices for, in order.
func (c *Calendar) Years() []int {
	years := c.t.Load().years
	out := make([]int, 0, len(years))
	for y := range years {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// Covers says whether the calendar has the notice for t's year (in Asia/Shanghai).
func (c *Calendar) Covers(t time.Time) bool { return c.t.Load().years[t.In(Zone).Year()] }

// IsWorkday says whether t's day in Asia/Shanghai is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	k, tab := key(t), c.t.Load()
	if _, off := tab.holidays[k]; off {
		return false
	}
	if _, on := tab.workdays[k]; on {
		return true
	}
	wd := t.In(Zone).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Holiday returns the name of the holiday t's day falls in, if it does.
func (c *Calendar) Holiday(t time.Time) (string, bool) {
	name, ok := c.t.Load().holidays[key(t)]
	return name, ok
}

// Day returns the start of t's day in Asia/Shanghai.
func Day(t time.Time) time.Time {
	l := t.In(Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Zone)
}

// AddWorkdays returns the day n working days after t's day (n > 0), or before it (n < 0), at
// the start of that day in Asia/Shanghai. With n = 0 it returns t's day. A deadline "within 7
// working days" of a day d is AddWorkdays(d, 7): the day itself does not count.
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	d := Day(t)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// NextWorkday returns the first working day after t's day.
func (c *Calendar) NextWorkday(t time.Time) time.Time { return c.AddWorkdays(t, 1) }

// PrevWorkday returns the last working day before t's day.
func (c *Calendar) PrevWorkday(t time.Time) time.Time { return c.AddWorkdays(t, -1) }

// Between counts the working days after from's day up to and including to's day; it is
// negative when to is before from.
func (c *Calendar) Between(from, to time.Time) int {
	a, b := Day(from), Day(to)
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return sign * n
}

// Workdays returns the working days from from's day to to's day, both included, in order.
func (c *Calendar) Workdays(from, to time.Time) []time.Time {
	var out []time.Time
	for d := Day(from); !d.After(Day(to)); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			out = append(out, d)
		}
	}
	return out
}

func key(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }
