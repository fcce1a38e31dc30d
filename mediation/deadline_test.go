package mediation

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

func deadlineOf(t *testing.T, c *Case, kind DeadlineKind) Deadline {
	t.Helper()
	for _, d := range c.Deadlines {
		if d.Kind == kind {
			return d
		}
	}
	t.Fatalf("case %s has no %s deadline: %+v", c.ID, kind, c.Deadlines)
	return Deadline{}
}

// TestService_MediationClock accepts a case on Tuesday 15 September 2026, pauses its clock
// for three working days of appraisal and ends it without agreement once the 45 working days
// have passed. The count runs over 中秋节 (25–27 September) and 国庆节 (1–7 October), counts
// the adjusted working days Sunday 20 September and Saturday 10 October, and moves by the
// three working days paused: 23 November without the pause, 26 November with it.
func TestService_MediationClock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := f.enterprises(t, 1)[0]
	f.mediators(t, "")
	f.reg.SetSignals(f.svc)
	f.reg.SetRecords(f.svc)

	c, err := f.svc.OpenCase(ctx, clerk, direct(code))
	require.NoError(t, err)
	f.now = at(t, "2026-09-15", "10:00")
	c, err = f.svc.Accept(ctx, clerk, c.ID, c.Version)
	require.NoError(t, err)
	med := deadlineOf(t, c, DeadlineMediation)
	assert.Equal(t, "2026-11-23", med.Due)
	assert.Equal(t,
		"调解期限：受理后45个工作日内，检测、鉴定期间不计入（《市场监督管理投诉举报处理暂行办法》）", med.Rule)
	// Sept 16–18, 20 (adjusted), 21–24, 28–30: 11; Oct 8, 9, 10 (adjusted): 14; Oct 12–30: 29;
	// Nov 2–20: 44; Nov 23: 45.
	cal := workday.Default()
	assert.Equal(t, 45, cal.Between(at(t, "2026-09-15", "10:00"), at(t, "2026-11-23", "00:00")))
	assert.Equal(t, 45, med.WorkdaysLeft)

	c, err = f.svc.Assign(ctx, clerk, c.ID, c.Version, "cca", "wang")
	require.NoError(t, err)
	f.now = at(t, "2026-09-21", "14:00")
	c, err = f.svc.AddSession(ctx, wang, c.ID, c.Version, session(f.now))
	require.NoError(t, err)

	t.Run("a clock not paused is not resumed", func(t *testing.T) {
		_, err := f.svc.Resume(ctx, wang, c.ID, c.Version)
		requireKind(t, err, errs.Conflict, "not paused")
	})

	// Appraisal from Monday 12 October to Thursday 15 October: 13, 14 and 15 do not count.
	f.now = at(t, "2026-10-12", "09:00")
	c, err = f.svc.Pause(ctx, wang, c.ID, c.Version, "委托第三方鉴定课程质量")
	require.NoError(t, err)
	_, err = f.svc.Pause(ctx, wang, c.ID, c.Version, "再次中止")
	requireKind(t, err, errs.Conflict, "already paused")
	f.now = at(t, "2026-10-14", "09:00")
	got, err := f.svc.Case(ctx, wang, c.ID)
	require.NoError(t, err)
	med = deadlineOf(t, got, DeadlineMediation)
	assert.Equal(t, "2026-11-25", med.Due, "while paused the due day moves on day by day")
	assert.Contains(t, med.Note, "计时中止中")

	f.now = at(t, "2026-10-15", "16:00")
	c, err = f.svc.Resume(ctx, wang, c.ID, c.Version)
	require.NoError(t, err)
	_, err = f.svc.Resume(ctx, wang, c.ID, c.Version)
	requireKind(t, err, errs.Conflict, "not paused")
	med = deadlineOf(t, c, DeadlineMediation)
	assert.Equal(t, "2026-11-26", med.Due)
	assert.Equal(t, "中止3个工作日，期限相应顺延", med.Note)
	assert.Equal(t, at(t, "2026-11-26", "00:00").UTC(), c.NextDeadline.UTC())

	// The period has not passed on the day after the unpaused due day, nor on its own last day.
	for _, day := range []string{"2026-11-24", "2026-11-26"} {
		f.now = at(t, day, "10:00")
		_, err = f.svc.Terminate(ctx, wang, c.ID, c.Version, TermExpired, false)
		requireKind(t, err, errs.Conflict, "2026-11-26")
	}
	f.now = at(t, "2026-11-24", "10:00")
	got, err = f.svc.Case(ctx, wang, c.ID)
	require.NoError(t, err)
	med = deadlineOf(t, got, DeadlineMediation)
	assert.Equal(t, DeadlineNear, med.Status)
	assert.Equal(t, 2, med.WorkdaysLeft)

	f.now = at(t, "2026-11-27", "09:00")
	got, err = f.svc.Case(ctx, wang, c.ID)
	require.NoError(t, err)
	assert.Equal(t, DeadlineOverdue, deadlineOf(t, got, DeadlineMediation).Status)
	c, err = f.svc.Terminate(ctx, wang, c.ID, c.Version, TermExpired, false)
	require.NoError(t, err)
	assert.Equal(t, StateEnded, c.State)
	assert.Equal(t, DeadlineMet, deadlineOf(t, c, DeadlineMediation).Status)
	notify := deadlineOf(t, c, DeadlineNotification)
	assert.Equal(t, "2026-12-08", notify.Due, "7 working days after Friday 27 November")
	assert.Equal(t, "告知终止：调解终止后7个工作日内告知双方（《市场监督管理投诉举报处理暂行办法》）", notify.Rule)

	// The record of termination gives the reason and the day.
	doc, err := f.svc.TerminationDocument(ctx, wang, c.ID)
	require.NoError(t, err)
	text := pdftest.Squash(pdftest.Text(t, doc))
	assert.Contains(t, text, "终止调解书")
	assert.Contains(t, text, TermExpired)
	assert.Contains(t, text, "2026年11月27日")

	// The failed mediation reaches the enterprise's risk score.
	history, err := f.reg.RiskHistory(ctx, string(code), 1)
	require.NoError(t, err)
	require.Len(t, history, 1)
	factor := factorOf(t, history[0], registry.FactorMediation)
	assert.EqualValues(t, 1, factor.Value)
	assert.Greater(t, factor.Contribution, 0.0)
	assert.Equal(t, "调解失败或拒绝调解1次（3次及以上计满分）", factor.Explanation)

	_, err = f.svc.Close(ctx, wang, c.ID, c.Version)
	requireKind(t, err, errs.Conflict, "told")
	f.now = at(t, "2026-11-30", "09:00")
	c, err = f.svc.NotifyParties(ctx, wang, c.ID, c.Version, "电话告知双方并寄送终止调解告知书")
	require.NoError(t, err)
	assert.Equal(t, DeadlineMet, deadlineOf(t, c, DeadlineNotification).Status)
	c, err = f.svc.Close(ctx, wang, c.ID, c.Version)
	require.NoError(t, err)

	d, err := f.reg.Dossier(ctx, string(code))
	require.NoError(t, err)
	require.Len(t, d.Mediation, 1)
	assert.Equal(t, "终止调解："+TermExpired, d.Mediation[0].Outcome)
	assert.Equal(t, "已结案", d.Mediation[0].State)
	verifyTrail(t, f.log)
}

func factorOf(t *testing.T, a registry.Assessment, name string) registry.Factor {
	t.Helper()
	for _, f := range a.Factors {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no factor %s", name)
	return registry.Factor{}
}

func TestService_RiskSignals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	f.mediators(t, "")
	f.reg.SetSignals(f.svc)
	code := codes[0]

	// Ended without agreement, with the enterprise refusing to take part: one failure.
	c := f.assigned(t, code)
	c, err := f.svc.Terminate(ctx, wang, c.ID, c.Version, "企业拒绝参加调解", true)
	require.NoError(t, err)
	assert.True(t, c.RefusedByEnterprise)

	// An agreement not performed: a second; the referral keeps it counted.
	f.now = f.now.Add(time.Hour)
	c = f.inMediation(t, code)
	c, err = f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, AgreementInput{Points: []string{"退费"},
		Terms: []Term{{Payer: "企业", Payee: "张伟", AmountFen: 100000, DueOn: "2026-09-18", Method: "转账"}}})
	require.NoError(t, err)
	f.now = at(t, "2026-09-21", "09:00")
	c, err = f.svc.RecordPerformance(ctx, wang, c.ID, c.Version, false, "企业逾期未付款")
	require.NoError(t, err)
	c, err = f.svc.Refer(ctx, wang, c.ID, c.Version, ReferCourtConfirmation, "申请司法确认")
	require.NoError(t, err)
	assert.Equal(t, StateReferred, c.State)

	// Performed, withdrawn and open cases do not count; nor does another enterprise's.
	f.now = f.now.Add(time.Hour)
	c = f.inMediation(t, code)
	c, err = f.svc.RecordAgreement(ctx, wang, c.ID, c.Version, AgreementInput{Points: []string{"退费"},
		Terms: []Term{{Payer: "企业", Payee: "张伟", AmountFen: 100000, DueOn: "2026-09-22", Method: "转账"}}})
	require.NoError(t, err)
	_, err = f.svc.RecordPerformance(ctx, wang, c.ID, c.Version, true, "")
	require.NoError(t, err)
	f.now = f.now.Add(time.Hour)
	c = f.assigned(t, code)
	_, err = f.svc.Withdraw(ctx, wang, c.ID, c.Version, "已与商家自行和解")
	require.NoError(t, err)
	f.now = f.now.Add(time.Hour)
	f.assigned(t, code)
	other := f.assigned(t, codes[1])
	_, err = f.svc.Terminate(ctx, wang, other.ID, other.Version, "双方分歧较大", false)
	require.NoError(t, err)

	sig, err := f.svc.RiskSignals(ctx, code)
	require.NoError(t, err)
	assert.Equal(t, registry.RiskSignals{FailedMediations: 2}, sig)

	history, err := f.reg.RiskHistory(ctx, string(code), 1)
	require.NoError(t, err)
	assert.EqualValues(t, 2, factorOf(t, history[0], registry.FactorMediation).Value)

	recs, err := f.svc.DossierRecords(ctx, code)
	require.NoError(t, err)
	require.Len(t, recs.Mediation, 5)
	var outcomes []string
	for _, r := range recs.Mediation {
		outcomes = append(outcomes, r.Outcome)
	}
	assert.Equal(t, []string{
		"消费者1人，请求金额合计3000.00元",
		"撤回：已与商家自行和解",
		"达成协议，已履行",
		"达成协议，未履行；移送司法确认 申请司法确认",
		"终止调解：企业拒绝参加调解（企业拒绝调解）",
	}, outcomes, "newest first")
}
