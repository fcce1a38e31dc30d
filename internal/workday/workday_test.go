package workday

import (
	"strings"
	"testing"
	"time"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, Zone)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDefault_IsWorkday(t *testing.T) {
	c := Default()
	cases := []struct {
		date string
		want bool
	}{
		{"2026-09-24", true},  // Thursday before 中秋节
		{"2026-09-25", false}, // 中秋节, a Friday
		{"2026-09-20", true},  // Sunday worked for 国庆节
		{"2026-10-01", false},
		{"2026-10-07", false}, // a Wednesday inside 国庆节
		{"2026-10-08", true},
		{"2026-10-10", true},  // Saturday worked
		{"2026-10-11", false}, // an ordinary Sunday
		{"2026-02-14", true},
		{"2026-02-23", false}, // Monday inside 春节
		{"2025-10-08", false},
		{"2025-10-11", true},
		{"2026-12-05", false}, // Saturday
		{"2026-12-07", true},
	}
	for _, tc := range cases {
		if got := c.IsWorkday(day(t, tc.date)); got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tc.date, got, tc.want)
		}
	}
	if name, ok := c.Holiday(day(t, "2026-10-03")); !ok || name != "国庆节" {
		t.Errorf("Holiday(2026-10-03) = %q, %v; want 国庆节", name, ok)
	}
}

func TestCalendar_IsWorkdayUsesShanghaiDay(t *testing.T) {
	c := Default()
	// 2026-09-24 17:00 UTC is already 2026-09-25 01:00 in Beijing: 中秋节.
	if c.IsWorkday(time.Date(2026, 9, 24, 17, 0, 0, 0, time.UTC)) {
		t.Error("a UTC instant on a holiday in Beijing counted as a working day")
	}
}

func TestCalendar_AddWorkdays(t *testing.T) {
	c := Default()
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-09-24", 1, "2026-09-28"}, // over 中秋节 and the weekend
		{"2026-09-28", 7, "2026-10-13"}, // 9-29, 9-30, 10-08, 10-09, 10-10, 10-12, 10-13
		{"2026-09-30", 1, "2026-10-08"},
		{"2026-10-09", 1, "2026-10-10"}, // adjusted Saturday
		{"2026-10-08", -1, "2026-09-30"},
		{"2026-12-04", 0, "2026-12-04"},
		{"2026-12-04", 1, "2026-12-07"},
	}
	for _, tc := range cases {
		got := c.AddWorkdays(day(t, tc.from), tc.n).Format(time.DateOnly)
		if got != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestCalendar_Between(t *testing.T) {
	c := Default()
	if got := c.Between(day(t, "2026-09-28"), day(t, "2026-10-13")); got != 7 {
		t.Errorf("Between = %d, want 7", got)
	}
	if got := c.Between(day(t, "2026-10-13"), day(t, "2026-09-28")); got != -7 {
		t.Errorf("Between reversed = %d, want -7", got)
	}
	if got := len(c.Workdays(day(t, "2026-09-21"), day(t, "2026-10-11"))); got != 10 {
		// 9-21..9-24 (4), 9-28..9-30 (3), 10-08, 10-09, 10-10 (3)
		t.Errorf("Workdays = %d, want 10", got)
	}
}

func TestCalendar_Covers(t *testing.T) {
	c := Default()
	if !c.Covers(day(t, "2026-12-31")) || c.Covers(day(t, "2030-01-02")) {
		t.Errorf("Covers wrong; years = %v", c.Years())
	}
	// An uncovered year counts Monday to Friday.
	if !c.IsWorkday(day(t, "2030-01-01")) {
		t.Error("2030-01-01, a Tuesday in a year without data, should count as a working day")
	}
}

func TestParse_Refuses(t *testing.T) {
	cases := map[string]string{
		"not json":           `{`,
		"unknown field":      `{"years":[],"extra":1}`,
		"year twice":         `{"years":[{"year":2027},{"year":2027}]}`,
		"date in other year": `{"years":[{"year":2027,"holidays":[{"name":"x","from":"2026-01-01","to":"2026-01-02"}]}]}`,
		"backwards":          `{"years":[{"year":2027,"holidays":[{"name":"x","from":"2027-01-05","to":"2027-01-02"}]}]}`,
		"weekday workday":    `{"years":[{"year":2027,"workdays":[{"name":"x","date":"2027-01-05"}]}]}`,
		"bad date":           `{"years":[{"year":2027,"workdays":[{"name":"x","date":"27-1-5"}]}]}`,
	}
	for name, in := range cases {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: Parse accepted %s", name, in)
		}
	}
	c, err := Parse([]byte(`{"years":[{"year":2027,"notice":"n","holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(day(t, "2027-01-01")) || !strings.Contains(c.Data().Years[0].Notice, "n") {
		t.Error("parsed calendar lost its holiday")
	}
}
