package enforcement

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// signalsOf lets the registry score interview signals, as cmd wires the module.
type signalsOf struct{ svc *Service }

func (s signalsOf) RiskSignals(ctx context.Context, uscc registry.USCC) (registry.RiskSignals, error) {
	noShows, unmet, err := s.svc.interviewSignals(ctx, uscc)
	return registry.RiskSignals{InterviewNoShows: noShows, UnmetRectifications: unmet}, err
}

func requireKind(t *testing.T, kind errs.Kind, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, kind, errs.KindOf(err), "%v", err)
}

func TestService_InterviewStateMachine(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 1)
	officials := f.officials(t, 1)
	iv, err := f.svc.ScheduleInterview(ctx, clerk, input(t, codes[0], officials[0]))
	require.NoError(t, err)

	_, err = f.svc.HoldInterview(ctx, clerk, iv.ID, 1, "")
	requireKind(t, errs.Conflict, err) // never notified
	_, err = f.svc.RequireRectification(ctx, clerk, iv.ID, 1, RectificationInput{
		Commitments: []string{"退还预付款"}, Deadline: at(t, "2026-10-20", "17:00")})
	requireKind(t, errs.Conflict, err) // never held

	iv, err = f.svc.NotifyInterview(ctx, clerk, iv.ID, 1, "电话及短信通知法定代表人")
	require.NoError(t, err)
	assert.Equal(t, StateNotified, iv.State)
	_, err = f.svc.NotifyInterview(ctx, clerk, iv.ID, 2, "")
	requireKind(t, errs.Conflict, err)
	_, err = f.svc.HoldInterview(ctx, clerk, iv.ID, 2, "")
	requireKind(t, errs.Conflict, err) // before its start time
	_, err = f.svc.RecordNoShow(ctx, clerk, iv.ID, 2, "")
	requireKind(t, errs.Conflict, err) // before its start time

	f.now = at(t, "2026-09-22", "10:05")
	_, err = f.svc.HoldInterview(ctx, clerk, iv.ID, 1, "")
	requireKind(t, errs.Stale, err)
	iv, err = f.svc.HoldInterview(ctx, clerk, iv.ID, 2, "企业承认存在拒不退费问题")
	require.NoError(t, err)
	_, err = f.svc.CancelInterview(ctx, clerk, iv.ID, 3, "误登记")
	requireKind(t, errs.Conflict, err)

	_, err = f.svc.RequireRectification(ctx, clerk, iv.ID, 3,
		RectificationInput{Deadline: at(t, "2026-10-20", "17:00")})
	requireKind(t, errs.Invalid, err) // no commitments
	iv, err = f.svc.RequireRectification(ctx, clerk, iv.ID, 3, RectificationInput{
		Commitments: []string{"十个工作日内退还已投诉会员预付款", "公示退费流程"}, Deadline: at(t,
			"2026-10-20", "17:00")})
	require.NoError(t, err)
	assert.Equal(t, StateRectificationDue, iv.State)

	_, err = f.svc.CheckRectification(ctx, clerk, iv.ID, 4, false, "仍有12名会员未退费")
	requireKind(t, errs.Conflict, err) // the deadline has not passed
	iv, err = f.svc.CheckRectification(ctx, audit2, iv.ID, 4, true, "已全部退费，现场核实")
	require.NoError(t, err)
	assert.Equal(t, StateRectified, iv.State)
	assert.Equal(t, "zhou", iv.Rectification.CheckedBy)
	_, err = f.svc.CheckRectification(ctx, clerk, iv.ID, 5, true, "")
	requireKind(t, errs.Conflict, err)

	states := []State{}
	for _, s := range iv.History {
		states = append(states, s.State)
		assert.NotEmpty(t, s.By)
		assert.False(t, s.At.IsZero())
	}
	assert.Equal(t, []State{StateScheduled, StateNotified, StateHeld, StateRectificationDue, StateRectified}, states)
	assert.EqualValues(t, 5, iv.Version)
	verifyTrail(t, f.log)
}

var audit2 = clerkNamed("zhou")

func TestService_CancelInterview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 1)
	officials := f.officials(t, 1)
	iv, err := f.svc.ScheduleInterview(ctx, clerk, input(t, codes[0], officials[0]))
	require.NoError(t, err)

	_, err = f.svc.CancelInterview(ctx, clerk, iv.ID, 1, "  ")
	requireKind(t, errs.Invalid, err)
	iv, err = f.svc.CancelInterview(ctx, clerk, iv.ID, 1, "企业已主动退费")
	require.NoError(t, err)
	assert.Equal(t, StateCancelled, iv.State)
	assert.Equal(t, 1, iv.Sequence)
	assert.Equal(t, "企业已主动退费", iv.History[1].Note)

	f.now = at(t, "2026-09-22", "10:05")
	_, err = f.svc.NotifyInterview(ctx, clerk, iv.ID, 2, "")
	requireKind(t, errs.Conflict, err)
	_, err = f.svc.HoldInterview(ctx, clerk, iv.ID, 2, "")
	requireKind(t, errs.Conflict, err)
	_, err = f.svc.RescheduleInterview(ctx, clerk, iv.ID, 2, RescheduleInput{StartsAt: at(t, "2026-09-23", "10:00")})
	requireKind(t, errs.Conflict, err)
	_, err = f.svc.Interview(ctx, "IV-nope")
	requireKind(t, errs.NotFound, err)
}

func TestService_RescheduleInterview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	officials := f.officials(t, 2)
	a, err := f.svc.ScheduleInterview(ctx, clerk, input(t, codes[0], officials[0]))
	require.NoError(t, err)
	inB := input(t, codes[1], officials[1])
	inB.StartsAt = at(t, "2026-09-22", "14:00")
	b, err := f.svc.ScheduleInterview(ctx, clerk, inB)
	require.NoError(t, err)
	a, err = f.svc.NotifyInterview(ctx, clerk, a.ID, 1, "")
	require.NoError(t, err)

	_, err = f.svc.RescheduleInterview(ctx, clerk, a.ID, 2, RescheduleInput{StartsAt: at(t, "2026-09-22", "14:30")})
	var clash *ClashError
	require.ErrorAs(t, err, &clash)
	assert.Equal(t, b.ID, clash.InterviewID)
	_, err = f.svc.RescheduleInterview(ctx, clerk, a.ID, 2, RescheduleInput{StartsAt: at(t, "2026-09-25", "10:00")})
	requireKind(t, errs.Invalid, err)
	_, err = f.svc.RescheduleInterview(ctx, clerk, a.ID, 1, RescheduleInput{StartsAt: at(t, "2026-09-23", "10:00")})
	requireKind(t, errs.Stale, err)

	// Half an hour later overlaps its own old time, which is no clash.
	room := "第二约谈室"
	moved, err := f.svc.RescheduleInterview(ctx, clerk, a.ID, 2, RescheduleInput{
		StartsAt: at(t, "2026-09-22", "10:30"), Room: &room, Officials: []string{officials[0], officials[0]},
		Note: "企业申请"})
	require.NoError(t, err)
	assert.Equal(t, StateScheduled, moved.State, "a moved interview must be notified again")
	assert.Equal(t, 1, moved.Sequence)
	assert.EqualValues(t, 3, moved.Version)
	assert.Equal(t, at(t, "2026-09-22", "11:30").UTC(), moved.EndsAt)
	assert.Equal(t, "第二约谈室", moved.Room)
	assert.Equal(t, []string{officials[0]}, moved.Officials)

	gotB, err := f.svc.Interview(ctx, b.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, gotB.Version, "only the moved interview changes")
	assert.Equal(t, b.StartsAt, gotB.StartsAt.UTC())
	verifyTrail(t, f.log)
}

func TestService_InterviewSignalsAndRecords(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.reg.SetSignals(signalsOf{f.svc})
	codes := f.enterprises(t, 1)
	officials := f.officials(t, 1)
	code := codes[0]

	book := func(day, clock string) *Interview {
		in := input(t, code, officials[0])
		in.StartsAt = at(t, day, clock)
		iv, err := f.svc.ScheduleInterview(ctx, clerk, in)
		require.NoError(t, err)
		iv, err = f.svc.NotifyInterview(ctx, clerk, iv.ID, 1, "")
		require.NoError(t, err)
		return iv
	}
	noShow := book("2026-09-22", "10:00")
	unmet := book("2026-09-22", "14:00")
	overdue := book("2026-09-23", "10:00")
	done := book("2026-09-23", "14:00")
	later := book("2026-09-24", "10:00")

	f.now = at(t, "2026-09-23", "16:00")
	_, err := f.svc.RecordNoShow(ctx, clerk, noShow.ID, 2, "电话无人接听")
	require.NoError(t, err)
	for _, iv := range []*Interview{unmet, overdue, done} {
		_, err := f.svc.HoldInterview(ctx, clerk, iv.ID, 2, "")
		require.NoError(t, err)
		_, err = f.svc.RequireRectification(ctx, clerk, iv.ID, 3, RectificationInput{
			Commitments: []string{"退还预付款"}, Deadline: at(t, "2026-09-30", "17:00")})
		require.NoError(t, err)
	}
	_, err = f.svc.CheckRectification(ctx, clerk, done.ID, 4, true, "")
	require.NoError(t, err)

	noShows, unmetN, err := f.svc.interviewSignals(ctx, code)
	require.NoError(t, err)
	assert.Equal(t, 1, noShows)
	assert.Equal(t, 0, unmetN, "deadlines not yet passed")

	f.now = at(t, "2026-10-08", "09:00")
	_, err = f.svc.CheckRectification(ctx, clerk, unmet.ID, 4, false, "仍有会员未退费")
	require.NoError(t, err)
	noShows, unmetN, err = f.svc.interviewSignals(ctx, code)
	require.NoError(t, err)
	assert.Equal(t, 1, noShows)
	assert.Equal(t, 2, unmetN, "one found not rectified, one past its deadline unchecked")

	// The check re-scored the enterprise with the interview factor.
	hist, err := f.reg.RiskHistory(ctx, string(code), 1)
	require.NoError(t, err)
	require.NotEmpty(t, hist)
	found := false
	for _, fac := range hist[0].Factors {
		if fac.Name == registry.FactorInterviews {
			found = true
			assert.Positive(t, fac.Contribution)
		}
	}
	assert.True(t, found, "interview factor in %+v", hist[0].Factors)

	recs, err := f.svc.interviewRecords(ctx, code, 10)
	require.NoError(t, err)
	require.Len(t, recs, 5)
	assert.Equal(t, later.ID, recs[0].ID, "newest first")
	assert.Equal(t, "行政约谈 "+later.NoticeNumber, recs[0].Title)
	assert.Equal(t, "/console/interviews/"+later.ID, recs[0].Link)
	byID := map[string]registry.DossierRecord{}
	for _, r := range recs {
		byID[r.ID] = r
	}
	assert.Equal(t, "未到场", byID[noShow.ID].Outcome)
	assert.Equal(t, "逾期未整改", byID[unmet.ID].State)
	assert.Equal(t, "已整改", byID[done.ID].State)
	assert.Contains(t, byID[overdue.ID].Outcome, "退还预付款")
	verifyTrail(t, f.log)
}

func TestService_Reminders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 4)
	officials := f.officials(t, 2)
	book := func(i int, day, clock string) *Interview {
		in := input(t, codes[i], officials[i%2])
		in.StartsAt, in.Room = at(t, day, clock), ""
		in.VideoLink = "https://meeting.example.cn/j/1"
		iv, err := f.svc.ScheduleInterview(ctx, clerk, in)
		require.NoError(t, err)
		return iv
	}
	thursday := book(0, "2026-09-24", "10:00")
	monday := book(1, "2026-09-28", "10:00")
	cancelled := book(2, "2026-09-28", "14:00")
	_, err := f.svc.CancelInterview(ctx, clerk, cancelled.ID, 1, "企业已注销")
	require.NoError(t, err)
	book(3, "2026-09-29", "10:00")

	// Thursday 9-24 is the last working day before 中秋 (9-25 to 9-27): its reminders are for
	// Monday 9-28.
	rs, err := f.svc.Reminders(ctx, at(t, "2026-09-24", "08:00"))
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, monday.ID, rs[0].Interview.ID)
	assert.Equal(t, at(t, "2026-09-28", "00:00"), rs[0].Day)
	assert.Equal(t, at(t, "2026-09-24", "00:00"), rs[0].Due)
	require.Len(t, rs[0].Officials, 1)
	assert.Equal(t, officials[1], rs[0].Officials[0].ID)

	rs, err = f.svc.Reminders(ctx, at(t, "2026-09-23", "18:00"))
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, thursday.ID, rs[0].Interview.ID)

	rs, err = f.svc.Reminders(ctx, at(t, "2026-09-26", "10:00"))
	require.NoError(t, err)
	assert.Empty(t, rs, "on a holiday nothing falls due: Monday's reminders were due on Thursday")
}

func TestService_ScoreOverdueRectifications(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.reg.SetSignals(f.svc)
	code := f.enterprises(t, 1)[0]
	official := f.officials(t, 1)[0]

	in := input(t, code, official)
	in.StartsAt = at(t, "2026-09-22", "10:00")
	iv, err := f.svc.ScheduleInterview(ctx, clerk, in)
	require.NoError(t, err)
	_, err = f.svc.NotifyInterview(ctx, clerk, iv.ID, 1, "")
	require.NoError(t, err)
	f.now = at(t, "2026-09-22", "16:00")
	_, err = f.svc.HoldInterview(ctx, clerk, iv.ID, 2, "")
	require.NoError(t, err)
	_, err = f.svc.RequireRectification(ctx, clerk, iv.ID, 3, RectificationInput{
		Commitments: []string{"退还预付款"}, Deadline: at(t, "2026-09-30", "17:00")})
	require.NoError(t, err)

	n, err := f.svc.ScoreOverdueRectifications(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the deadline has not passed")

	// The deadline passes with nobody checking: the sweep re-scores the enterprise once.
	f.now = at(t, "2026-10-08", "09:00")
	n, err = f.svc.ScoreOverdueRectifications(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	hist, err := f.reg.RiskHistory(ctx, string(code), 1)
	require.NoError(t, err)
	require.NotEmpty(t, hist)
	var contribution float64
	for _, fac := range hist[0].Factors {
		if fac.Name == registry.FactorInterviews {
			contribution = fac.Contribution
		}
	}
	assert.Positive(t, contribution, "the missed deadline counts: %+v", hist[0].Factors)

	n, err = f.svc.ScoreOverdueRectifications(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "already assessed after the deadline")
}
