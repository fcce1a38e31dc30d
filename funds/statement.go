package funds

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/sheet"
	"prepaidreg/internal/workday"
)

// Bounds on a bank statement upload. A file past either is refused as a whole.
const (
	StatementMaxBytes = 20 << 20
	StatementMaxLines = 200_000
)

// Statement is a bank's statement of a supervised account as ParseStatement read it: the lines
// that could be read, in the file's order, and the rows that could not, each with its reason.
// From and To are the first and last days of the lines, midnight in Asia/Shanghai; both are
// zero when no line could be read.
type Statement struct {
	Lines  []StatementEntry `json:"lines"`
	Errors []RowError       `json:"errors"`
	From   time.Time        `json:"from,omitzero"`
	To     time.Time        `json:"to,omitzero"`
}

// StatementEntry is one line of a bank statement. Date is in Asia/Shanghai: the day, at
// midnight, or the time of day when the bank gives one. AmountFen is signed as the account
// sees it: + for money into the account, − for money out. BalanceFen is the account's balance
// after the line, when the bank prints one.
type StatementEntry struct {
	Row        int       `json:"row"`
	Date       time.Time `json:"date"`
	Reference  string    `json:"reference"`
	AmountFen  int64     `json:"amount_fen"`
	BalanceFen *int64    `json:"balance_fen,omitempty"`
}

// RowError says why a row of a statement could not be read. Row is the row's number in the
// file, Column the header of the offending column as the file writes it ("" for the row as a
// whole), Message the reason, in Chinese with English in brackets.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Error returns the row, the column and the reason.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("第%d行：%s", e.Row, e.Message)
	}
	return fmt.Sprintf("第%d行“%s”：%s", e.Row, e.Column, e.Message)
}

// stmtColumn is a column of a statement that a field is read from.
type stmtColumn int

const (
	stmtDate stmtColumn = iota
	stmtReference
	stmtAmount
	stmtCredit // money in, when the bank splits amounts into two columns
	stmtDebit  // money out
	stmtBalance
	stmtDirection // 借 or 贷 beside an amount column of unsigned amounts
	stmtColumnCount
)

// stmtNames lists the header names of each column, the preferred first: a bank that writes
// both 流水号 and 摘要 is matched on the serial number, not on the description.
//
// 借方 and 贷方 follow the bank's side of the account, as a bank's statement (对账单) prints
// them: 贷方 is money paid in, 借方 money paid out. A note in brackets that says 收入/存入 or
// 支出/支取 overrides that ("借方发生额(收入)"), see stmtFlowKey.
var stmtNames = [stmtColumnCount][]string{
	stmtDate:      {"交易日期", "记账日期", "日期", "交易时间", "date", "transactiondate"},
	stmtReference: {"交易流水号", "流水号", "银行流水号", "凭证号", "reference", "ref", "摘要"},
	stmtAmount:    {"交易金额", "金额", "发生额", "amount"},
	stmtCredit:    {"收入", "收入金额", "存入", "贷方", "贷方金额", "贷方发生额", "credit", "creditamount"},
	stmtDebit:     {"支出", "支出金额", "支取", "借方", "借方金额", "借方发生额", "debit", "debitamount"},
	stmtBalance:   {"余额", "账户余额", "交易后余额", "balance"},
	stmtDirection: {"借贷标志", "借贷方向", "收支方向", "收支标志", "借贷", "方向", "direction", "dc", "debit/credit"},
}

// stmtDirections reads the values of a direction column, on the bank's side as stmtNames.
var stmtDirections = map[string]int64{
	"贷": 1, "贷方": 1, "收": 1, "收入": 1, "入": 1, "存入": 1, "c": 1, "cr": 1, "credit": 1, "+": 1,
	"借": -1, "借方": -1, "支": -1, "支出": -1, "出": -1, "支取": -1, "d": -1, "dr": -1, "debit": -1, "-": -1,
}

// Limits on the cells of a statement.
const (
	stmtHeaderScan   = 10 // rows searched for the header, below the bank's title and account rows
	stmtReferenceMax = 200
)

var (
	errStmtTooLarge = errs.E(errs.Invalid, "funds.ParseStatement", fmt.Sprintf(
		"对账单文件超过 %d MiB (statement larger than %d MiB)", StatementMaxBytes>>20, StatementMaxBytes>>20))
	errStmtTooLong = errs.E(errs.Invalid, "funds.ParseStatement",
		fmt.Sprintf("对账单超过 %d 行 (statement longer than %d lines)", StatementMaxLines, StatementMaxLines))
	errStmtNotCSV = errs.E(errs.Invalid, "funds.ParseStatement",
		"对账单应为 CSV 文件，请从网银导出为 CSV (statement must be a CSV file)")
	errStmtNoHeader = errs.E(errs.Invalid, "funds.ParseStatement", fmt.Sprintf(
		"前%d行中找不到表头：需要交易日期列，以及金额列或收入、支出两列 "+
			"(no header row with a date column and an amount column, "+
			"or income and expense columns, in the first %d rows)",
		stmtHeaderScan, stmtHeaderScan))
)

// ParseStatement reads a bank's statement of an account from a CSV file, in UTF-8 with or
// without a byte-order mark or in GB18030, as internal/sheet detects it. name is used in
// messages only.
//
// The header row is found among the first rows, below any title rows; its columns are named in
// Chinese or English (交易日期/日期/date, 流水号/交易流水号/摘要/reference, 金额/交易金额/amount or
// two columns 收入/贷方 and 支出/借方, 余额/账户余额/balance). Dates read as 2006-01-02,
// 2006/01/02 or 20060102, optionally with a time. Amounts are yuan with at most two decimals
// (further zeros are allowed), thousands separators allowed, and a debit written with a minus
// sign or in parentheses. Where a column of 借 and 贷 (借贷标志/借贷方向/direction) stands
// beside the amounts, it decides their sign, and in separate income and expense columns the
// column does: a sign on the number is then ignored.
//
// A row that cannot be read is left out of Lines and reported in Errors with every reason, and
// the reading goes on; total rows (合计) and rows with none of the columns filled are skipped.
// A file that is empty, binary, not CSV, over StatementMaxBytes or StatementMaxLines, or has no
// header is refused with an errs.Invalid error whose message may be shown to the user.
func ParseStatement(r io.Reader, name string) (*Statement, error) {
	const op = "funds.ParseStatement"
	rows, err := sheet.Open(&stmtLimitReader{r: r, left: StatementMaxBytes}, name)
	if err != nil {
		return nil, stmtOpenError(op, err)
	}
	defer rows.Close()
	if rows.Format() != "csv" {
		return nil, errStmtNotCSV
	}

	head, err := stmtReadRows(rows, stmtHeaderScan)
	if err != nil {
		return nil, stmtOpenError(op, err)
	}
	at, cols, ok := stmtFindHeader(head)
	if !ok {
		return nil, errStmtNoHeader
	}

	st := &Statement{Lines: []StatementEntry{}, Errors: []RowError{}}
	for _, row := range head[at+1:] {
		cols.add(st, row)
	}
	for {
		row, ok, err := stmtNext(rows)
		if err != nil {
			return nil, stmtOpenError(op, err)
		}
		if !ok {
			break
		}
		cols.add(st, row)
	}
	st.From, st.To = stmtSpan(st.Lines)
	return st, nil
}

// stmtOpenError turns an error from reading the file into one a user can act on.
func stmtOpenError(op string, err error) error {
	if errs.Is(err, errs.Invalid) {
		return errs.Wrap(errs.Invalid, op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// stmtLimitReader fails with errStmtTooLarge once more than left bytes have been read.
type stmtLimitReader struct {
	r    io.Reader
	left int64
}

func (l *stmtLimitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errStmtTooLarge
	}
	// Asking for one byte more than allowed tells a file of exactly the limit from a larger one.
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errStmtTooLarge
	}
	return n, err
}

// stmtRow is a row of the file with the bounds it broke, if any.
type stmtRow struct {
	row sheet.Row
	err *sheet.RowError
}

// stmtReadRows reads up to n rows, fewer at the end of the file.
func stmtReadRows(r *sheet.Reader, n int) ([]stmtRow, error) {
	var out []stmtRow
	for len(out) < n {
		row, ok, err := stmtNext(r)
		if err != nil || !ok {
			return out, err
		}
		out = append(out, row)
	}
	return out, nil
}

// stmtNext reads the next row, and false at the end of the file. A row that broke the
// sheet's bounds on cells comes with them; a row past StatementMaxLines ends the reading.
func stmtNext(r *sheet.Reader) (stmtRow, bool, error) {
	row, err := r.Next()
	if err == io.EOF {
		return stmtRow{}, false, nil
	}
	var rowErr *sheet.RowError
	if err != nil && !errors.As(err, &rowErr) {
		return stmtRow{}, false, err
	}
	if row.Number > StatementMaxLines {
		return stmtRow{}, false, errStmtTooLong
	}
	return stmtRow{row, rowErr}, true, nil
}

// stmtColumns holds the header and the index of each column in it, -1 when absent.
type stmtColumns struct {
	header []string
	at     [stmtColumnCount]int
}

// stmtFindHeader returns the first row that names a date column and either an amount column
// or both an income and an expense column.
func stmtFindHeader(head []stmtRow) (int, *stmtColumns, bool) {
	for i, h := range head {
		cols := stmtMatchHeader(h.row.Cells)
		hasAmount := cols.at[stmtAmount] >= 0 || (cols.at[stmtCredit] >= 0 && cols.at[stmtDebit] >= 0)
		if cols.at[stmtDate] >= 0 && hasAmount {
			return i, cols, true
		}
	}
	return 0, nil, false
}

// stmtMatchHeader finds each column in a candidate header row; the first name of a column's
// list that the row holds wins.
func stmtMatchHeader(cells []string) *stmtColumns {
	cols := &stmtColumns{header: cells}
	keys := make([]string, len(cells))
	for i, c := range cells {
		keys[i] = stmtFlowKey(c)
	}
	for c, names := range stmtNames {
		cols.at[c] = -1
		for _, name := range names {
			if i := slices.Index(keys, name); i >= 0 {
				cols.at[c] = i
				break
			}
		}
	}
	return cols
}

// stmtFlowKey is the key of a header cell, where an income or expense column whose note in
// brackets says its direction ("借方发生额(收入)") is keyed by the note: 收入 or 支出.
func stmtFlowKey(cell string) string {
	key, note := stmtHeaderKey(cell)
	if !slices.Contains(stmtNames[stmtCredit], key) && !slices.Contains(stmtNames[stmtDebit], key) {
		return key
	}
	in := strings.Contains(note, "收入") || strings.Contains(note, "存入")
	out := strings.Contains(note, "支出") || strings.Contains(note, "支取")
	switch {
	case in && !out:
		return "收入"
	case out && !in:
		return "支出"
	}
	return key
}

// stmtHeaderKey is a header name as it is compared: full-width characters folded, letters
// lower-cased, spaces and "*" left out, and a trailing note in brackets ("金额(元)") returned
// apart.
func stmtHeaderKey(s string) (key, note string) {
	var b strings.Builder
	for _, r := range width.Fold.String(s) {
		if !unicode.IsSpace(r) && r != '*' {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	key = strings.TrimRight(b.String(), ":")
	if i := strings.LastIndex(key, "("); i > 0 && strings.HasSuffix(key, ")") {
		key, note = key[:i], key[i+1:len(key)-1]
	}
	return key, note
}

// stmtTotals are the labels of the total rows some banks print below the lines.
var stmtTotals = []string{"合计", "总计", "小计", "本页合计", "本期合计", "total"}

// add reads one row into the statement: a line, or its errors.
func (c *stmtColumns) add(st *Statement, r stmtRow) {
	p := &stmtRowParser{c: c, row: r.row, err: r.err}
	date := p.cell(stmtDate)
	if slices.Contains(stmtTotals, strings.ToLower(date)) || p.empty() {
		return
	}

	line := StatementEntry{Row: r.row.Number}
	line.Date = p.date()
	line.Reference = p.reference()
	line.AmountFen = p.amount()
	line.BalanceFen = p.balance()
	if len(p.errors) > 0 {
		st.Errors = append(st.Errors, p.errors...)
		return
	}
	st.Lines = append(st.Lines, line)
}

// stmtRowParser reads the cells of one row and collects what is wrong with them.
type stmtRowParser struct {
	c      *stmtColumns
	row    sheet.Row
	err    *sheet.RowError
	errors []RowError
	failed bool // an amount cell has been reported already
}

func (p *stmtRowParser) bad(c stmtColumn, message string) {
	column := ""
	if i := p.c.at[c]; i >= 0 {
		column = strings.TrimSpace(p.c.header[i])
	}
	p.errors = append(p.errors, RowError{Row: p.row.Number, Column: column, Message: message})
}

// cell returns the trimmed cell of a column, "" when the file has no such column.
func (p *stmtRowParser) cell(c stmtColumn) string {
	i := p.c.at[c]
	if i < 0 || i >= len(p.row.Cells) {
		return ""
	}
	return strings.TrimSpace(p.row.Cells[i])
}

// oversized reports, once, a cell the sheet emptied for being over its bound.
func (p *stmtRowParser) oversized(c stmtColumn) bool {
	if p.err == nil || p.c.at[c] < 0 || !slices.Contains(p.err.Oversized, p.c.at[c]+1) {
		return false
	}
	p.bad(c, fmt.Sprintf("单元格超过 %d KiB (cell larger than %d KiB)",
		sheet.MaxCellBytes>>10, sheet.MaxCellBytes>>10))
	return true
}

// empty reports whether none of the statement's columns holds anything: a note or a blank
// row between lines, not a transaction.
func (p *stmtRowParser) empty() bool {
	for c := range stmtColumnCount {
		if p.cell(c) != "" || (p.err != nil && slices.Contains(p.err.Oversized, p.c.at[c]+1)) {
			return false
		}
	}
	return true
}

var (
	// stmtSerial is a number a spreadsheet stores a date as; a CSV written by a bank has none.
	stmtSerial   = regexp.MustCompile(`^\d{1,6}(?:\.\d+)?$`)
	stmtEarliest = time.Date(2000, 1, 1, 0, 0, 0, 0, workday.Zone)
	stmtLatest   = time.Date(2100, 1, 1, 0, 0, 0, 0, workday.Zone)
)

func (p *stmtRowParser) date() time.Time {
	if p.oversized(stmtDate) {
		return time.Time{}
	}
	s := p.cell(stmtDate)
	if s == "" {
		p.bad(stmtDate, "缺少交易日期 (date required)")
		return time.Time{}
	}
	t, ok := sheet.ParseTime(s, workday.Zone, false)
	if !ok || stmtSerial.MatchString(width.Fold.String(s)) {
		p.bad(stmtDate, fmt.Sprintf("交易日期%s无法识别，应如 2026-03-05、2026/03/05 或 20260305 "+
			"(unrecognised date)", stmtQuote(s)))
		return time.Time{}
	}
	if t.Before(stmtEarliest) || !t.Before(stmtLatest) {
		p.bad(stmtDate, fmt.Sprintf("交易日期%s应在2000年至2099年之间 (date out of range)", stmtQuote(s)))
		return time.Time{}
	}
	return t.In(workday.Zone)
}

func (p *stmtRowParser) reference() string {
	if p.oversized(stmtReference) {
		return ""
	}
	s := p.cell(stmtReference)
	switch n := utf8.RuneCountInString(s); {
	case n > stmtReferenceMax:
		p.bad(stmtReference, fmt.Sprintf("流水号最多%d个字符，实为%d个 (reference at most %d characters)",
			stmtReferenceMax, n, stmtReferenceMax))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		p.bad(stmtReference, "流水号含有控制字符 (reference contains control characters)")
	}
	return s
}

// amount reads the line's signed amount from the amount column, with the sign a direction
// column gives, or from the income and expense columns when the file has no amount column.
func (p *stmtRowParser) amount() int64 {
	if p.c.at[stmtAmount] >= 0 {
		fen, ok := p.yuan(stmtAmount)
		if !ok && !p.failed {
			p.bad(stmtAmount, "缺少金额 (amount required)")
		}
		return fen * p.direction(fen)
	}

	in, _ := p.yuan(stmtCredit)
	out, _ := p.yuan(stmtDebit)
	if p.failed {
		return 0
	}
	// Some banks print the expense column with a minus sign, others without: the column
	// already says the direction.
	in, out = stmtAbs(in), stmtAbs(out)
	switch {
	case in != 0 && out != 0:
		p.bad(stmtCredit, "收入和支出只能填一个 (both income and expense given)")
	case in == 0 && out == 0:
		p.bad(stmtCredit, "缺少收入或支出金额 (income or expense required)")
	}
	return in - out
}

// direction returns the factor that gives fen the sign the direction column says: 1 when the
// file has no such column or the cell is empty, the amount then keeping its own sign.
func (p *stmtRowParser) direction(fen int64) int64 {
	s := p.cell(stmtDirection)
	if s == "" {
		return 1
	}
	sign, ok := stmtDirections[strings.ToLower(width.Fold.String(s))]
	if !ok {
		p.bad(stmtDirection, fmt.Sprintf("借贷方向%s无法识别，应为借或贷 (direction must be 借 or 贷)", stmtQuote(s)))
		return 1
	}
	if fen < 0 {
		return -sign
	}
	return sign
}

func (p *stmtRowParser) balance() *int64 {
	fen, ok := p.yuan(stmtBalance)
	if !ok {
		return nil
	}
	return &fen
}

// yuan reads column c as a signed amount and says whether the cell held one; a cell that is
// not an amount is reported and sets failed.
func (p *stmtRowParser) yuan(c stmtColumn) (int64, bool) {
	if p.oversized(c) {
		p.failed = true
		return 0, false
	}
	s := p.cell(c)
	fen, present, message := stmtParseYuan(s)
	if message != "" {
		p.bad(c, stmtQuote(s)+message)
		p.failed = true
		return 0, false
	}
	return fen, present
}

// stmtParseYuan reads a signed amount in yuan as fen, without rounding: "1,234.56",
// "-1234.5", "+80", "(1,234.56)" for a debit, "¥1,234.56元". A third decimal or more is
// refused unless it is zero: an amount must be whole fen. An empty cell, or a bank's "-" for
// none, is no amount; message is "" unless s is not an amount.
func stmtParseYuan(s string) (fen int64, present bool, message string) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '¥' || r == '元' {
			return -1
		}
		if r == '−' { // U+2212, a minus sign some exports write
			return '-'
		}
		return r
	}, width.Fold.String(s))
	if t == "" || t == "-" || t == "--" {
		return 0, false, ""
	}

	negative := false
	if inner, ok := strings.CutPrefix(t, "("); ok {
		if t, ok = strings.CutSuffix(inner, ")"); !ok {
			return 0, false, "不是金额，应如 1,234.56、-1234.56 或 (1,234.56) (invalid amount)"
		}
		negative = true
	} else if rest, ok := strings.CutPrefix(t, "-"); ok {
		t, negative = rest, true
	} else {
		t = strings.TrimPrefix(t, "+")
	}

	whole, frac, hasFrac := strings.Cut(t, ".")
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0123456789") == "" && strings.TrimRight(frac[2:], "0") != "" {
			return 0, false, "有两位以上小数，不是整分 (more than 2 decimals: not whole fen)"
		}
		frac = frac[:2] + strings.TrimRight(frac[2:], "0")
	}
	if hasFrac {
		whole += "." + frac
	}
	v, err := money.ParseYuan(whole)
	if err != nil {
		return 0, false, "不是金额，应如 1,234.56、-1234.56 或 (1,234.56) (invalid amount)"
	}
	if negative {
		v = -v
	}
	return v, true, ""
}

func stmtAbs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// stmtQuote shows a cell's value in a message, cut short when long.
func stmtQuote(s string) string {
	const most = 40
	if utf8.RuneCountInString(s) > most {
		s = string([]rune(s)[:most]) + "…"
	}
	return "“" + s + "”"
}

// stmtDay returns midnight, Asia/Shanghai, of the day t falls on there.
func stmtDay(t time.Time) time.Time {
	y, m, d := t.In(workday.Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, workday.Zone)
}

// stmtSpan returns the first and last days of the lines.
func stmtSpan(lines []StatementEntry) (from, to time.Time) {
	for _, l := range lines {
		day := stmtDay(l.Date)
		if from.IsZero() || day.Before(from) {
			from = day
		}
		if to.IsZero() || day.After(to) {
			to = day
		}
	}
	return from, to
}

// LedgerLine is a ledger entry as a statement is matched against it. AmountFen is the entry's
// signed effect on the money in the account: deposits and interest +, releases and refunds −.
// Sales move no money through the bank and are left out by the caller; a line of 0 is
// ignored.
type LedgerLine struct {
	EntryID    string    `json:"entry_id"`
	Reference  string    `json:"reference"`
	AmountFen  int64     `json:"amount_fen"`
	OccurredAt time.Time `json:"occurred_at"`
}

// MatchRule says how a statement line and a ledger line were paired.
type MatchRule string

// The rules MatchStatement pairs lines by.
const (
	MatchedByReference    MatchRule = "reference"
	MatchedByAmountAndDay MatchRule = "amount_and_day"
)

// Pair is a statement line and the ledger line it was paired with.
type Pair struct {
	Statement StatementEntry `json:"statement"`
	Ledger    LedgerLine     `json:"ledger"`
	By        MatchRule      `json:"by"`
}

// Match is the outcome of matching a statement with a ledger. Every line of either side is in
// exactly one list: matched, paired with a different amount, or unmatched.
type Match struct {
	Matched            []Pair           `json:"matched"`
	UnmatchedStatement []StatementEntry `json:"unmatched_statement"`
	UnmatchedLedger    []LedgerLine     `json:"unmatched_ledger"`
	// AmountMismatches pairs lines with the same reference whose amounts differ.
	AmountMismatches []Pair `json:"amount_mismatches"`
}

// MatchStatement pairs the lines of a bank statement with the ledger's, one to one, in three
// passes:
//
//  1. By reference and amount. References are compared trimmed, with full-width characters
//     folded and case ignored. Where a reference occurs several times, the statement's lines
//     are taken in date order and each is paired with the earliest ledger line of that
//     reference and the same amount not yet paired.
//  2. By reference alone. Lines of a reference left over on both sides are paired in date
//     order as AmountMismatches: the same movement, booked or paid with a different amount.
//  3. By amount and day, for lines left over where the statement's or the ledger's reference
//     is empty: the same amount on the same day in Asia/Shanghai, earliest first. Two
//     references that are both present and differ never pair.
//
// What is left is unmatched. Each list is in date order.
func MatchStatement(lines []StatementEntry, ledger []LedgerLine) Match {
	bank := slices.Clone(lines)
	slices.SortFunc(bank, stmtByDate)
	books := slices.DeleteFunc(slices.Clone(ledger), func(l LedgerLine) bool { return l.AmountFen == 0 })
	slices.SortFunc(books, ledgerByDate)

	// Each pass looks ledger lines up by its key, earliest first, so that a file of many lines
	// with one reference (a bank that writes 转账 as the 摘要 of every line) is matched in
	// linear time.
	byRefAmount := map[stmtKey]*stmtQueue{}
	byRef := map[stmtKey]*stmtQueue{}
	byDayAmount := map[stmtKey]*stmtQueue{}
	unreferenced := map[stmtKey]*stmtQueue{} // by day and amount, ledger lines without a reference
	for j, l := range books {
		ref, day := stmtRefKey(l.Reference), stmtDay(l.OccurredAt).Unix()
		if ref != "" {
			stmtPush(byRefAmount, stmtKey{ref: ref, fen: l.AmountFen}, j)
			stmtPush(byRef, stmtKey{ref: ref}, j)
		} else {
			stmtPush(unreferenced, stmtKey{day: day, fen: l.AmountFen}, j)
		}
		stmtPush(byDayAmount, stmtKey{day: day, fen: l.AmountFen}, j)
	}

	m := Match{Matched: []Pair{}, UnmatchedStatement: []StatementEntry{},
		UnmatchedLedger: []LedgerLine{}, AmountMismatches: []Pair{}}
	usedBank, usedBooks := make([]bool, len(bank)), make([]bool, len(books))
	pass := func(into *[]Pair, by MatchRule, find func(b StatementEntry) *stmtQueue) {
		for i, b := range bank {
			if usedBank[i] {
				continue
			}
			if j, ok := find(b).next(usedBooks); ok {
				usedBank[i], usedBooks[j] = true, true
				*into = append(*into, Pair{Statement: b, Ledger: books[j], By: by})
			}
		}
	}

	// Pass 1: reference and amount.
	pass(&m.Matched, MatchedByReference, func(b StatementEntry) *stmtQueue {
		return byRefAmount[stmtKey{ref: stmtRefKey(b.Reference), fen: b.AmountFen}]
	})
	// Pass 2: reference alone, a different amount.
	pass(&m.AmountMismatches, MatchedByReference, func(b StatementEntry) *stmtQueue {
		return byRef[stmtKey{ref: stmtRefKey(b.Reference)}]
	})
	// Pass 3: amount and day, where one side has no reference.
	pass(&m.Matched, MatchedByAmountAndDay, func(b StatementEntry) *stmtQueue {
		key := stmtKey{day: stmtDay(b.Date).Unix(), fen: b.AmountFen}
		if stmtRefKey(b.Reference) == "" {
			return byDayAmount[key]
		}
		return unreferenced[key]
	})

	for i, b := range bank {
		if !usedBank[i] {
			m.UnmatchedStatement = append(m.UnmatchedStatement, b)
		}
	}
	for j, l := range books {
		if !usedBooks[j] {
			m.UnmatchedLedger = append(m.UnmatchedLedger, l)
		}
	}
	byStatement := func(a, b Pair) int { return stmtByDate(a.Statement, b.Statement) }
	slices.SortFunc(m.Matched, byStatement)
	return m
}

// stmtKey is what a matching pass looks ledger lines up by.
type stmtKey struct {
	ref string
	day int64 // the day's midnight in Asia/Shanghai, in Unix seconds
	fen int64
}

// stmtQueue holds the indices of ledger lines in date order.
type stmtQueue struct {
	at  []int
	pos int
}

func stmtPush(m map[stmtKey]*stmtQueue, k stmtKey, j int) {
	q := m[k]
	if q == nil {
		q = &stmtQueue{}
		m[k] = q
	}
	q.at = append(q.at, j)
}

// next returns the earliest line not yet paired. A nil queue has none.
func (q *stmtQueue) next(used []bool) (int, bool) {
	if q == nil {
		return 0, false
	}
	for q.pos < len(q.at) && used[q.at[q.pos]] {
		q.pos++
	}
	if q.pos == len(q.at) {
		return 0, false
	}
	return q.at[q.pos], true
}

// stmtRefKey is a reference as it is compared.
func stmtRefKey(s string) string {
	return strings.ToLower(strings.TrimSpace(width.Fold.String(s)))
}

func stmtByDate(a, b StatementEntry) int {
	return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.Row, b.Row))
}

func ledgerByDate(a, b LedgerLine) int {
	return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.EntryID, b.EntryID))
}

// BalanceDiscrepancy is a day on which the bank's closing balance and the amount the ledger
// holds disagree. Day is midnight, Asia/Shanghai; Row is the statement line the balance was
// read from; DifferenceFen is StatementFen − LedgerFen.
type BalanceDiscrepancy struct {
	Day           time.Time `json:"day"`
	Row           int       `json:"row"`
	StatementFen  int64     `json:"statement_fen"`
	LedgerFen     int64     `json:"ledger_fen"`
	DifferenceFen int64     `json:"difference_fen"`
}

// CheckBalances compares, for each day of the statement that has lines with a balance, the
// bank's balance after the day's last line with the amount the ledger held at the end of that
// day, and lists the days they disagree, earliest first. ledgerHeldAt is called once per such
// day with its midnight in Asia/Shanghai and returns the held amount after every entry that
// occurred before the next midnight.
//
// The day's last line is the one with the latest time; among lines of the same time (a bank
// that prints dates only), the last in the file, or the first when the file lists the newest
// lines first, as many Chinese banks' downloads do.
func CheckBalances(lines []StatementEntry, ledgerHeldAt func(day time.Time) int64) []BalanceDiscrepancy {
	newestFirst := stmtNewestFirst(lines)
	closing := map[time.Time]StatementEntry{}
	for _, l := range lines {
		if l.BalanceFen == nil {
			continue
		}
		day := stmtDay(l.Date)
		prev, seen := closing[day]
		later := l.Date.After(prev.Date) ||
			l.Date.Equal(prev.Date) && (l.Row > prev.Row) != newestFirst
		if !seen || later {
			closing[day] = l
		}
	}

	days := make([]time.Time, 0, len(closing))
	for day := range closing {
		days = append(days, day)
	}
	slices.SortFunc(days, time.Time.Compare)
	out := []BalanceDiscrepancy{}
	for _, day := range days {
		l := closing[day]
		held := ledgerHeldAt(day)
		if *l.BalanceFen != held {
			out = append(out, BalanceDiscrepancy{Day: day, Row: l.Row, StatementFen: *l.BalanceFen,
				LedgerFen: held, DifferenceFen: *l.BalanceFen - held})
		}
	}
	return out
}

// stmtNewestFirst reports whether the file lists its lines newest first: its first row is
// dated after its last.
func stmtNewestFirst(lines []StatementEntry) bool {
	if len(lines) < 2 {
		return false
	}
	first := slices.MinFunc(lines, func(a, b StatementEntry) int { return cmp.Compare(a.Row, b.Row) })
	last := slices.MaxFunc(lines, func(a, b StatementEntry) int { return cmp.Compare(a.Row, b.Row) })
	return first.Date.After(last.Date)
}
