package registry

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/sheet"
	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
)

// warnNow is the moment the warning tests run at: 20 November 2026, 15:00 in Beijing.
var warnNow = time.Date(2026, 11, 20, 15, 0, 0, 0, shanghai)

// warnSeries makes a daily series as of warnNow: perDay(i) complaints on the day i days ago,
// for days days.
func warnSeries(days int, perDay func(daysAgo int) int64) map[string]int64 {
	daily := map[string]int64{}
	for i := range days {
		if n := perDay(i); n != 0 {
			daily[warnNow.AddDate(0, 0, -i).Format(time.DateOnly)] = n
		}
	}
	return daily
}

// steady is one complaint every day.
func steady(int) int64 { return 1 }

func TestWarning_BurstRule(t *testing.T) {
	quietIndustry := IndustryBaseline{Enterprises: 20, Complaints: 40}
	tests := []struct {
		name     string
		daily    map[string]int64
		industry IndustryBaseline
		raised   bool
		severity WarningSeverity
	}{
		{"steady enterprise raises none", warnSeries(200, steady), quietIndustry, false, ""},
		{"steady busy enterprise raises none", warnSeries(200, func(int) int64 { return 4 }),
			quietIndustry, false, ""},
		{"quiet enterprise with four complaints raises none",
			warnSeries(200, func(i int) int64 { return b2i(i < 2) * 2 }), quietIndustry, false, ""},
		{"burst after a quiet spell raises one", warnSeries(200, func(i int) int64 {
			if i < 3 {
				return 4
			}
			return b2i(i%30 == 0)
		}), quietIndustry, true, SeverityHigh},
		{"burst far over its bar is critical", warnSeries(200, func(i int) int64 { return b2i(i < 2) * 15 }),
			quietIndustry, true, SeverityCritical},
		{"burst below the industry's baseline raises none",
			warnSeries(200, func(i int) int64 { return b2i(i < 2) * 4 }),
			IndustryBaseline{Enterprises: 10, Complaints: 400}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := CheckBurst(tt.daily, warnNow, tt.industry)
			assert.Equal(t, tt.raised, b.Raised(), "count %d, threshold %d", b.Count, b.Threshold)
			if tt.raised {
				assert.Equal(t, tt.severity, b.severity())
			}
		})
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func TestWarning_BurstNumbers(t *testing.T) {
	// 9 complaints before the window (a mean of 0.7 per 7 days), 12 in it; an industry of 10
	// enterprises with 300 complaints (2.3 per enterprise and 7 days) sets the bar at 7.
	daily := warnSeries(120, func(i int) int64 {
		switch {
		case i < 3:
			return 4
		case i >= 7 && i < 97 && i%10 == 0:
			return 1
		}
		return 0
	})
	b := CheckBurst(daily, warnNow, IndustryBaseline{Enterprises: 10, Complaints: 300})
	assert.EqualValues(t, 12, b.Count)
	assert.EqualValues(t, 9, b.Baseline)
	assert.EqualValues(t, 7, b.Threshold, "3 × 7 × 300 / (90 × 10) = 7")
	assert.True(t, b.Raised())
	assert.Equal(t, time.Date(2026, 11, 14, 0, 0, 0, 0, shanghai), b.Window.From.In(shanghai))
	assert.Equal(t, time.Date(2026, 11, 21, 0, 0, 0, 0, shanghai), b.Window.To.In(shanghai))
	assert.Equal(t, "近7日（11月14日至11月20日）收到投诉12件，达到预警线7件；该企业此前90日平均每7日0.7件，"+
		"同行业（健身）企业平均每7日2.3件。", b.summary(IndustryFitness))

	industry := IndustryBaselineOf([]map[string]int64{daily, warnSeries(200, steady), {}}, warnNow)
	assert.Equal(t, IndustryBaseline{Enterprises: 3, Complaints: 9 + 90}, industry,
		"the baseline is the 90 days before the window")
}

// warnRaiseInMemory plays a detection run's merging on a map of warnings: it opens a warning
// on f unless one of its key is open, which it updates.
func warnRaiseInMemory(all map[string][]*Warning, f finding, now time.Time) {
	list := all[f.key()]
	if n := len(list); n > 0 && list[n-1].State.Open() {
		list[n-1].merge(f)
		return
	}
	all[f.key()] = append(list, newWarning(f, now))
}

func TestWarning_BurstGrowingOverDaysStaysOne(t *testing.T) {
	const u = USCC("91110105MA01WARN00")
	daily := warnSeries(200, func(i int) int64 { return b2i(i%30 == 15) })
	all := map[string][]*Warning{}
	var ids []string

	// Complaints arrive one by one over four days, each followed by a detection run.
	for day := range 4 {
		now := warnNow.AddDate(0, 0, day)
		for n := range 4 {
			daily[now.Format(time.DateOnly)]++
			ids = append([]string{fmt.Sprintf("12345:D%dN%d", day, n)}, ids...)
			b := CheckBurst(daily, now, IndustryBaseline{Enterprises: 20, Complaints: 40})
			if !b.Raised() {
				continue
			}
			warnRaiseInMemory(all, finding{USCC: u, Kind: WarningBurst, Severity: b.severity(),
				Summary: b.summary(IndustryFitness), Evidence: ids, Window: b.Window}, now)
		}
	}

	require.Len(t, all[warningKey(u, WarningBurst)], 1, "one warning, not one per complaint")
	w := all[warningKey(u, WarningBurst)][0]
	assert.Equal(t, ids, w.Evidence, "the evidence grew with every complaint")
	assert.Equal(t, SeverityHigh, w.Severity, "16 is over three times the bar of 5")
	assert.Contains(t, w.Summary, "收到投诉16件")
	assert.Equal(t, time.Date(2026, 11, 15, 0, 0, 0, 0, shanghai), w.Window.From.In(shanghai),
		"the window of the day the fifth complaint raised it")

	// Once dismissed, the next finding opens a new warning.
	w.State = WarningDismissed
	warnRaiseInMemory(all, finding{USCC: u, Kind: WarningBurst, Evidence: ids[:1]}, warnNow.AddDate(0, 0, 5))
	assert.Len(t, all[warningKey(u, WarningBurst)], 2)
}

// warnComplaint is a complaint of the category closed_unreachable from phone, hoursAgo hours
// before warnNow.
func warnComplaint(id, phone string, hoursAgo int) Complaint {
	return Complaint{ID: id, ComplainantPhone: phone, Category: CategoryClosed,
		ReceivedAt: warnNow.Add(-time.Duration(hoursAgo) * time.Hour)}
}

func TestWarning_SevereJumpRule(t *testing.T) {
	others := []Complaint{
		{ID: "refund", ComplainantPhone: "13900000009", Category: CategoryRefundRefused, ReceivedAt: warnNow},
		warnComplaint("old", "13900000008", 24*8),
	}
	t.Run("two complainants raise none", func(t *testing.T) {
		cs := append([]Complaint{warnComplaint("a1", "139-0000-0001", 1), warnComplaint("a2", "13900000001", 30),
			warnComplaint("b1", "13900000002", 2)}, others...)
		j := CheckSevereJump(cs, warnNow)
		assert.False(t, j.Raised())
		assert.Equal(t, 2, j.Complainants, "one caller twice is one complainant")
		assert.Equal(t, 3, j.Complaints)
	})
	t.Run("three complainants raise one", func(t *testing.T) {
		cs := append([]Complaint{warnComplaint("a1", "13900000001", 50), warnComplaint("b1", "13900000002", 2),
			{ID: "c1", ComplainantName: "王五", Category: CategoryClosed, ReceivedAt: warnNow.Add(-time.Hour)},
		}, others...)
		j := CheckSevereJump(cs, warnNow)
		assert.True(t, j.Raised())
		assert.Equal(t, 3, j.Complainants)
		assert.Equal(t, []string{"c1", "b1", "a1"}, j.Evidence, "newest first, other categories and days left out")
		assert.Equal(t, SeverityHigh, j.severity())
		assert.Equal(t,
			"近7日（11月14日至11月20日）有3位不同投诉人反映该企业停业跑路（共3件投诉），达到3人的预警线。", j.summary())
	})
}

func TestWarning_MergeKeepsEvidenceBounded(t *testing.T) {
	var ids []string
	for i := range 80 {
		ids = append(ids, fmt.Sprintf("12345:E%03d", 79-i))
	}
	w := newWarning(finding{USCC: "U", Kind: WarningBurst, Severity: SeverityHigh, Evidence: ids[40:]}, warnNow)
	added, changed := w.merge(finding{USCC: "U", Kind: WarningBurst, Severity: SeverityMedium, Evidence: ids[:45]})
	assert.True(t, changed)
	assert.Equal(t, ids[:40], added)
	assert.Equal(t, ids[:MaxWarningEvidence], w.Evidence)
	assert.Equal(t, SeverityHigh, w.Severity, "the severity never falls while open")

	_, changed = w.merge(finding{USCC: "U", Kind: WarningBurst, Severity: SeverityMedium, Evidence: ids[:45]})
	assert.False(t, changed, "the same finding again changes nothing")
}

// warnEnv is a registry service on a database of its own, its clock at warnNow.
type warnEnv struct {
	svc *Service
	st  *MongoStore
	log *audit.Log
	mon *store.Monitor
}

func newWarnEnv(t *testing.T) *warnEnv {
	t.Helper()
	mon := store.NewMonitor()
	db := storetest.Open(t, mon).DB
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(context.Background()))
	require.NoError(t, st.EnsureWarningIndexes(context.Background()))
	log := audit.NewLog(db)
	svc := NewService(st, log, BeijingAreas())
	svc.SetClock(func() time.Time { return warnNow })
	return &warnEnv{svc: svc, st: st, log: log, mon: mon}
}

// register files an enterprise of the fitness industry named name.
func (e *warnEnv) register(t *testing.T, org, name string) USCC {
	t.Helper()
	c, err := CheckChar("91110105" + org)
	require.NoError(t, err)
	ent, err := e.svc.CreateEnterprise(context.Background(), audit.System, EnterpriseInput{
		USCC: "91110105" + org + string(c), Name: name, LegalRepresentative: "李四",
		RegisteredAddress: "北京市朝阳区望京街道1号", District: "110105", Street: "望京街道", Industry: IndustryFitness,
	})
	require.NoError(t, err)
	return ent.USCC
}

const warnCSVHeader = "工单编号,受理时间,诉求人,联系电话,被反映主体,诉求内容,诉求类别\n"

// warnImport imports one work order per ticket against name, received hoursAgo hours before
// warnNow, from its own complainant, in the category given.
func (e *warnEnv) warnImport(t *testing.T, name, category string, hoursAgo int, tickets ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(warnCSVHeader)
	at := warnNow.Add(-time.Duration(hoursAgo) * time.Hour).Format("2006-01-02 15:04")
	for i, tk := range tickets {
		fmt.Fprintf(&b, "%s,%s,投诉人%s,1380000%04d,%s,来电人反映该店问题，要求处理。,%s\n", tk, at, tk, i,
			name, category)
	}
	ctx := context.Background()
	rd, err := sheet.Open(strings.NewReader(b.String()), "export.csv")
	require.NoError(t, err)
	rows, err := e.svc.ComplaintRows(ctx, rd)
	require.NoError(t, err)
	r, err := e.svc.NewImport(ctx, audit.System, "export.csv")
	require.NoError(t, err)
	require.NoError(t, e.svc.RunImport(ctx, audit.System, r, rows, nil))
	require.Equal(t, len(tickets), r.Imported, "rejected: %v", r.Rejected)
}

func (e *warnEnv) list(t *testing.T, q WarningQuery) []Warning {
	t.Helper()
	page, err := e.svc.ListWarnings(context.Background(), q)
	require.NoError(t, err)
	return page.Items
}

func ticketIDs(tickets ...string) []string {
	out := make([]string, len(tickets))
	for i, tk := range tickets {
		out[i] = ComplaintID(HotlineSource, tk)
	}
	return out
}

func TestWarning_ImportedBurstRaisesOneWarning(t *testing.T) {
	env := newWarnEnv(t)
	ctx := context.Background()
	u := env.register(t, "MA01WB0T0", "北京悦动健身有限公司")
	env.register(t, "MA01WQ0U0", "北京青禾健身有限公司")

	env.warnImport(t, "北京悦动健身有限公司", "退费难", 30, "B01", "B02", "B03")
	env.warnImport(t, "北京青禾健身有限公司", "退费难", 30, "Q01")
	assert.Empty(t, env.list(t, WarningQuery{}), "three complaints are no burst")

	env.warnImport(t, "北京悦动健身有限公司", "退费难", 2, "B04", "B05", "B06")
	got := env.list(t, WarningQuery{})
	require.Len(t, got, 1)
	w := got[0]
	assert.Equal(t, u, w.USCC)
	assert.Equal(t, "北京悦动健身有限公司", w.EnterpriseName)
	assert.Equal(t, WarningBurst, w.Kind)
	assert.Equal(t, WarningNew, w.State)
	assert.ElementsMatch(t, ticketIDs("B01", "B02", "B03", "B04", "B05", "B06"), w.Evidence)
	assert.Contains(t, w.Summary, "收到投诉6件")

	env.warnImport(t, "北京悦动健身有限公司", "退费难", 1, "B07", "B08")
	got = env.list(t, WarningQuery{})
	require.Len(t, got, 1, "a growing burst keeps its one warning")
	assert.Equal(t, w.ID, got[0].ID)
	assert.EqualValues(t, 2, got[0].Version)
	assert.Len(t, got[0].Evidence, 8)
	assert.Contains(t, got[0].Summary, "收到投诉8件")

	// Dismissing needs a reason, and closes the warning.
	_, err := env.svc.DismissWarning(ctx, clerkActor, w.ID, 0, "  ")
	require.True(t, errs.Is(err, errs.Invalid), "got %v", err)
	assert.Equal(t, "reason", errs.FieldsOf(err)[0].Field)
	dismissed, err := env.svc.DismissWarning(ctx, clerkActor, w.ID, 2, "经核实为同一团购活动的集中咨询，非群体性纠纷")
	require.NoError(t, err)
	assert.Equal(t, WarningDismissed, dismissed.State)
	assert.Equal(t, "经核实为同一团购活动的集中咨询，非群体性纠纷", dismissed.StateReason)
	last := dismissed.History[len(dismissed.History)-1]
	want := WarningEvent{At: last.At, By: "li", From: WarningNew, To: WarningDismissed, Note: dismissed.StateReason}
	assert.Equal(t, want, last)
	_, err = env.svc.HandleWarning(ctx, clerkActor, w.ID, 0, "")
	assert.True(t, errs.Is(err, errs.Conflict), "a closed warning stays closed: %v", err)

	// A later burst opens a new warning.
	env.warnImport(t, "北京悦动健身有限公司", "退费难", 0, "B09")
	got = env.list(t, WarningQuery{Kind: WarningBurst})
	require.Len(t, got, 2)
	open := env.list(t, WarningQuery{Kind: WarningBurst, States: []WarningState{WarningNew, WarningAcknowledged}})
	require.Len(t, open, 1)
	assert.NotEqual(t, w.ID, open[0].ID)
	assert.Len(t, open[0].Evidence, 9)

	page, err := env.log.List(ctx, audit.Query{Target: "warning/" + w.ID, Limit: 10})
	require.NoError(t, err)
	var actions []string
	for _, r := range page.Records {
		actions = append(actions, r.Action)
	}
	assert.Equal(t, []string{"warning.raise", "warning.update", "warning.dismissed"}, actions)
	rep, err := env.log.Verify(ctx, audit.Versioned{Collection: WarningsCollection, Kind: "warning"})
	require.NoError(t, err)
	assert.Empty(t, rep.Problems, "every version of every warning has its audit record")
}

var clerkActor = audit.Actor{Username: "li", Role: "regulator", Via: "api"}

func TestWarning_AcknowledgeAndHandle(t *testing.T) {
	env := newWarnEnv(t)
	ctx := context.Background()
	env.register(t, "MA01WACK0", "北京悦动健身有限公司")
	env.warnImport(t, "北京悦动健身有限公司", "退费难", 3, "A1", "A2", "A3", "A4", "A5")
	got := env.list(t, WarningQuery{})
	require.Len(t, got, 1)
	id := got[0].ID

	_, err := env.svc.AcknowledgeWarning(ctx, clerkActor, id, 7, "")
	assert.True(t, errs.Is(err, errs.Stale), "a stale If-Match: %v", err)
	w, err := env.svc.AcknowledgeWarning(ctx, clerkActor, id, 1, "已联系属地街道核实")
	require.NoError(t, err)
	assert.Equal(t, WarningAcknowledged, w.State)
	_, err = env.svc.AcknowledgeWarning(ctx, clerkActor, id, 0, "")
	assert.True(t, errs.Is(err, errs.Conflict), "already acknowledged: %v", err)

	// An acknowledged warning is still open: more complaints update it.
	env.warnImport(t, "北京悦动健身有限公司", "退费难", 1, "A6")
	w, err = env.svc.Warning(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, WarningAcknowledged, w.State)
	assert.Len(t, w.Evidence, 6)

	w, err = env.svc.HandleWarning(ctx, clerkActor, id, 0, "已约谈企业负责人")
	require.NoError(t, err)
	assert.Equal(t, WarningHandled, w.State)
	assert.Len(t, w.History, 3)
	_, err = env.svc.Warning(ctx, strings.Repeat("x", 101))
	assert.True(t, errs.Is(err, errs.NotFound))
}

func TestWarning_SevereJumpFromComplaints(t *testing.T) {
	env := newWarnEnv(t)
	u := env.register(t, "MA01WXEH0", "北京悦动健身有限公司")

	// One complainant calls twice, one other calls once: two complainants.
	for i, phone := range []string{"13911110001", "13911110001", "13911110002"} {
		_, err := env.svc.CreateComplaint(context.Background(), clerkActor, ComplaintInput{
			Ticket: fmt.Sprintf("S%d", i), ReceivedAt: warnNow.Add(-time.Hour), ComplainantPhone: phone,
			ReportedName: "北京悦动健身有限公司", Text: "该店突然关门，电话无人接听。", Category: CategoryClosed,
		})
		require.NoError(t, err)
	}
	assert.Empty(t, env.list(t, WarningQuery{Kind: WarningSevereJump}))

	_, err := env.svc.CreateComplaint(context.Background(), clerkActor, ComplaintInput{
		Ticket: "S3", ReceivedAt: warnNow, ComplainantPhone: "13911110003",
		ReportedName: "北京悦动健身有限公司", Text: "门店已人去楼空。", Category: CategoryClosed,
	})
	require.NoError(t, err)
	got := env.list(t, WarningQuery{Kind: WarningSevereJump, USCC: u})
	require.Len(t, got, 1)
	assert.Equal(t, SeverityHigh, got[0].Severity)
	assert.Equal(t, ticketIDs("S3", "S2", "S1", "S0"), got[0].Evidence)
	assert.Contains(t, got[0].Summary, "3位不同投诉人")
}

func TestWarning_RiskLevelReached(t *testing.T) {
	env := newWarnEnv(t)
	ctx := context.Background()
	u := env.register(t, "MA01WRRK0", "北京悦动健身有限公司")
	env.warnImport(t, "北京悦动健身有限公司", "退费难", 24*20, "R1", "R2")

	// The scorer tells of every change of level through its hook.
	var told RiskLevelHook = env.svc.RiskLevelReached
	require.NoError(t, told(ctx, u, RiskLow, RiskMedium))
	assert.Empty(t, env.list(t, WarningQuery{}), "medium is no warning")

	require.NoError(t, told(ctx, u, RiskMedium, RiskHigh))
	got := env.list(t, WarningQuery{Kind: WarningRiskLevel})
	require.Len(t, got, 1)
	assert.Equal(t, SeverityHigh, got[0].Severity)
	assert.Equal(t, "风险等级由中风险升至高风险。", got[0].Summary)
	assert.Equal(t, ticketIDs("R2", "R1"), got[0].Evidence)

	require.NoError(t, told(ctx, u, RiskHigh, RiskCritical))
	require.NoError(t, told(ctx, u, RiskCritical, RiskHigh))
	got = env.list(t, WarningQuery{Kind: WarningRiskLevel})
	require.Len(t, got, 1, "the open warning is updated")
	assert.Equal(t, SeverityCritical, got[0].Severity)
	assert.Equal(t, "风险等级由高风险升至极高风险。", got[0].Summary)

	err := env.svc.RiskLevelReached(ctx, "91110105MA01NNNE00", RiskMedium, RiskHigh)
	assert.True(t, errs.Is(err, errs.NotFound), "got %v", err)
}

func TestWarning_DetectionRoundTripsDoNotGrowWithComplaints(t *testing.T) {
	count := func(perEnterprise int) map[string]int {
		env := newWarnEnv(t)
		var codes []USCC
		for i := range 3 {
			name := fmt.Sprintf("北京第%d健身有限公司", i)
			codes = append(codes, env.register(t, fmt.Sprintf("MA01WRT%d0", i), name))
			var tickets []string
			for n := range perEnterprise {
				tickets = append(tickets, fmt.Sprintf("E%dN%03d", i, n))
			}
			env.warnImport(t, name, "退费难", 5, tickets...)
		}
		require.Len(t, env.list(t, WarningQuery{Kind: WarningBurst}), 3)

		// A run with nothing new to say reads and writes nothing but its four queries.
		env.mon.Reset()
		require.NoError(t, env.svc.detectWarnings(context.Background(), codes))
		return env.mon.Counts()
	}
	small, large := count(6), count(60)
	assert.Equal(t, small, large)
	assert.Equal(t, map[string]int{"find": 4}, large)
}
