package mediation

import (
	"context"
	"fmt"
	"math"
	"time"

	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
)

// Outcome is how a case ended, for statistics.
type Outcome string

// Outcomes.
const (
	OutcomeAgreement   Outcome = "agreement"    // an agreement was signed
	OutcomeNoAgreement Outcome = "no_agreement" // mediation ended without agreement
	OutcomeWithdrawn   Outcome = "withdrawn"    // the consumer withdrew
	OutcomeReferred    Outcome = "referred"     // referred on: arbitration, litigation, enforcement, court confirmation
	OutcomeClosed      Outcome = "closed"       // closed otherwise
)

// Ratio is a share shown with its numerator and denominator, as 3 / 4（75.0%）.
type Ratio struct {
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
	Value       float64 `json:"value"` // 0 when the denominator is 0
	Text        string  `json:"text"`
}

// BodyStat is one mediation body's figures over a period.
type BodyStat struct {
	Body     string `json:"body"`
	BodyName string `json:"body_name"`
	// Cases counts the cases accepted in the period and assigned to the body; Open those of
	// them not yet ended; Finished those ended one way or another.
	Cases      int `json:"cases"`
	Open       int `json:"open"`
	Finished   int `json:"finished"`
	Agreements int `json:"agreements"`
	// AgreementRate is Agreements / Finished.
	AgreementRate Ratio `json:"agreement_rate"`
	// AvgWorkdays is the average of the working days from acceptance to the end, over the
	// WorkdaysCases finished cases whose end is known, to one decimal.
	AvgWorkdays   float64         `json:"avg_workdays"`
	WorkdaysTotal int             `json:"workdays_total"`
	WorkdaysCases int             `json:"workdays_cases"`
	Outcomes      map[Outcome]int `json:"outcomes"`
}

// StateCount is how many cases of a body are in a state.
type StateCount struct {
	Body  string
	State State
	Count int
}

// FinishedCase is what statistics need of a case that has ended one way or another.
type FinishedCase struct {
	ID         string
	Body       string
	State      State
	AcceptedAt time.Time
	EndedAt    *time.Time
	AgreedAt   *time.Time
}

// finishedStates are the states of a case that has ended one way or another; a case in
// StateAgreement has reached its outcome even while its performance is still checked.
var finishedStates = []State{StateAgreement, StateEnded, StateWithdrawn, StateReferred, StateClosed}

// BodyStats returns each body's figures for the cases accepted in [from, to): every body on
// file, by name, then any body id found on cases but not on file. Cases never assigned to a
// body are not counted. Working days follow the service's calendar (Calendar.Between: the day
// of acceptance does not count, the day of the end does); pauses are not subtracted. Two
// queries on the cases: a $group of counts by body and state, and the finished cases'
// acceptance and end.
func (s *Service) BodyStats(ctx context.Context, from, to time.Time) ([]BodyStat, error) {
	const op = "mediation.BodyStats"
	if !from.Before(to) {
		return nil, errs.Fields(op, field("to", "统计区间的结束须晚于开始 (to must be after from)"))
	}
	bodies, err := s.store.ListBodies(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.CaseCounts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	finished, err := s.store.FinishedCases(ctx, from, to)
	if err != nil {
		return nil, err
	}

	var stats []*BodyStat
	byID := map[string]*BodyStat{}
	get := func(id, name string) *BodyStat {
		if st, ok := byID[id]; ok {
			return st
		}
		st := &BodyStat{Body: id, BodyName: name, Outcomes: map[Outcome]int{}}
		byID[id] = st
		stats = append(stats, st)
		return st
	}
	for _, b := range bodies {
		get(b.ID, b.Name)
	}
	for _, c := range counts {
		get(c.Body, c.Body).Cases += c.Count
	}
	for _, fc := range finished {
		s.addFinished(get(fc.Body, fc.Body), fc)
	}

	out := make([]BodyStat, len(stats))
	for i, st := range stats {
		st.Open = st.Cases - st.Finished
		st.AgreementRate = ratio(st.Agreements, st.Finished)
		if st.WorkdaysCases > 0 {
			st.AvgWorkdays = math.Round(float64(st.WorkdaysTotal)*10/float64(st.WorkdaysCases)) / 10
		}
		out[i] = *st
	}
	return out, nil
}

// addFinished counts one finished case into st.
func (s *Service) addFinished(st *BodyStat, fc FinishedCase) {
	outcome := finishedOutcome(fc)
	st.Finished++
	st.Outcomes[outcome]++
	if outcome == OutcomeAgreement {
		st.Agreements++
	}

	end := fc.EndedAt
	if end == nil {
		end = fc.AgreedAt
	}
	if end != nil && !fc.AcceptedAt.IsZero() {
		st.WorkdaysTotal += max(s.calendar.Between(fc.AcceptedAt, *end), 0)
		st.WorkdaysCases++
	}
}

// finishedOutcome says how a finished case ended: a closed case that had an agreement counts as one.
func finishedOutcome(fc FinishedCase) Outcome {
	switch {
	case fc.State == StateAgreement || fc.AgreedAt != nil:
		return OutcomeAgreement
	case fc.State == StateEnded:
		return OutcomeNoAgreement
	case fc.State == StateWithdrawn:
		return OutcomeWithdrawn
	case fc.State == StateReferred:
		return OutcomeReferred
	}
	return OutcomeClosed
}

// ratio returns n / d with its text, as 3 / 4（75.0%）, or 0 / 0（—） when d is 0.
func ratio(n, d int) Ratio {
	if d == 0 {
		return Ratio{Numerator: n, Denominator: d, Text: fmt.Sprintf("%d / %d（—）", n, d)}
	}
	v := float64(n) / float64(d)
	return Ratio{Numerator: n, Denominator: d, Value: v, Text: fmt.Sprintf("%d / %d（%.1f%%）", n, d, v*100)}
}

// AgreementRateBars gives the console's chart of agreement rates (chart.HBars with a maximum
// of 1), one bar per body, noted with the ratio and its denominator.
func AgreementRateBars(stats []BodyStat) []chart.HBar {
	bars := make([]chart.HBar, len(stats))
	for i, st := range stats {
		bars[i] = chart.HBar{Label: st.BodyName, Value: st.AgreementRate.Value,
			Note: "调解成功 " + st.AgreementRate.Text}
	}
	return bars
}

// CaseCountPoints gives the console's bar chart of cases per body (chart.Bars).
func CaseCountPoints(stats []BodyStat) []chart.Point {
	points := make([]chart.Point, len(stats))
	for i, st := range stats {
		points[i] = chart.Point{Label: st.BodyName, Value: int64(st.Cases)}
	}
	return points
}
