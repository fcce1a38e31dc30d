package funds

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// stmtWant is a statement line as a test writes it: the day or time in Asia/Shanghai as text,
// the balance in fen or nil.
type stmtWant struct {
	row     int
	date    string
	ref     string
	fen     int64
	balance *int64
}

func stmtFen(v int64) *int64 { return &v }

// stmtGot turns parsed lines into the shape tests write.
func stmtGot(lines []StatementEntry) []stmtWant {
	out := []stmtWant{}
	for _, l := range lines {
		date := l.Date.Format("2006-01-02 15:04:05")
		date = strings.TrimSuffix(date, " 00:00:00")
		out = append(out, stmtWant{l.Row, date, l.Reference, l.AmountFen, l.BalanceFen})
	}
	return out
}

// stmtParse parses text that must be accepted as a file.
func stmtParse(t *testing.T, text string) *Statement {
	t.Helper()
	st, err := ParseStatement(strings.NewReader(text), "statement.csv")
	require.NoError(t, err)
	return st
}

func TestParseStatement_Headers(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []stmtWant
	}{
		{
			name: "chinese names with a unit note",
			text: "交易日期,流水号,金额(元),余额(元)\n2026-03-02,DEP-1,12000.00,112000.00\n",
			want: []stmtWant{{2, "2026-03-02", "DEP-1", 1_200_000, stmtFen(11_200_000)}},
		},
		{
			name: "other chinese names",
			text: "日期,交易流水号,摘要,交易金额,账户余额\n2026/03/02,DEP-1,存入,12000,112000\n",
			want: []stmtWant{{2, "2026-03-02", "DEP-1", 1_200_000, stmtFen(11_200_000)}},
		},
		{
			name: "english names in any case",
			text: "DATE, Reference ,Amount,Balance\n20260302,DEP-1,12000,112000\n",
			want: []stmtWant{{2, "2026-03-02", "DEP-1", 1_200_000, stmtFen(11_200_000)}},
		},
		{
			name: "摘要 as reference when there is no serial number",
			text: "日期,摘要,金额\n2026-03-02,DEP-1,12000\n",
			want: []stmtWant{{2, "2026-03-02", "DEP-1", 1_200_000, nil}},
		},
		{
			name: "full-width header",
			text: "交易日期，流水号\n" + "交易日期,流水号,金额（元）\n2026-03-02,DEP-1,1\n",
			want: []stmtWant{{3, "2026-03-02", "DEP-1", 100, nil}},
		},
		{
			name: "title and account rows above the header",
			text: "某某银行账户明细\n账号,6222020000000000123\n\n日期,流水号,金额,余额\n2026-03-02,DEP-1,1.00,1.00\n",
			want: []stmtWant{{5, "2026-03-02", "DEP-1", 100, stmtFen(100)}},
		},
		{
			name: "no reference column",
			text: "日期,金额\n2026-03-02,1\n",
			want: []stmtWant{{2, "2026-03-02", "", 100, nil}},
		},
		{
			name: "收入 and 支出",
			text: "日期,流水号,收入,支出,余额\n2026-03-02,A,100.00,,100.00\n2026-03-03,B,0.00,40.00,60.00\n",
			want: []stmtWant{
				{2, "2026-03-02", "A", 10_000, stmtFen(10_000)},
				{3, "2026-03-03", "B", -4_000, stmtFen(6_000)},
			},
		},
		{
			name: "贷方 is money in and 借方 money out on a bank's statement",
			text: "交易日期,流水号,借方发生额,贷方发生额\n2026-03-02,A,,100\n2026-03-03,B,40,\n",
			want: []stmtWant{{2, "2026-03-02", "A", 10_000, nil}, {3, "2026-03-03", "B", -4_000, nil}},
		},
		{
			name: "a note in brackets says the direction",
			text: "交易日期,流水号,借方(收入),贷方(支出)\n2026-03-02,A,100,\n2026-03-03,B,,40\n",
			want: []stmtWant{{2, "2026-03-02", "A", 10_000, nil}, {3, "2026-03-03", "B", -4_000, nil}},
		},
		{
			name: "expense written with a minus sign",
			text: "日期,流水号,收入,支出\n2026-03-03,B,,-40\n",
			want: []stmtWant{{2, "2026-03-03", "B", -4_000, nil}},
		},
		{
			name: "unsigned amounts beside a direction column",
			text: "交易日期,交易金额,借贷标志\n2026-03-02,100,贷\n2026-03-03,40,借\n2026-03-04,-5,借\n2026-03-05,-6,\n",
			want: []stmtWant{
				{2, "2026-03-02", "", 10_000, nil}, {3, "2026-03-03", "", -4_000, nil},
				{4, "2026-03-04", "", -500, nil}, {5, "2026-03-05", "", -600, nil},
			},
		},
		{
			name: "tab-separated",
			text: "日期\t流水号\t金额\n2026-03-02\tA\t1,000.00\n",
			want: []stmtWant{{2, "2026-03-02", "A", 100_000, nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stmtParse(t, tt.text)
			assert.Empty(t, st.Errors)
			assert.Equal(t, tt.want, stmtGot(st.Lines))
		})
	}
}

func TestParseStatement_Values(t *testing.T) {
	tests := []struct {
		name   string
		date   string
		amount string
		want   stmtWant
	}{
		{"date with dashes", "2026-03-02", "1", stmtWant{date: "2026-03-02", fen: 100}},
		{"date with slashes", "2026/03/02", "1", stmtWant{date: "2026-03-02", fen: 100}},
		{"date as digits", "20260302", "1", stmtWant{date: "2026-03-02", fen: 100}},
		{"date and time", "2026-03-02 09:15:30", "1", stmtWant{date: "2026-03-02 09:15:30", fen: 100}},
		{"digits with time", "20260302091530", "1", stmtWant{date: "2026-03-02 09:15:30", fen: 100}},
		{"thousands separators", "2026-03-02", `"1,234,567.89"`, stmtWant{date: "2026-03-02", fen: 123_456_789}},
		{"minus sign", "2026-03-02", `"-1,234.5"`, stmtWant{date: "2026-03-02", fen: -123_450}},
		{"plus sign", "2026-03-02", "+80", stmtWant{date: "2026-03-02", fen: 8_000}},
		{"parentheses for a debit", "2026-03-02", `"(1,234.56)"`, stmtWant{date: "2026-03-02", fen: -123_456}},
		{"yuan sign and unit", "2026-03-02", "￥12.30元", stmtWant{date: "2026-03-02", fen: 1_230}},
		{"full-width digits", "２０２６-０３-０２", "１２.３０", stmtWant{date: "2026-03-02", fen: 1_230}},
		{"third decimal zero", "2026-03-02", "12.340", stmtWant{date: "2026-03-02", fen: 1_234}},
		{"zero", "2026-03-02", "0.00", stmtWant{date: "2026-03-02", fen: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stmtParse(t, "日期,流水号,金额\n"+tt.date+",R,"+tt.amount+"\n")
			require.Empty(t, st.Errors)
			want := tt.want
			want.row, want.ref = 2, "R"
			assert.Equal(t, []stmtWant{want}, stmtGot(st.Lines))
			assert.Equal(t, workday.Zone, st.Lines[0].Date.Location())
		})
	}
}

func TestParseStatement_BadRows(t *testing.T) {
	tests := []struct {
		name string
		row  string
		want []RowError // Message holds a part of the message
	}{
		{"three decimals", "2026-03-02,R,12.345,1", []RowError{{2, "金额", "不是整分"}}},
		{"three decimals in the balance", "2026-03-02,R,12,1.001", []RowError{{2, "余额", "not whole fen"}}},
		{"bad date", "2026-02-30,R,1,1", []RowError{{2, "日期", "无法识别"}}},
		{"a spreadsheet's serial date", "46083,R,1,1", []RowError{{2, "日期", "unrecognised date"}}},
		{"date before 2000", "1999-12-31,R,1,1", []RowError{{2, "日期", "out of range"}}},
		{"no date", ",R,1,1", []RowError{{2, "日期", "date required"}}},
		{"no amount", "2026-03-02,R,,1", []RowError{{2, "金额", "amount required"}}},
		{"not an amount", "2026-03-02,R,abc,1", []RowError{{2, "金额", "invalid amount"}}},
		{"comma as decimal mark", `2026-03-02,R,"12,5",1`, []RowError{{2, "金额", "invalid amount"}}},
		{"unclosed parenthesis", "2026-03-02,R,(12,1", []RowError{{2, "金额", "invalid amount"}}},
		{"unknown direction", "2026-03-02,R,1,1,X", []RowError{{2, "借贷标志", "direction must be 借 or 贷"}}},
		{"every reason of a row", "2026/13/01,R,1.234,x", []RowError{
			{2, "日期", "无法识别"}, {2, "金额", "不是整分"}, {2, "余额", "invalid amount"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stmtParse(t, "日期,流水号,金额,余额,借贷标志\n"+tt.row+"\n2026-03-03,NEXT,1,1,贷\n")

			require.Len(t, st.Errors, len(tt.want), "errors: %v", st.Errors)
			for i, want := range tt.want {
				got := st.Errors[i]
				assert.Equal(t, want.Row, got.Row)
				assert.Equal(t, want.Column, got.Column)
				assert.Contains(t, got.Message, want.Message)
			}
			// The bad row is left out, and the reading went on.
			require.Len(t, st.Lines, 1)
			assert.Equal(t, "NEXT", st.Lines[0].Reference)
		})
	}
}

func TestParseStatement_IncomeAndExpenseRows(t *testing.T) {
	st := stmtParse(t, "日期,流水号,收入,支出\n"+
		"2026-03-02,BOTH,10,20\n"+
		"2026-03-02,NONE,,\n"+
		"2026-03-02,ZEROS,0.00,0.00\n"+
		"2026-03-02,BAD,1.005,\n")

	assert.Empty(t, st.Lines)
	assert.Equal(t, []RowError{
		{2, "收入", "收入和支出只能填一个 (both income and expense given)"},
		{3, "收入", "缺少收入或支出金额 (income or expense required)"},
		{4, "收入", "缺少收入或支出金额 (income or expense required)"},
		{5, "收入", "“1.005”有两位以上小数，不是整分 (more than 2 decimals: not whole fen)"},
	}, st.Errors)
}

func TestParseStatement_SkipsTotalsAndNotes(t *testing.T) {
	st := stmtParse(t, "日期,流水号,金额,余额,备注\n"+
		"2026-03-02,A,1,1,\n"+
		",,,,以下空白\n"+
		"合计,,1,,\n")

	assert.Empty(t, st.Errors)
	assert.Len(t, st.Lines, 1)
}

func TestParseStatement_Span(t *testing.T) {
	st := stmtParse(t, "日期,金额\n2026-03-21 23:59:59,1\n2026-03-02 00:00:01,1\n2026-03-09,1\n")

	assert.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, workday.Zone), st.From)
	assert.Equal(t, time.Date(2026, 3, 21, 0, 0, 0, 0, workday.Zone), st.To)
}

func TestParseStatement_Encodings(t *testing.T) {
	text := "交易日期,交易流水号,交易金额,账户余额\n2026-03-02,存入-甲,12000,112000\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	require.NoError(t, err)
	want := []stmtWant{{2, "2026-03-02", "存入-甲", 1_200_000, stmtFen(11_200_000)}}

	for name, data := range map[string]string{
		"utf-8":          text,
		"utf-8 with bom": "\xEF\xBB\xBF" + text,
		"gb18030":        gb,
	} {
		t.Run(name, func(t *testing.T) {
			st := stmtParse(t, data)
			assert.Empty(t, st.Errors)
			assert.Equal(t, want, stmtGot(st.Lines))
		})
	}
}

func TestParseStatement_Refused(t *testing.T) {
	xlsx := func() string {
		f := excelize.NewFile()
		defer f.Close()
		require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"日期", "金额"}))
		var buf bytes.Buffer
		require.NoError(t, f.Write(&buf))
		return buf.String()
	}
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty file", "", "文件为空"},
		{"blank lines only", "\n\n  \n", "文件为空"},
		{"no header", "foo,bar\n1,2\n", "找不到表头"},
		{"date column without an amount", "日期,流水号\n2026-03-02,A\n", "找不到表头"},
		{"income without expense", "日期,收入\n2026-03-02,1\n", "找不到表头"},
		{"header below the rows searched", strings.Repeat("说明\n", stmtHeaderScan) + "日期,金额\n", "找不到表头"},
		{"binary junk", string(junk), "not a spreadsheet"},
		{"an image", "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 100), "not a spreadsheet"},
		{"an xlsx workbook", xlsx(), "CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := ParseStatement(strings.NewReader(tt.data), "statement.csv")
			require.Error(t, err)
			assert.Nil(t, st)
			assert.True(t, errs.Is(err, errs.Invalid), "kind of %v", err)
			assert.Contains(t, errs.MessageOf(err), tt.want)
		})
	}
}

// stmtRepeat returns a reader of header followed by line, n times, without building it.
func stmtRepeat(header, line string, n int) io.Reader {
	return io.MultiReader(strings.NewReader(header), &stmtRepeater{line: line, left: n})
}

type stmtRepeater struct {
	line string
	left int
	buf  []byte
}

func (r *stmtRepeater) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.left > 0 {
		r.buf = append(r.buf, r.line...)
		r.left--
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func TestParseStatement_Bounds(t *testing.T) {
	const header = "日期,流水号,金额,余额\n"
	const line = "2026-03-02,R,1.00,1.00\n" // 23 bytes

	t.Run("over 20 MiB", func(t *testing.T) {
		// Long lines, so that the file is too large before it is too long.
		long := "2026-03-02," + strings.Repeat("R", 180) + ",1.00,1.00\n"
		n := StatementMaxBytes/len(long) + 1
		require.Less(t, n, StatementMaxLines)
		_, err := ParseStatement(stmtRepeat(header, long, n), "big.csv")
		require.Error(t, err)
		assert.True(t, errs.Is(err, errs.Invalid))
		assert.Contains(t, errs.MessageOf(err), "对账单文件超过 20 MiB")
	})
	t.Run("exactly 20 MiB", func(t *testing.T) {
		long := "2026-03-02," + strings.Repeat("R", 180) + ",1.00,1.00\n"
		n := (StatementMaxBytes - len(header)) / len(long)
		pad := strings.Repeat("\n", StatementMaxBytes-len(header)-n*len(long))
		r := io.MultiReader(stmtRepeat(header, long, n), strings.NewReader(pad))
		st, err := ParseStatement(r, "big.csv")
		require.NoError(t, err)
		assert.Len(t, st.Lines, n)
	})
	t.Run("over 200,000 lines", func(t *testing.T) {
		_, err := ParseStatement(stmtRepeat(header, line, StatementMaxLines), "long.csv")
		require.Error(t, err)
		assert.True(t, errs.Is(err, errs.Invalid))
		assert.Contains(t, errs.MessageOf(err), "对账单超过 200000 行")
	})
	t.Run("200,000 lines, header included", func(t *testing.T) {
		st, err := ParseStatement(stmtRepeat(header, line, StatementMaxLines-1), "long.csv")
		require.NoError(t, err)
		assert.Len(t, st.Lines, StatementMaxLines-1)
		assert.Empty(t, st.Errors)
	})
	t.Run("a line with a huge cell", func(t *testing.T) {
		text := header + "2026-03-02,R," + strings.Repeat("9", 70<<10) + ",1\n2026-03-03,NEXT,1,1\n"
		st := stmtParse(t, text)
		require.Len(t, st.Errors, 1)
		assert.Equal(t, RowError{2, "金额", "单元格超过 64 KiB (cell larger than 64 KiB)"}, st.Errors[0])
		assert.Len(t, st.Lines, 1)
	})
}

func TestParseStatement_SampleFiles(t *testing.T) {
	// Both samples show the same month of the same account, as two banks would export it.
	balances := []int64{11_200_000, 10_900_000, 10_819_950, 10_833_477}
	tests := []struct {
		file string
		rows []int
		refs []string
	}{
		{"icbc-gb18030.csv", []int{6, 7, 8, 9},
			[]string{"DEP-20260302-01", "REL-20260305-01", "RFD-20260310-07", "INT-2026Q1"}},
		{"newest-first-utf8bom.csv", []int{5, 4, 3, 2},
			[]string{"", "REL-20260305-01", "rfd-20260310-07", "INT-2026Q1"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st := stmtParseFile(t, tt.file)
			assert.Empty(t, st.Errors)
			require.Len(t, st.Lines, 4)

			lines := MatchStatement(st.Lines, nil).UnmatchedStatement // in date order
			for i, l := range lines {
				assert.Equal(t, tt.rows[i], l.Row)
				assert.Equal(t, tt.refs[i], l.Reference)
				assert.Equal(t, balances[i], *l.BalanceFen)
			}
			amounts := []int64{1_200_000, -300_000, -80_050, 13_527}
			for i, l := range lines {
				assert.Equal(t, amounts[i], l.AmountFen, "line %d", l.Row)
			}
			assert.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, workday.Zone), st.From)
			assert.Equal(t, time.Date(2026, 3, 21, 0, 0, 0, 0, workday.Zone), st.To)
		})
	}
}

func stmtParseFile(t *testing.T, name string) *Statement {
	t.Helper()
	f, err := os.Open("testdata/statements/" + name)
	require.NoError(t, err)
	defer f.Close()
	st, err := ParseStatement(f, name)
	require.NoError(t, err)
	return st
}

// stmtAt returns a time in Asia/Shanghai on 2026-03-day.
func stmtAt(day, hour int) time.Time {
	return time.Date(2026, 3, day, hour, 0, 0, 0, workday.Zone)
}

func stmtLine(row, day int, ref string, fen int64) StatementEntry {
	return StatementEntry{Row: row, Date: stmtAt(day, 0), Reference: ref, AmountFen: fen}
}

func stmtLedger(id string, day int, ref string, fen int64) LedgerLine {
	// The ledger keeps UTC; 10:00 in Shanghai is 02:00 UTC the same day.
	return LedgerLine{EntryID: id, Reference: ref, AmountFen: fen, OccurredAt: stmtAt(day, 10).UTC()}
}

// stmtIDs shows a match as rows and entry ids, so that cases read at a glance.
func stmtIDs(m Match) map[string][]string {
	pairs := func(ps []Pair) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%d=%s/%s", p.Statement.Row, p.Ledger.EntryID, p.By))
		}
		return out
	}
	out := map[string][]string{
		"matched": pairs(m.Matched), "mismatched": pairs(m.AmountMismatches),
		"statement": {}, "ledger": {},
	}
	for _, l := range m.UnmatchedStatement {
		out["statement"] = append(out["statement"], fmt.Sprint(l.Row))
	}
	for _, l := range m.UnmatchedLedger {
		out["ledger"] = append(out["ledger"], l.EntryID)
	}
	return out
}

func TestMatchStatement(t *testing.T) {
	tests := []struct {
		name   string
		lines  []StatementEntry
		ledger []LedgerLine
		want   map[string][]string
	}{
		{
			name:   "reference and amount",
			lines:  []StatementEntry{stmtLine(2, 2, "DEP-1", 100), stmtLine(3, 5, "REL-1", -40)},
			ledger: []LedgerLine{stmtLedger("e2", 5, "REL-1", -40), stmtLedger("e1", 2, "DEP-1", 100)},
			want: map[string][]string{"matched": {"2=e1/reference", "3=e2/reference"},
				"mismatched": {}, "statement": {}, "ledger": {}},
		},
		{
			name:   "reference trimmed and in any case",
			lines:  []StatementEntry{stmtLine(2, 2, "  dep-1 ", 100), stmtLine(3, 2, "ＤＥＰ－２", 5)},
			ledger: []LedgerLine{stmtLedger("e1", 2, "DEP-1", 100), stmtLedger("e2", 2, "DEP-2", 5)},
			want: map[string][]string{"matched": {"2=e1/reference", "3=e2/reference"},
				"mismatched": {}, "statement": {}, "ledger": {}},
		},
		{
			name: "a reference several times, one to one in date order",
			lines: []StatementEntry{
				stmtLine(4, 9, "MONTHLY", 100), stmtLine(2, 1, "MONTHLY", 100), stmtLine(3, 5, "MONTHLY", 100),
			},
			ledger: []LedgerLine{
				stmtLedger("e3", 9, "MONTHLY", 100), stmtLedger("e1", 1, "MONTHLY", 100),
				stmtLedger("e2", 5, "MONTHLY", 100), stmtLedger("e4", 12, "MONTHLY", 100),
			},
			want: map[string][]string{
				"matched":    {"2=e1/reference", "3=e2/reference", "4=e3/reference"},
				"mismatched": {}, "statement": {}, "ledger": {"e4"},
			},
		},
		{
			name:   "a reference several times, the amount decides before the date",
			lines:  []StatementEntry{stmtLine(2, 1, "R", 100), stmtLine(3, 2, "R", 200)},
			ledger: []LedgerLine{stmtLedger("e1", 1, "R", 200), stmtLedger("e2", 2, "R", 100)},
			want: map[string][]string{"matched": {"2=e2/reference", "3=e1/reference"},
				"mismatched": {}, "statement": {}, "ledger": {}},
		},
		{
			name:   "same reference, different amount",
			lines:  []StatementEntry{stmtLine(2, 2, "DEP-1", 100_000), stmtLine(3, 3, "DEP-2", 5)},
			ledger: []LedgerLine{stmtLedger("e1", 2, "DEP-1", 10_000), stmtLedger("e2", 3, "DEP-2", 5)},
			want: map[string][]string{"matched": {"3=e2/reference"}, "mismatched": {"2=e1/reference"},
				"statement": {}, "ledger": {}},
		},
		{
			name:   "a debit booked as a credit",
			lines:  []StatementEntry{stmtLine(2, 2, "RFD-1", -500)},
			ledger: []LedgerLine{stmtLedger("e1", 2, "RFD-1", 500)},
			want: map[string][]string{"matched": {}, "mismatched": {"2=e1/reference"},
				"statement": {}, "ledger": {}},
		},
		{
			name:   "mismatches pair the leftovers of a reference in date order",
			lines:  []StatementEntry{stmtLine(2, 1, "R", 100), stmtLine(3, 2, "R", 7), stmtLine(4, 3, "R", 8)},
			ledger: []LedgerLine{stmtLedger("e1", 1, "R", 100), stmtLedger("e2", 2, "R", 9)},
			want: map[string][]string{"matched": {"2=e1/reference"}, "mismatched": {"3=e2/reference"},
				"statement": {"4"}, "ledger": {}},
		},
		{
			name:   "empty bank reference: amount on the same day",
			lines:  []StatementEntry{stmtLine(2, 2, "", 100), stmtLine(3, 2, " ", 100)},
			ledger: []LedgerLine{stmtLedger("e1", 2, "DEP-1", 100), stmtLedger("e2", 2, "DEP-2", 100)},
			want: map[string][]string{"matched": {"2=e1/amount_and_day", "3=e2/amount_and_day"},
				"mismatched": {}, "statement": {}, "ledger": {}},
		},
		{
			name:   "empty ledger reference: amount on the same day",
			lines:  []StatementEntry{stmtLine(2, 2, "B-77", 100)},
			ledger: []LedgerLine{stmtLedger("e1", 2, "", 100)},
			want: map[string][]string{"matched": {"2=e1/amount_and_day"}, "mismatched": {},
				"statement": {}, "ledger": {}},
		},
		{
			name:   "empty reference on another day or with another amount",
			lines:  []StatementEntry{stmtLine(2, 2, "", 100), stmtLine(3, 3, "", 50)},
			ledger: []LedgerLine{stmtLedger("e1", 3, "", 100), stmtLedger("e2", 3, "", 60)},
			want: map[string][]string{"matched": {}, "mismatched": {}, "statement": {"2", "3"},
				"ledger": {"e1", "e2"}},
		},
		{
			name:   "two different references never pair",
			lines:  []StatementEntry{stmtLine(2, 2, "BANK-1", 100)},
			ledger: []LedgerLine{stmtLedger("e1", 2, "DEP-1", 100)},
			want:   map[string][]string{"matched": {}, "mismatched": {}, "statement": {"2"}, "ledger": {"e1"}},
		},
		{
			name: "a reference match goes before an amount and day match",
			lines: []StatementEntry{
				stmtLine(2, 2, "", 100), stmtLine(3, 2, "DEP-1", 100),
			},
			ledger: []LedgerLine{stmtLedger("e1", 2, "DEP-1", 100)},
			want: map[string][]string{"matched": {"3=e1/reference"}, "mismatched": {}, "statement": {"2"},
				"ledger": {}},
		},
		{
			name:   "the day is Shanghai's",
			lines:  []StatementEntry{stmtLine(2, 3, "", 100)},
			ledger: []LedgerLine{{EntryID: "e1", AmountFen: 100, OccurredAt: stmtAt(3, 7).UTC()}}, // 23:00 UTC on the 2nd
			want: map[string][]string{"matched": {"2=e1/amount_and_day"}, "mismatched": {},
				"statement": {}, "ledger": {}},
		},
		{
			name:   "ledger lines of no money are left out",
			lines:  []StatementEntry{stmtLine(2, 2, "SALE-1", 0)},
			ledger: []LedgerLine{stmtLedger("sale", 2, "SALE-1", 0)},
			want:   map[string][]string{"matched": {}, "mismatched": {}, "statement": {"2"}, "ledger": {}},
		},
		{
			name: "nothing on either side",
			want: map[string][]string{"matched": {}, "mismatched": {}, "statement": {}, "ledger": {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, stmtIDs(MatchStatement(tt.lines, tt.ledger)))
		})
	}
}

func TestMatchStatement_LeavesInputAlone(t *testing.T) {
	lines := []StatementEntry{stmtLine(3, 5, "B", 1), stmtLine(2, 1, "A", 1)}
	ledger := []LedgerLine{stmtLedger("e2", 5, "B", 1), stmtLedger("e1", 1, "A", 1)}

	MatchStatement(lines, ledger)

	assert.Equal(t, 3, lines[0].Row)
	assert.Equal(t, "e2", ledger[0].EntryID)
}

func stmtBalanceLine(row int, at time.Time, balance int64) StatementEntry {
	return StatementEntry{Row: row, Date: at, AmountFen: 1, BalanceFen: &balance}
}

// stmtHeld is a ledger's held amount at the end of each day, by day of March 2026.
func stmtHeld(t *testing.T, byDay map[int]int64) (func(time.Time) int64, *[]time.Time) {
	var asked []time.Time
	return func(day time.Time) int64 {
		asked = append(asked, day)
		require.Equal(t, workday.Zone, day.Location())
		require.Equal(t, stmtAt(day.Day(), 0), day, "midnight")
		return byDay[day.Day()]
	}, &asked
}

func TestCheckBalances(t *testing.T) {
	t.Run("the last line of each day, oldest first", func(t *testing.T) {
		lines := []StatementEntry{
			stmtBalanceLine(2, stmtAt(2, 0), 100), stmtBalanceLine(3, stmtAt(2, 0), 150),
			stmtBalanceLine(4, stmtAt(3, 0), 90),
		}
		held, asked := stmtHeld(t, map[int]int64{2: 150, 3: 100})

		got := CheckBalances(lines, held)

		assert.Equal(t, []BalanceDiscrepancy{
			{Day: stmtAt(3, 0), Row: 4, StatementFen: 90, LedgerFen: 100, DifferenceFen: -10},
		}, got)
		assert.Equal(t, []time.Time{stmtAt(2, 0), stmtAt(3, 0)}, *asked)
	})
	t.Run("the first line of each day, newest first", func(t *testing.T) {
		lines := []StatementEntry{
			stmtBalanceLine(2, stmtAt(3, 0), 90),
			stmtBalanceLine(3, stmtAt(2, 0), 150), stmtBalanceLine(4, stmtAt(2, 0), 100),
		}
		held, _ := stmtHeld(t, map[int]int64{2: 100, 3: 90})

		assert.Equal(t, []BalanceDiscrepancy{
			{Day: stmtAt(2, 0), Row: 3, StatementFen: 150, LedgerFen: 100, DifferenceFen: 50},
		}, CheckBalances(lines, held))
	})
	t.Run("the latest time of the day", func(t *testing.T) {
		lines := []StatementEntry{
			stmtBalanceLine(2, stmtAt(2, 15), 300), stmtBalanceLine(3, stmtAt(2, 9), 100),
		}
		held, _ := stmtHeld(t, map[int]int64{2: 300})

		assert.Empty(t, CheckBalances(lines, held))
	})
	t.Run("lines without a balance are passed over", func(t *testing.T) {
		lines := []StatementEntry{
			stmtBalanceLine(2, stmtAt(2, 0), 100), stmtLine(3, 2, "", 50), stmtLine(4, 4, "", 5),
		}
		held, asked := stmtHeld(t, map[int]int64{2: 100})

		assert.Empty(t, CheckBalances(lines, held))
		assert.Equal(t, []time.Time{stmtAt(2, 0)}, *asked)
	})
	t.Run("every day that disagrees", func(t *testing.T) {
		lines := []StatementEntry{
			stmtBalanceLine(2, stmtAt(2, 0), 100), stmtBalanceLine(3, stmtAt(3, 0), 200),
			stmtBalanceLine(4, stmtAt(4, 0), 300),
		}
		held, _ := stmtHeld(t, map[int]int64{2: 0, 3: 200, 4: 1_000})

		got := CheckBalances(lines, held)

		assert.Equal(t, []BalanceDiscrepancy{
			{Day: stmtAt(2, 0), Row: 2, StatementFen: 100, LedgerFen: 0, DifferenceFen: 100},
			{Day: stmtAt(4, 0), Row: 4, StatementFen: 300, LedgerFen: 1_000, DifferenceFen: -700},
		}, got)
	})
	t.Run("no lines", func(t *testing.T) {
		held, asked := stmtHeld(t, nil)
		assert.Empty(t, CheckBalances(nil, held))
		assert.Empty(t, *asked)
	})
}

// TestStatement_Reconcile reads a sample statement, matches it with a ledger and checks its
// balances, as the service will.
func TestStatement_Reconcile(t *testing.T) {
	st := stmtParseFile(t, "newest-first-utf8bom.csv")
	ledger := []LedgerLine{
		stmtLedger("dep", 2, "DEP-20260302-01", 1_200_000),
		stmtLedger("rel", 5, "REL-20260305-01", -300_000),
		stmtLedger("rfd", 10, "RFD-20260310-07", -8_005), // booked as 80.05 instead of 800.50
		stmtLedger("int", 21, "INT-2026Q1", 13_527),
		stmtLedger("late", 31, "DEP-20260331-01", 50_000),
	}

	m := MatchStatement(st.Lines, ledger)

	assert.Equal(t, map[string][]string{
		"matched":    {"5=dep/amount_and_day", "4=rel/reference", "2=int/reference"},
		"mismatched": {"3=rfd/reference"},
		"statement":  {}, "ledger": {"late"},
	}, stmtIDs(m))

	opening := int64(10_000_000)
	held := func(day time.Time) int64 {
		sum := opening
		for _, l := range ledger {
			if l.OccurredAt.Before(day.AddDate(0, 0, 1)) {
				sum += l.AmountFen
			}
		}
		return sum
	}
	got := CheckBalances(st.Lines, held)
	diff := int64(-80_050 + 8_005)
	assert.Equal(t, []BalanceDiscrepancy{
		{Day: stmtAt(10, 0), Row: 3, StatementFen: 10_819_950, LedgerFen: 10_819_950 - diff, DifferenceFen: diff},
		{Day: stmtAt(21, 0), Row: 2, StatementFen: 10_833_477, LedgerFen: 10_833_477 - diff, DifferenceFen: diff},
	}, got)
}

func TestMatchStatement_ManyLinesOfOneReference(t *testing.T) {
	// A bank that writes 转账 as the 摘要 of every line: matching stays linear.
	const n = 100_000
	lines := make([]StatementEntry, n)
	ledger := make([]LedgerLine, n)
	for i := range n {
		lines[i] = StatementEntry{Row: i + 2, Date: stmtAt(1+i%28, 0), Reference: "转账", AmountFen: int64(i%7 + 1)}
		ledger[i] = LedgerLine{EntryID: fmt.Sprint(i), Reference: "转账", AmountFen: int64(i%7 + 1),
			OccurredAt: stmtAt(1+i%28, 9)}
	}
	ledger[0].AmountFen = 1_000

	m := MatchStatement(lines, ledger)

	assert.Len(t, m.Matched, n-1)
	assert.Len(t, m.AmountMismatches, 1)
	assert.Empty(t, m.UnmatchedStatement)
	assert.Empty(t, m.UnmatchedLedger)
}

func BenchmarkMatchStatement(b *testing.B) {
	const n = 100_000
	lines := make([]StatementEntry, n)
	ledger := make([]LedgerLine, n)
	for i := range n {
		ref := fmt.Sprintf("REF-%d", i%1000)
		if i%10 == 0 {
			ref = ""
		}
		lines[i] = StatementEntry{Row: i + 2, Date: stmtAt(1+i%28, 0), Reference: ref, AmountFen: int64(i)}
		ledger[i] = LedgerLine{EntryID: fmt.Sprint(i), Reference: fmt.Sprintf("REF-%d", i%1000),
			AmountFen: int64(i), OccurredAt: stmtAt(1+i%28, 9)}
	}
	for b.Loop() {
		MatchStatement(lines, ledger)
	}
}
