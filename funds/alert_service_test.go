package funds

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// alertOf returns the alert of the kind among alerts, failing when there is none.
func alertOf(t *testing.T, alerts []Alert, kind AlertKind) Alert {
	t.Helper()
	for _, a := range alerts {
		if a.Kind == kind {
			return a
		}
	}
	t.Fatalf("no %s alert among %v", kind, alerts)
	return Alert{}
}

func kinds(alerts []Alert) []AlertKind {
	out := []AlertKind{}
	for _, a := range alerts {
		out = append(out, a.Kind)
	}
	return out
}

func TestService_CoverageBelowAlert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.post(t, a.ID, "s1", EntrySale, 10_000_000) // 100,000 yuan sold: 40,000 required
	f.post(t, a.ID, "d1", EntryDeposit, 2_500_000)

	got, err := f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []AlertKind{AlertCoverageBelow}, kinds(got))
	al := got[0]
	assert.Contains(t, al.Detail, "覆盖率 62.50%，差额 15,000.00 元")
	assert.Equal(t, map[string]int64{"held_fen": 2_500_000, "insured_fen": 0, "required_fen": 4_000_000,
		"shortfall_fen": 1_500_000, "coverage_bp": 6250}, al.Figures)
	assert.Equal(t, AlertNew, al.State)
	assert.EqualValues(t, 1, al.Version)

	// Checked again with nothing changed, the alert is left as it is.
	got, err = f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, got[0].Version)

	// More sold: the open alert's figures are updated, no second alert.
	f.post(t, a.ID, "s2", EntrySale, 2_500_000)
	require.NoError(t, f.svc.AfterPost(ctx, a.ID))
	stored, err := f.svc.Alert(ctx, al.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 2, stored.Version)
	assert.EqualValues(t, 5_000_000, stored.Figures["required_fen"])
	assert.Contains(t, stored.Detail, "覆盖率 50.00%，差额 25,000.00 元")
	assert.EqualValues(t, 1, f.count(t, AlertsCollection))

	// Covered again, the alert stays open until a person closes it.
	f.post(t, a.ID, "d2", EntryDeposit, 3_000_000)
	got, err = f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, got)
	stored, err = f.svc.Alert(ctx, al.ID)
	require.NoError(t, err)
	assert.Equal(t, AlertNew, stored.State)

	t.Run("JSON names", func(t *testing.T) {
		raw, err := json.Marshal(stored)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		for _, k := range []string{"id", "account_id", "uscc", "kind", "detail", "figures", "evidence", "state",
			"raised_at", "updated_at", "version"} {
			assert.Contains(t, m, k)
		}
	})
	verifyAlertTrail(t, f.log)
}

func TestService_NoDepositAlert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.now = at(t, "2026-10-30", "09:00")
	f.postAt(t, a.ID, "d0",
		EntryInput{Type: EntryDeposit, AmountFen: 5_000_000, OccurredAt: at(t, "2026-09-30", "10:00")})
	f.postAt(t, a.ID, "s1", EntryInput{Type: EntrySale, AmountFen: 1_000_000, OccurredAt: at(t, "2026-10-01", "10:00")})
	f.postAt(t, a.ID, "s2", EntryInput{Type: EntrySale, AmountFen: 2_000_000, OccurredAt: at(t, "2026-10-20", "10:00")})

	// The 30 days are 1 to 30 October: the deposit of 30 September is just outside.
	got, err := f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	al := alertOf(t, got, AlertNoDeposit)
	assert.Equal(t, "近30日（2026年10月1日至2026年10月30日）报告预收款销售 2 笔共 30,000.00 元，"+
		"同期无资金存入监管账户；最近一次存入为2026年9月30日。", al.Detail)
	assert.EqualValues(t, 2, al.Figures["sales"])
	assert.Len(t, al.Evidence, 2)

	// The open alert reaches the risk score's fund factor beside the coverage figures.
	sig, err := f.svc.RiskSignals(ctx, a.USCC)
	require.NoError(t, err)
	others := 0
	for _, k := range kinds(got) {
		if k != AlertCoverageBelow {
			others++
		}
	}
	assert.GreaterOrEqual(t, others, 1)
	assert.Equal(t, others, sig.FundAlerts, "open alerts other than the shortfall: %v", kinds(got))

	// A day earlier the deposit fell inside the window.
	f.now = at(t, "2026-10-29", "23:59")
	got, err = f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.NotContains(t, kinds(got), AlertNoDeposit)
}

func TestService_ReleaseBeforeClosureAlert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.now = at(t, "2026-10-20", "09:00")
	post := func(key string, typ EntryType, fen int64, day string) {
		f.postAt(t, a.ID, key, EntryInput{Type: typ, AmountFen: fen, OccurredAt: at(t, day, "10:00")})
	}
	post("s1", EntrySale, 10_000_000, "2026-09-01")
	post("d1", EntryDeposit, 10_000_000, "2026-09-01")
	post("r0", EntryRelease, 3_000_000, "2026-09-10") // 30 % of 100,000 exactly, and too early
	post("r1", EntryRelease, 2_000_000, "2026-09-20") // 28.57 % of 70,000: not more than 30 %
	post("r2", EntryRelease, 2_000_000, "2026-09-28") // 40 % of 50,000
	post("d2", EntryDeposit, 1_000_000, "2026-10-05") // keeps no_deposit quiet
	closeEnterprise(t, f, a.USCC, at(t, "2026-10-13", "16:00"))

	got, err := f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	al := alertOf(t, got, AlertReleaseBeforeClosure)
	assert.Equal(t, "企业状态变为“已关闭”（2026年10月13日）前15日内，2026年9月28日释放 20,000.00 元，"+
		"占释放前存管余额 50,000.00 元的40.00%，超过30%。", al.Detail)
	assert.EqualValues(t, 4000, al.Figures["share_bp"])
	assert.EqualValues(t, 1, al.Figures["releases"])
	assert.Equal(t, []string{a.ID + ":r2"}, al.Evidence)

	// 14 October: 28 September is 16 days before, out of the window.
	closeEnterprise(t, f, a.USCC, at(t, "2026-10-14", "08:00"))
	_, err = f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.countKind(t, AlertReleaseBeforeClosure), "the alert stays, no new one")
}

// closeEnterprise marks the enterprise closed, its record last changed at when.
func closeEnterprise(t *testing.T, f *fixture, code registry.USCC, when time.Time) {
	t.Helper()
	_, err := f.db.Collection(registry.EnterprisesCollection).UpdateOne(context.Background(),
		bson.M{"_id": string(code)},
		bson.M{"$set": bson.M{"status": string(registry.StatusClosed), "updated_at": when.UTC()}})
	require.NoError(t, err)
}

func (f *fixture) countKind(t *testing.T, kind AlertKind) int64 {
	t.Helper()
	n, err := f.db.Collection(AlertsCollection).CountDocuments(context.Background(), bson.M{"kind": string(kind)})
	require.NoError(t, err)
	return n
}

func TestService_StatementMissingAlert(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t) // opened 2026-09-21

	f.now = at(t, "2026-10-26", "23:00") // 35 days
	got, err := f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, got)

	f.now = at(t, "2026-10-27", "00:10") // 36 days
	got, err = f.svc.CheckAccount(ctx, a.ID)
	require.NoError(t, err)
	al := alertOf(t, got, AlertStatementMissing)
	assert.Equal(t, "账户于2026年9月21日开立，此后已36日未收到银行对账单（应每35日内至少导入一次）。", al.Detail)
	assert.EqualValues(t, 36, al.Figures["days_since"])
}

func TestService_SweepAndWorkAlerts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.account(t), f.account(t)
	f.post(t, a.ID, "s1", EntrySale, 1_000_000) // coverage and no deposit
	f.post(t, b.ID, "s1", EntrySale, 1_000_000)
	f.post(t, b.ID, "d1", EntryDeposit, 100_000) // coverage only

	raised, err := f.svc.SweepAlerts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, raised)
	raised, err = f.svc.SweepAlerts(ctx)
	require.NoError(t, err)
	assert.Zero(t, raised, "open alerts are not raised twice")

	t.Run("queue", func(t *testing.T) {
		page, err := f.svc.Alerts(ctx, AlertQuery{State: AlertOpen, Limit: 2})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		require.NotEmpty(t, page.NextCursor)
		rest, err := f.svc.Alerts(ctx, AlertQuery{State: AlertOpen, Limit: 2, Cursor: page.NextCursor})
		require.NoError(t, err)
		require.Len(t, rest.Items, 1)
		assert.Empty(t, rest.NextCursor)

		own, err := f.svc.Alerts(ctx, AlertQuery{USCC: string(b.USCC)})
		require.NoError(t, err)
		assert.Equal(t, []AlertKind{AlertCoverageBelow}, kinds(own.Items))

		for _, q := range []AlertQuery{{State: "done"}, {USCC: "x"}, {Limit: 500}, {Cursor: "@@"}, {Kind: "other"}} {
			_, err := f.svc.Alerts(ctx, q)
			requireKind(t, err, errs.Invalid)
		}
	})

	t.Run("acknowledge and close", func(t *testing.T) {
		page, err := f.svc.Alerts(ctx, AlertQuery{USCC: string(b.USCC)})
		require.NoError(t, err)
		al := page.Items[0]

		_, err = f.svc.AcknowledgeAlert(ctx, officer, al.ID, al.Version+1)
		requireKind(t, err, errs.Stale)
		acked, err := f.svc.AcknowledgeAlert(ctx, officer, al.ID, al.Version)
		require.NoError(t, err)
		assert.Equal(t, AlertAcknowledged, acked.State)
		assert.Equal(t, "zhao", acked.AcknowledgedBy)
		_, err = f.svc.AcknowledgeAlert(ctx, officer, al.ID, acked.Version)
		requireKind(t, err, errs.Conflict)

		_, err = f.svc.CloseAlert(ctx, officer, al.ID, acked.Version, " ")
		requireKind(t, err, errs.Invalid)
		_, err = f.svc.CloseAlert(ctx, officer, al.ID, al.Version, "已补足")
		requireKind(t, err, errs.Stale)
		closed, err := f.svc.CloseAlert(ctx, officer, al.ID, acked.Version, "企业已补存资金")
		require.NoError(t, err)
		assert.Equal(t, AlertClosed, closed.State)
		assert.Equal(t, "企业已补存资金", closed.ClosedNote)
		_, err = f.svc.CloseAlert(ctx, officer, al.ID, closed.Version, "again")
		requireKind(t, err, errs.Conflict)
		_, err = f.svc.AcknowledgeAlert(ctx, officer, "none", 1)
		requireKind(t, err, errs.NotFound)

		// The coverage still falls short: the next sweep opens a new alert, the closed stays.
		raised, err := f.svc.SweepAlerts(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, raised)
		page, err = f.svc.Alerts(ctx, AlertQuery{USCC: string(b.USCC)})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		assert.Equal(t, alertID(b.ID, AlertCoverageBelow, 2), page.Items[0].ID)
		assert.Equal(t, AlertClosed, page.Items[1].State)
	})
	verifyAlertTrail(t, f.log)
}
