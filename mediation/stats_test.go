package mediation

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// beijingDay is 10:00 on a day in Beijing.
func beijingDay(t *testing.T, day string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", day+" 10:00", workday.Zone)
	require.NoError(t, err)
	return v
}

// finished returns a case of body accepted on one day and, unless end is "", ended on another.
func finishedCase(t *testing.T, id, body string, state State, accepted, end string) Case {
	t.Helper()
	c := assignedCase(id, body, "someone", state)
	a := beijingDay(t, accepted)
	c.AcceptedAt, c.SubmittedAt = &a, a
	if end != "" {
		e := beijingDay(t, end)
		c.EndedAt = &e
	}
	return c
}

func TestService_BodyStats(t *testing.T) {
	f := newBodiesFixture(t)
	ctx := context.Background()
	assoc, err := f.svc.CreateBody(ctx, mediationAdmin,
		BodyInput{Name: "朝阳区消费者协会调解委员会", Kind: BodyConsumerAssociation})
	require.NoError(t, err)
	peoples, err := f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: "望京街道人民调解委员会", Kind: BodyPeoples})
	require.NoError(t, err)
	idle, err := f.svc.CreateBody(ctx, mediationAdmin, BodyInput{Name: "健身行业调解委员会", Kind: BodyIndustry})
	require.NoError(t, err)

	// Closed after an agreement whose end is known only from the signing: 2026-09-01 to
	// 2026-09-15 is 10 working days.
	closedAgreed := finishedCase(t, "A2", assoc.ID, StateClosed, "2026-09-01", "")
	signed := beijingDay(t, "2026-09-15")
	closedAgreed.Agreement = &Agreement{SignedAt: signed, Terms: []Term{}, Points: []string{}}
	// Accepted in August: outside the period.
	august := finishedCase(t, "A6", assoc.ID, StateAgreement, "2026-08-31", "2026-09-02")
	// Never assigned: not counted.
	pool := finishedCase(t, "P1", "", StateAccepted, "2026-09-02", "")

	f.insertCases(t,
		finishedCase(t, "A1", assoc.ID, StateAgreement, "2026-09-01", "2026-09-08"), // 5 working days
		closedAgreed,
		finishedCase(t, "A3", assoc.ID, StateEnded, "2026-09-01", "2026-09-04"),     // 3
		finishedCase(t, "A4", assoc.ID, StateWithdrawn, "2026-09-01", "2026-09-02"), // 1
		finishedCase(t, "A5", assoc.ID, StateInMediation, "2026-09-10", ""),
		august,
		finishedCase(t, "B1", peoples.ID, StateReferred, "2026-09-01", "2026-09-03"), // 2
		finishedCase(t, "B2", peoples.ID, StateAssigned, "2026-09-20", ""),
		finishedCase(t, "G1", "MB-gone", StateAgreement, "2026-09-07", "2026-09-07"), // 0
		pool,
	)

	from := time.Date(2026, 9, 1, 0, 0, 0, 0, workday.Zone)
	to := time.Date(2026, 10, 1, 0, 0, 0, 0, workday.Zone)
	got, err := f.svc.BodyStats(ctx, from, to)
	require.NoError(t, err)

	want := []BodyStat{
		{Body: idle.ID, BodyName: "健身行业调解委员会", AgreementRate: Ratio{Text: "0 / 0（—）"},
			Outcomes: map[Outcome]int{}},
		{Body: peoples.ID, BodyName: "望京街道人民调解委员会", Cases: 2, Open: 1, Finished: 1,
			AgreementRate: Ratio{Numerator: 0, Denominator: 1, Text: "0 / 1（0.0%）"},
			AvgWorkdays:   2, WorkdaysTotal: 2, WorkdaysCases: 1,
			Outcomes: map[Outcome]int{OutcomeReferred: 1}},
		{Body: assoc.ID, BodyName: "朝阳区消费者协会调解委员会", Cases: 5, Open: 1, Finished: 4, Agreements: 2,
			AgreementRate: Ratio{Numerator: 2, Denominator: 4, Value: 0.5, Text: "2 / 4（50.0%）"},
			// (5 + 10 + 3 + 1) / 4 = 4.75 → 4.8
			AvgWorkdays: 4.8, WorkdaysTotal: 19, WorkdaysCases: 4,
			Outcomes: map[Outcome]int{OutcomeAgreement: 2, OutcomeNoAgreement: 1, OutcomeWithdrawn: 1}},
		{Body: "MB-gone", BodyName: "MB-gone", Cases: 1, Finished: 1, Agreements: 1,
			AgreementRate: Ratio{Numerator: 1, Denominator: 1, Value: 1, Text: "1 / 1（100.0%）"},
			WorkdaysCases: 1, Outcomes: map[Outcome]int{OutcomeAgreement: 1}},
	}
	assert.Equal(t, want, got)

	bars := AgreementRateBars(got)
	assert.Equal(t,
		chart.HBar{Label: "朝阳区消费者协会调解委员会", Value: 0.5, Note: "调解成功 2 / 4（50.0%）"}, bars[2])
	assert.Equal(t, []chart.Point{{Label: "健身行业调解委员会", Value: 0}, {Label: "望京街道人民调解委员会", Value: 2},
		{Label: "朝阳区消费者协会调解委员会", Value: 5}, {Label: "MB-gone", Value: 1}}, CaseCountPoints(got))
	assert.Contains(t, string(chart.HBars("调解成功率", bars, 1)), "2 / 4（50.0%）")

	_, err = f.svc.BodyStats(ctx, to, from)
	require.Error(t, err)
	assert.Equal(t, errs.Invalid, errs.KindOf(err))
	verifyMediationTrail(t, f.log)
}
