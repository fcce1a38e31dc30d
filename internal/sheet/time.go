package sheet

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"
)

var (
	// dateTimeText reads 2026-03-05 09:30, 2026/3/5 9:30:00, 2026年3月5日 9时30分, ISO 8601 and
	// the date alone; groups: year, month, day, hour, minute, seconds after 分, seconds after a
	// colon, zone.
	dateTimeText = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?` +
		`(?:[T\s]*(\d{1,2})\s*[:时点]\s*(\d{1,2})\s*(?:分\s*(?:(\d{1,2})\s*秒)?|:\s*(\d{1,2})(?:\.\d{1,9})?)?)?` +
		`\s*(Z|[+-]\d{2}:?\d{2})?$`)
	// dateTimeDigits reads 20260305, 202603050930 and 20260305093000.
	dateTimeDigits = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$`)
	// serialDate reads a date Excel stores as days since its epoch, the time as their fraction.
	serialDate = regexp.MustCompile(`^\d{1,6}(?:\.\d+)?$`)
)

// ParseTime reads a date and time as a spreadsheet cell holds it: as text ("2026-03-05 09:30",
// "2026-03-05 09:30:00", "2026/3/5 9:30", "2026年3月5日 9时30分", "2026-03-05", "20260305",
// ISO 8601 with or without a zone), in ASCII or full-width digits, or as the serial number of a
// cell typed as a date ("46086.395833": days since 1899-12-30, or since 1904-01-01 when
// date1904, to the nearest second). A time without a zone is wall-clock time in loc. Days and
// hours that do not exist (2026-02-29, 24:00) are refused.
func ParseTime(s string, loc *time.Location, date1904 bool) (time.Time, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if m := dateTimeText.FindStringSubmatch(s); m != nil {
		sec := m[6]
		if sec == "" {
			sec = m[7]
		}
		return clock(m[1:6], sec, m[8], loc)
	}
	if m := dateTimeDigits.FindStringSubmatch(s); m != nil {
		return clock(m[1:6], m[6], "", loc)
	}
	if serialDate.MatchString(s) {
		return serialTime(s, loc, date1904)
	}
	return time.Time{}, false
}

// clock builds a time from year, month, day, hour and minute, the seconds and the zone.
func clock(parts []string, second, zone string, loc *time.Location) (time.Time, bool) {
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	year, month, day, hour, minute := n(parts[0]), time.Month(n(parts[1])), n(parts[2]), n(parts[3]), n(parts[4])
	if zone != "" {
		loc = offset(zone)
	}
	if loc == nil || hour > 23 || minute > 59 || n(second) > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, month, day, hour, minute, n(second), 0, loc)
	if t.Month() != month || t.Day() != day {
		return time.Time{}, false
	}
	return t, true
}

// offset reads a zone written as Z, +08:00 or +0800, or returns nil.
func offset(zone string) *time.Location {
	if zone == "Z" {
		return time.UTC
	}
	digits := strings.ReplaceAll(zone[1:], ":", "")
	hours, _ := strconv.Atoi(digits[:2])
	minutes, _ := strconv.Atoi(digits[2:])
	if hours > 14 || minutes > 59 {
		return nil
	}
	seconds := (hours*60 + minutes) * 60
	if zone[0] == '-' {
		seconds = -seconds
	}
	return time.FixedZone(zone, seconds)
}

// serialTime reads an Excel serial date as wall-clock time in loc.
func serialTime(s string, loc *time.Location, date1904 bool) (time.Time, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false
	}
	secs := int64(math.Round(v * 86400))
	year, month, day := 1899, time.December, 30
	if date1904 {
		year, month, day = 1904, time.January, 1
	}
	// Adding days and seconds to the date, not a duration to an instant, keeps the wall clock
	// right whatever offsets the zone had in 1899.
	return time.Date(year, month, day+int(secs/86400), 0, 0, int(secs%86400), 0, loc), true
}
