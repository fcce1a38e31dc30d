package funds

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
)

// postAt posts an entry that occurred at a given time and must pass.
func (f *fixture) postAt(t testing.TB, accountID, key string, in EntryInput) *Entry {
	t.Helper()
	e, _, err := f.svc.PostEntry(context.Background(), officer, accountID, key, in)
	require.NoError(t, err)
	return e
}

// The ICBC sample's ledger: everything but the interest of 21 March is booked.
func icbcLedger(t *testing.T, f *fixture, accountID string) {
	t.Helper()
	f.postAt(t, accountID, "s0",
		EntryInput{Type: EntrySale, AmountFen: 25_000_000, OccurredAt: at(t, "2026-02-20", "10:00")})
	f.postAt(t, accountID, "d0", EntryInput{Type: EntryDeposit, AmountFen: 10_000_000, Reference: "DEP-OPEN",
		OccurredAt: at(t, "2026-02-20", "11:00")})
	f.postAt(t, accountID, "d1", EntryInput{Type: EntryDeposit, AmountFen: 1_200_000, Reference: "DEP-20260302-01",
		OccurredAt: at(t, "2026-03-02", "09:15")})
	f.postAt(t, accountID, "r1", EntryInput{Type: EntryRelease, AmountFen: 300_000, Reference: "REL-20260305-01",
		OccurredAt: at(t, "2026-03-05", "14:30")})
	f.postAt(t, accountID, "f1", EntryInput{Type: EntryRefund, AmountFen: 80_050, Reference: "rfd-20260310-07",
		OccurredAt: at(t, "2026-03-10", "10:02")})
}

func TestService_ImportStatement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	icbcLedger(t, f, a.ID)
	data, err := os.ReadFile("testdata/statements/icbc-gb18030.csv")
	require.NoError(t, err)

	imp, err := f.svc.ImportStatement(ctx, officer, a.ID, bytes.NewReader(data), "icbc-gb18030.csv")
	require.NoError(t, err)
	assert.False(t, imp.Replayed)
	assert.Equal(t, StatementCounts{StatementLines: 4, LedgerLines: 3, Matched: 3, UnmatchedStatement: 1,
		Discrepancies: 1}, imp.Counts)
	require.Len(t, imp.UnmatchedStatement, 1)
	assert.Equal(t, "INT-2026Q1", imp.UnmatchedStatement[0].Reference)
	require.Len(t, imp.Discrepancies, 1)
	assert.EqualValues(t, 10_833_477, imp.Discrepancies[0].StatementFen)
	assert.EqualValues(t, 10_819_950, imp.Discrepancies[0].LedgerFen)
	assert.EqualValues(t, 13_527, imp.Discrepancies[0].DifferenceFen)
	assert.Equal(t, "2026-03-02", dayOf(imp.From))
	assert.Equal(t, "2026-03-21", dayOf(imp.To))

	require.NotNil(t, imp.Alert)
	assert.Equal(t, AlertStatementMismatch, imp.Alert.Kind)
	assert.Contains(t, imp.Alert.Detail, "余额不符 1 天，最大差额 135.27 元")
	assert.Contains(t, imp.Alert.Detail, "银行流水未匹配 1 笔")
	assert.EqualValues(t, 13_527, imp.Alert.Figures["max_difference_fen"])
	assert.Equal(t, []string{imp.ID}, imp.Alert.Evidence)

	t.Run("the same file twice is one import", func(t *testing.T) {
		records := f.count(t, audit.RecordsCollection)
		again, err := f.svc.ImportStatement(ctx, officer, a.ID, bytes.NewReader(data), "renamed.csv")
		require.NoError(t, err)
		assert.True(t, again.Replayed)
		assert.Equal(t, imp.ID, again.ID)
		assert.Equal(t, "icbc-gb18030.csv", again.FileName)
		assert.EqualValues(t, 1, f.count(t, StatementsCollection))
		assert.EqualValues(t, 1, f.count(t, AlertsCollection))
		assert.Equal(t, records, f.count(t, audit.RecordsCollection), "nothing written")
	})

	t.Run("a refused file writes nothing", func(t *testing.T) {
		before := []int64{f.count(t, StatementsCollection), f.count(t, AlertsCollection),
			f.count(t, audit.RecordsCollection)}
		for name, body := range map[string]string{
			"binary.csv":    "\x00\x01\x02PK\x03\x04",
			"no-header.csv": "a,b,c\n1,2,3\n",
			"no-lines.csv":  "交易日期,金额\n",
		} {
			_, err := f.svc.ImportStatement(ctx, officer, a.ID, strings.NewReader(body), name)
			requireKind(t, err, errs.Invalid)
		}
		_, err := f.svc.ImportStatement(ctx, officer, "FA-none", bytes.NewReader(data), "x.csv")
		requireKind(t, err, errs.NotFound)
		after := []int64{f.count(t, StatementsCollection), f.count(t, AlertsCollection),
			f.count(t, audit.RecordsCollection)}
		assert.Equal(t, before, after)
	})

	t.Run("another statement updates the open alert", func(t *testing.T) {
		bom, err := os.ReadFile("testdata/statements/newest-first-utf8bom.csv")
		require.NoError(t, err)
		imp2, err := f.svc.ImportStatement(ctx, officer, a.ID, bytes.NewReader(bom), "newest-first.csv")
		require.NoError(t, err)
		require.NotNil(t, imp2.Alert)
		assert.Equal(t, imp.Alert.ID, imp2.Alert.ID, "one open alert per account and kind")
		assert.EqualValues(t, 2, imp2.Alert.Version)
		assert.Equal(t, []string{imp2.ID, imp.ID}, imp2.Alert.Evidence)
		assert.EqualValues(t, 2, f.count(t, StatementsCollection))
		assert.EqualValues(t, 1, f.count(t, AlertsCollection))
	})
	verifyAlertTrail(t, f.log)
}

func verifyAlertTrail(t *testing.T, log *audit.Log) {
	t.Helper()
	rep, err := log.Verify(context.Background(),
		audit.Versioned{Collection: AccountsCollection, Kind: "fund_account"},
		audit.Versioned{Collection: AlertsCollection, Kind: "fund_alert"})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "audit trail: %v", rep.Problems)
}

func TestService_StatementDocument(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)
	f.now = at(t, "2026-10-01", "09:00")
	post := func(key string, typ EntryType, fen int64, ref, day, clock string) *Entry {
		return f.postAt(t, a.ID, key,
			EntryInput{Type: typ, AmountFen: fen, Reference: ref, OccurredAt: at(t, day, clock)})
	}
	post("s0", EntrySale, 10_000_000, "S-0820", "2026-08-20", "10:00")
	post("d0", EntryDeposit, 5_000_000, "D-0820", "2026-08-20", "11:00")
	dep := post("d1", EntryDeposit, 1_000_000, "D-0905", "2026-09-05", "10:00")
	post("r1", EntryRelease, 500_000, "R-0910", "2026-09-10", "10:00")
	post("s1", EntrySale, 2_000_000, "S-0915", "2026-09-15", "10:00")
	post("f1", EntryRefund, 123_456, "F-0920", "2026-09-20", "10:00")
	f.postAt(t, a.ID, "c1", EntryInput{Type: EntryCorrection, Corrects: dep.ID, Reference: "C-0925",
		OccurredAt: at(t, "2026-09-25", "10:00")})
	post("d2", EntryDeposit, 99_900, "D-1001", "2026-10-01", "00:30") // after the period

	out, err := f.svc.StatementDocument(ctx, a.ID, at(t, "2026-09-01", "00:00"), at(t, "2026-09-30", "23:59"),
		"北京市朝阳区市场监督管理局")
	require.NoError(t, err)
	body, _ := fundsDocBody(t, out, "预付资金监管账户对账单　2026年9月1日至2026年9月30日", stmtTestHeaders)

	// Opening: 50,000.00 held, 100,000.00 outstanding. Closing: 50,000 + 10,000 − 5,000 −
	// 1,234.56 − 10,000 = 43,765.44 held; 100,000 − 5,000 + 20,000 − 1,234.56 = 113,765.44
	// outstanding; 40 % of it is 45,506.176, rounded up 45,506.18; coverage 96.17 %.
	want := []string{
		"北京市朝阳区市场监督管理局", "预付资金监管账户对账单",
		"企业名称：测试健身000有限公司",
		"统一社会信用代码：" + string(a.USCC),
		"开户银行：中国工商银行",
		"监管账户：6222 **** **** 7890",
		"对账期间：2026年9月1日至2026年9月30日",
		"一、期初余额", "监管资金余额：50,000.00元", "预收资金余额：100,000.00元",
		"二、本期明细",
	}
	want = append(want, stmtTestHeaders...)
	want = append(want,
		"2026-09-05", "存入监管账户", "D-0905", "+10,000.00", "60,000.00", "100,000.00",
		"2026-09-10", "释放", "R-0910", "-5,000.00", "55,000.00", "95,000.00",
		"2026-09-15", "预收款销售", "S-0915", "0.00", "55,000.00", "115,000.00",
		"2026-09-20", "退款", "F-0920", "-1,234.56", "53,765.44", "113,765.44",
		"2026-09-25", "冲正", "C-0925", "-10,000.00", "43,765.44", "113,765.44",
		"三、期末余额", "监管资金余额：43,765.44元", "预收资金余额：113,765.44元", "本期监管资金变动：-6,234.56元",
		"四、存管要求与保障",
		"应存管金额：45,506.18元（期末预收资金余额的40%）",
		"保险及保函保障：0.00元",
		"覆盖率：96.17%（（期末监管资金余额＋保障金额）÷应存管金额）",
		"生成时间：2026年10月1日 09:00",
	)
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body)

	_, err = f.svc.StatementDocument(ctx, a.ID, at(t, "2026-09-30", "00:00"), at(t, "2026-09-01", "00:00"), "")
	requireKind(t, err, errs.Invalid)
	_, err = f.svc.StatementDocument(ctx, "FA-none", at(t, "2026-09-01", "00:00"), at(t, "2026-09-30", "00:00"), "")
	requireKind(t, err, errs.NotFound)
}
