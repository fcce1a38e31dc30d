package funds

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/pdf/pdftest"
)

var stmtTestHeaders = []string{"日期", "类型", "业务参考号", "监管资金变动（元）",
	"监管资金余额（元）", "预收资金余额（元）"}

// stmtTestLine is a line of the test statement with what its row must show.
type stmtTestLine struct {
	line StatementLine
	row  []string
}

// stmtTestLines returns n ledger lines of October 2026 in time order, from 00:30 on 1 October
// in Beijing (16:30 UTC the day before) to 23:59 on 31 October, cycling through every type,
// with the balances carried from 50,000.00 yuan held and 120,000.00 yuan outstanding; and the
// row each must print, written out by hand.
func stmtTestLines(n int) []stmtTestLine {
	held, outstanding := int64(5_000_000), int64(12_000_000)
	first := time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC)
	step := (time.Date(2026, 10, 31, 15, 59, 0, 0, time.UTC).Sub(first)) / time.Duration(max(n-1, 1))
	kinds := []struct {
		typ, label             string
		held, outstanding, fen int64
	}{
		{"sale", "预收款销售", 0, 1, 1_280_000},
		{"deposit", "存入监管账户", 1, 0, 512_000},
		{"release", "释放", -1, -1, 300_050},
		{"refund", "退款", -1, -1, 68_800},
		{"interest", "利息", 1, 0, 1_234},
		{"correction", "冲正", -1, 0, 99},
	}
	out := make([]stmtTestLine, n)
	for i := range out {
		k := kinds[i%len(kinds)]
		held += k.held * k.fen
		outstanding += k.outstanding * k.fen
		at := first.Add(time.Duration(i) * step)
		ref := fmt.Sprintf("BK%08d", 20261000+i)
		if i%7 == 3 {
			ref = "工商银行流水号 " + ref + "（望京门店 2026 年秋季会员卡批量退款）"
		}
		out[i] = stmtTestLine{
			line: StatementLine{At: at, Type: k.typ, Reference: ref, AmountFen: k.held * k.fen,
				HeldAfterFen: held, OutstandingAfterFen: outstanding},
			row: []string{at.Add(8 * time.Hour).Format("2006-01-02"), k.label, ref,
				stmtTestYuan(k.held*k.fen, true), stmtTestYuan(held, false), stmtTestYuan(outstanding, false)},
		}
	}
	return out
}

// stmtTestYuan writes fen as yuan the slow way, to check the document's formatting against.
func stmtTestYuan(fen int64, signed bool) string {
	sign := ""
	switch {
	case fen < 0:
		sign, fen = "-", -fen
	case fen > 0 && signed:
		sign = "+"
	}
	s := fmt.Sprintf("%d", fen/100)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("%s%s.%02d", sign, s, fen%100)
}

// stmtTestDoc returns the October statement with the lines given.
func stmtTestDoc(lines []stmtTestLine) StatementDoc {
	d := StatementDoc{
		AccountID:             "fa-0001",
		EnterpriseName:        "北京悦动力健身服务有限公司",
		USCC:                  "91110105MA01R8XK2N",
		Bank:                  "中国工商银行北京望京支行",
		AccountNumber:         "6222020200112345678",
		FromDay:               "2026-10-01",
		ToDay:                 "2026-10-31",
		OpeningHeldFen:        5_000_000,
		OpeningOutstandingFen: 12_000_000,
		ClosingHeldFen:        5_000_000,
		ClosingOutstandingFen: 12_000_000,
		RequiredSharePercent:  40,
		InsuredFen:            1_000_000,
		Bureau:                "北京市朝阳区市场监督管理局",
		GeneratedAt:           time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC),
	}
	for _, l := range lines {
		d.Lines = append(d.Lines, l.line)
		d.ClosingHeldFen, d.ClosingOutstandingFen = l.line.HeldAfterFen, l.line.OutstandingAfterFen
	}
	d.RequiredFen = (d.ClosingOutstandingFen*40 + 99) / 100
	return d
}

func TestStatementPDF_LongPeriod(t *testing.T) {
	lines := stmtTestLines(70)
	d := stmtTestDoc(lines)
	require.Equal(t, "2026-10-01", lines[0].row[0], "00:30 in Beijing is still 1 October")
	require.Equal(t, "2026-10-31", lines[69].row[0])

	out, err := StatementPDF(d)
	require.NoError(t, err)

	body, pages := fundsDocBody(t, out, "预付资金监管账户对账单　2026年10月1日至2026年10月31日", stmtTestHeaders)
	require.GreaterOrEqual(t, pages, 2, "70 lines run to a second page")
	text := pdftest.Text(t, out)
	second := pdftest.Squash(strings.Split(text, "\f")[1])
	assert.True(t, strings.HasPrefix(second, pdftest.Squash(strings.Join(stmtTestHeaders, ""))),
		"the table header is repeated at the top of page 2: %q", second)

	// 70 lines: 11 rounds of the six types, then a sale, a deposit, a release and a refund.
	// Held: 50,000.00 + 11 × (5,120.00 − 3,000.50 − 688.00 + 12.34 − 0.99) + (5,120.00 −
	// 3,000.50 − 688.00) = 67,302.85; outstanding: 120,000.00 + 12 × (12,800.00 − 3,000.50 −
	// 688.00) = 229,338.00; required 40 %: 91,735.20; coverage (67,302.85 + 10,000.00) ÷
	// 91,735.20 = 84.267…%.
	require.Equal(t, int64(6_730_285), d.ClosingHeldFen)
	require.Equal(t, int64(22_933_800), d.ClosingOutstandingFen)
	want := []string{
		"北京市朝阳区市场监督管理局", "预付资金监管账户对账单",
		"企业名称：北京悦动力健身服务有限公司",
		"统一社会信用代码：91110105MA01R8XK2N",
		"开户银行：中国工商银行北京望京支行",
		"监管账户：6222 **** **** 5678",
		"对账期间：2026年10月1日至2026年10月31日",
		"一、期初余额", "监管资金余额：50,000.00元", "预收资金余额：120,000.00元",
		"二、本期明细",
	}
	want = append(want, stmtTestHeaders...)
	for _, l := range lines {
		want = append(want, l.row...)
	}
	want = append(want,
		"三、期末余额", "监管资金余额：67,302.85元", "预收资金余额：229,338.00元", "本期监管资金变动：+17,302.85元",
		"四、存管要求与保障",
		"应存管金额：91,735.20元（期末预收资金余额的40%）",
		"保险及保函保障：10,000.00元",
		"覆盖率：84.27%（（期末监管资金余额＋保障金额）÷应存管金额）",
		"生成时间：2026年11月1日 09:00",
	)
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body)
	assert.NotContains(t, pdftest.Squash(text), d.AccountNumber)

	again, err := StatementPDF(d)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(out, again), "the statement PDF changed between two renderings")
}

func TestStatementPDF_NoEntries(t *testing.T) {
	d := stmtTestDoc(nil)
	d.Bureau = ""
	d.RequiredSharePercent, d.RequiredFen = 0, 0

	out, err := StatementPDF(d)
	require.NoError(t, err)

	body, pages := fundsDocBody(t, out, "预付资金监管账户对账单　2026年10月1日至2026年10月31日", nil)
	assert.Equal(t, 1, pages)
	want := []string{
		"预付资金监管账户对账单",
		"企业名称：北京悦动力健身服务有限公司",
		"统一社会信用代码：91110105MA01R8XK2N",
		"开户银行：中国工商银行北京望京支行",
		"监管账户：6222 **** **** 5678",
		"对账期间：2026年10月1日至2026年10月31日",
		"一、期初余额", "监管资金余额：50,000.00元", "预收资金余额：120,000.00元",
		"二、本期明细", "本期无记账。",
		"三、期末余额", "监管资金余额：50,000.00元", "预收资金余额：120,000.00元", "本期监管资金变动：0.00元",
		"四、存管要求与保障",
		"应存管金额：0.00元（期末预收资金余额的0%）",
		"保险及保函保障：10,000.00元",
		"覆盖率：无应存管金额",
		"生成时间：2026年11月1日 09:00",
	}
	assert.Equal(t, pdftest.Squash(strings.Join(want, "")), body)
}

func TestStmtCoverage(t *testing.T) {
	const note = "（（期末监管资金余额＋保障金额）÷应存管金额）"
	tests := []struct {
		covered, required int64
		want              string
	}{
		{150, 100, "150.00%"},
		{1, 3, "33.33%"},
		{2, 3, "66.67%"},
		{1, 8, "12.50%"},
		{1, 40_000, "0.00%"},   // 0.25 basis points
		{1, 20_000, "0.01%"},   // 0.5 basis points, rounded half up
		{-1, 20_000, "-0.01%"}, // an overdrawn account, rounded away from zero
		{0, 100, "0.00%"},
		{stmtMaxBalanceFen, 3, "3333333333333333333.33%"}, // beyond int64 in basis points
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want+note, stmtCoverage(tt.covered, tt.required), "%d / %d", tt.covered, tt.required)
	}
	assert.Equal(t, "无应存管金额", stmtCoverage(100, 0))
}

func TestStatementPDF_Refused(t *testing.T) {
	tests := []struct {
		name   string
		change func(*StatementDoc)
		field  string
		says   string
	}{
		{"held does not follow", func(d *StatementDoc) { d.Lines[3].HeldAfterFen++ },
			"lines[3].held_after_fen", "应为"},
		{"closing held does not follow", func(d *StatementDoc) { d.ClosingHeldFen-- }, "closing_held_fen", "67,302.85"},
		{"closing outstanding does not follow", func(d *StatementDoc) { d.ClosingOutstandingFen = 0 },
			"closing_outstanding_fen", "229,338.00"},
		{"out of order", func(d *StatementDoc) { d.Lines[5].At = d.Lines[4].At.Add(-time.Minute) },
			"lines[5].at", "早于上一笔"},
		{"after the period", func(d *StatementDoc) { d.Lines[69].At = time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC) },
			"lines[69].at", "不在对账期间内"},
		{"before the period", func(d *StatementDoc) { d.Lines[0].At = time.Date(2026, 9, 30, 15, 59, 0, 0, time.UTC) },
			"lines[0].at", "不在对账期间内"},
		{"unknown type", func(d *StatementDoc) { d.Lines[2].Type = "transfer" }, "lines[2].type", "transfer"},
		{"bad day", func(d *StatementDoc) { d.FromDay = "2026/10/01" }, "from_day", "2006-01-02"},
		{"period backwards", func(d *StatementDoc) { d.ToDay = "2026-09-30" }, "to_day", "早于"},
		{"no time of generation", func(d *StatementDoc) { d.GeneratedAt = time.Time{} }, "generated_at", "生成时间"},
		{"negative cover", func(d *StatementDoc) { d.InsuredFen = -1 }, "insured_fen", "之间"},
		{"share over 100", func(d *StatementDoc) { d.RequiredSharePercent = 140 }, "required_share_percent", "100"},
		{"no account number", func(d *StatementDoc) { d.AccountNumber = "" }, "account_number", "账号"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := stmtTestDoc(stmtTestLines(70))
			tt.change(&d)
			_, err := StatementPDF(d)
			require.Error(t, err)
			assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
			msg := ""
			for _, f := range errs.FieldsOf(err) {
				if f.Field == tt.field {
					msg = f.Message
				}
			}
			assert.Contains(t, msg, tt.says, "field %s in %v", tt.field, err)
		})
	}
}
