package registry

import (
	"sort"
	"time"
	_ "time/tzdata" // Asia/Shanghai on every machine, in tests as in the binary
)

// ComplaintCounters are the complaint summaries an enterprise's document carries, so that a
// dossier is read in one go. They are derived from the complaints and can always be rebuilt
// from them (Service.Reconcile).
type ComplaintCounters struct {
	Total      int64            `bson:"total"`
	Open       int64            `bson:"open"`
	ByCategory map[string]int64 `bson:"by_category"`
	AmountFen  int64            `bson:"amount_fen"`
	FirstAt    *time.Time       `bson:"first_at,omitempty"`
	LatestAt   *time.Time       `bson:"latest_at,omitempty"`
	// Daily counts complaints by the day they were received, in Asia/Shanghai, as "2006-01-02".
	Daily map[string]int64 `bson:"daily"`
}

// shanghai is the zone day-based rules count days in (DESIGN.md, "Storage").
var shanghai = mustLoadZone("Asia/Shanghai")

func mustLoadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this happens only in a broken build.
		panic("registry: time zone " + name + ": " + err.Error())
	}
	return loc
}

// dayKey returns the Asia/Shanghai date of t as "2006-01-02".
func dayKey(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }

// emptyCounters returns counters with their maps made, as stored for a new enterprise.
func emptyCounters() ComplaintCounters {
	return ComplaintCounters{ByCategory: map[string]int64{}, Daily: map[string]int64{}}
}

// add counts one complaint in.
func (c *ComplaintCounters) add(cp *Complaint) {
	if c.ByCategory == nil {
		c.ByCategory = map[string]int64{}
	}
	if c.Daily == nil {
		c.Daily = map[string]int64{}
	}
	c.Total++
	if !cp.Handling.Concluded() {
		c.Open++
	}
	c.ByCategory[string(cp.Category)]++
	c.AmountFen += cp.AmountFen
	c.Daily[dayKey(cp.ReceivedAt)]++
	at := cp.ReceivedAt.UTC()
	if c.FirstAt == nil || at.Before(*c.FirstAt) {
		c.FirstAt = &at
	}
	if c.LatestAt == nil || at.After(*c.LatestAt) {
		c.LatestAt = &at
	}
}

// merge adds another set of counters to these.
func (c *ComplaintCounters) merge(d *ComplaintCounters) {
	if c.ByCategory == nil {
		c.ByCategory = map[string]int64{}
	}
	if c.Daily == nil {
		c.Daily = map[string]int64{}
	}
	c.Total += d.Total
	c.Open += d.Open
	c.AmountFen += d.AmountFen
	for k, v := range d.ByCategory {
		c.ByCategory[k] += v
	}
	for k, v := range d.Daily {
		c.Daily[k] += v
	}
	if d.FirstAt != nil && (c.FirstAt == nil || d.FirstAt.Before(*c.FirstAt)) {
		c.FirstAt = d.FirstAt
	}
	if d.LatestAt != nil && (c.LatestAt == nil || d.LatestAt.After(*c.LatestAt)) {
		c.LatestAt = d.LatestAt
	}
}

// equal reports whether two sets of counters say the same.
func (c ComplaintCounters) equal(o ComplaintCounters) bool {
	sameTime := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	sameMap := func(a, b map[string]int64) bool {
		for k, v := range a {
			if v != 0 && b[k] != v {
				return false
			}
		}
		for k, v := range b {
			if v != 0 && a[k] != v {
				return false
			}
		}
		return true
	}
	return c.Total == o.Total && c.Open == o.Open && c.AmountFen == o.AmountFen &&
		sameTime(c.FirstAt, o.FirstAt) && sameTime(c.LatestAt, o.LatestAt) &&
		sameMap(c.ByCategory, o.ByCategory) && sameMap(c.Daily, o.Daily)
}

// DayCount is the number of complaints received on one day.
type DayCount struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// dailySeriesDays is how far back the dossier's daily series reaches.
const dailySeriesDays = 180

// section turns the counters into the dossier's complaints section as of now.
func (c ComplaintCounters) section(now time.Time) ComplaintsSection {
	s := ComplaintsSection{
		Total: c.Total, Open: c.Open, AmountFen: c.AmountFen, FirstAt: c.FirstAt, LatestAt: c.LatestAt,
		ByCategory: map[string]int64{}, Daily: make([]DayCount, 0, dailySeriesDays),
	}
	for k, v := range c.ByCategory {
		if v != 0 {
			s.ByCategory[k] = v
		}
	}
	today := now.In(shanghai)
	start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, shanghai)
	for i := dailySeriesDays - 1; i >= 0; i-- {
		day := start.AddDate(0, 0, -i).Format(time.DateOnly)
		n := c.Daily[day]
		s.Daily = append(s.Daily, DayCount{Date: day, Count: n})
		if i < 30 {
			s.Last30Days += n
		}
		if i < 90 {
			s.Last90Days += n
		}
	}
	return s
}

// sortedKeys returns m's keys in order, for stable update documents.
func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
