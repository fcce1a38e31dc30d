package registry

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/sheet"
)

// ColumnMapping says which header names of a 12345 work-order export hold each field of a
// ComplaintInput; the first name found in the header row wins. Header names are compared with
// spaces, "*" marks, a trailing colon and a trailing note in brackets ("涉及金额（元）") left
// out, full-width characters folded and letters lower-cased. It also
// maps the export's own handling states and satisfaction values to the ones rates are counted
// by. A deployment keeps its mapping as a setting; DefaultColumnMapping is the default.
type ColumnMapping struct {
	Ticket           []string `json:"ticket"`
	ReceivedAt       []string `json:"received_at"`
	ComplainantName  []string `json:"complainant_name"`
	ComplainantPhone []string `json:"complainant_phone"`
	ReportedName     []string `json:"reported_name"`
	ReportedUSCC     []string `json:"reported_uscc"`
	District         []string `json:"district"`
	Street           []string `json:"street"`
	Text             []string `json:"text"`
	HotlineCategory  []string `json:"hotline_category"`
	// AmountFen names the columns of the amount involved, written in yuan (3,800.00元).
	AmountFen      []string `json:"amount_fen"`
	HandlingStatus []string `json:"handling_status"`
	Satisfaction   []string `json:"satisfaction"`

	// StatusValues maps 办理状态 values to open, responded, resolved or unresolved.
	StatusValues map[string]string `json:"status_values"`
	// SatisfactionValues maps 满意度 values to satisfied, basically_satisfied, dissatisfied or
	// unknown.
	SatisfactionValues map[string]string `json:"satisfaction_values"`
}

// DefaultColumnMapping returns the header names and values seen in 12345 hotline exports.
func DefaultColumnMapping() ColumnMapping {
	return ColumnMapping{
		Ticket:           []string{"工单编号", "工单号", "编号", "ticket"},
		ReceivedAt:       []string{"受理时间", "来电时间", "登记时间", "received_at"},
		ComplainantName:  []string{"诉求人", "来电人", "投诉人", "complainant_name"},
		ComplainantPhone: []string{"联系电话", "来电号码", "电话", "complainant_phone"},
		ReportedName:     []string{"被反映主体", "被投诉单位", "商家名称", "reported_name"},
		ReportedUSCC:     []string{"统一社会信用代码", "信用代码", "reported_uscc"},
		District:         []string{"区", "所属区", "区县", "district"},
		Street:           []string{"街乡", "街道", "街乡镇", "street"},
		Text:             []string{"诉求内容", "反映内容", "问题描述", "text"},
		HotlineCategory:  []string{"诉求类别", "问题分类", "类别", "hotline_category"},
		AmountFen:        []string{"涉及金额", "金额", "amount_fen"},
		HandlingStatus:   []string{"办理状态", "处理状态", "handling_status"},
		Satisfaction:     []string{"满意度", "回访满意度", "satisfaction"},
		StatusValues: map[string]string{
			"待受理": "open", "已受理": "open", "待办理": "open", "办理中": "open", "处理中": "open",
			"已派单": "open", "已转办": "open", "转办": "open", "退回": "open", "已退回": "open",
			"已回复": "responded", "已答复": "responded", "已反馈": "responded", "已联系": "responded",
			"已办结": "resolved", "已解决": "resolved", "办结": "resolved", "已完成": "resolved",
			"未解决": "unresolved", "无法解决": "unresolved", "不予受理": "unresolved",
		},
		SatisfactionValues: map[string]string{
			"满意": "satisfied", "非常满意": "satisfied",
			"基本满意": "basically_satisfied", "一般": "basically_satisfied",
			"不满意": "dissatisfied", "非常不满意": "dissatisfied",
			"未回访": "unknown", "无法联系": "unknown", "拒绝回访": "unknown", "未评价": "unknown",
		},
	}
}

// HandlingState returns the handling state (open, responded, resolved, unresolved) that the
// export's 办理状态 value stands for, or "" when the mapping does not know the value.
func (m ColumnMapping) HandlingState(raw string) string {
	return intakeLookup(m.StatusValues, raw)
}

// SatisfactionLevel returns the satisfaction (satisfied, basically_satisfied, dissatisfied,
// unknown) that the export's 满意度 value stands for, or "" when the mapping does not know it.
func (m ColumnMapping) SatisfactionLevel(raw string) string {
	return intakeLookup(m.SatisfactionValues, raw)
}

func intakeLookup(values map[string]string, raw string) string {
	key := intakeHeaderKey(raw)
	for k, v := range values {
		if intakeHeaderKey(k) == key {
			return v
		}
	}
	return ""
}

// intakeField is a field of ComplaintInput that a column of the export fills.
type intakeField int

const (
	intakeTicket intakeField = iota
	intakeReceivedAt
	intakeComplainantName
	intakeComplainantPhone
	intakeReportedName
	intakeReportedUSCC
	intakeDistrict
	intakeStreet
	intakeText
	intakeHotlineCategory
	intakeAmount
	intakeHandlingStatus
	intakeSatisfaction
	intakeFieldCount
)

// intakeFields names each field as ComplaintInput's JSON does and as a clerk knows it.
var intakeFields = [intakeFieldCount]struct{ key, label string }{
	intakeTicket:           {"ticket", "工单编号"},
	intakeReceivedAt:       {"received_at", "受理时间"},
	intakeComplainantName:  {"complainant_name", "诉求人"},
	intakeComplainantPhone: {"complainant_phone", "联系电话"},
	intakeReportedName:     {"reported_name", "被反映主体"},
	intakeReportedUSCC:     {"reported_uscc", "统一社会信用代码"},
	intakeDistrict:         {"district", "区"},
	intakeStreet:           {"street", "街乡"},
	intakeText:             {"text", "诉求内容"},
	intakeHotlineCategory:  {"hotline_category", "诉求类别"},
	intakeAmount:           {"amount_fen", "涉及金额"},
	intakeHandlingStatus:   {"handling_status", "办理状态"},
	intakeSatisfaction:     {"satisfaction", "满意度"},
}

func (m *ColumnMapping) names() [intakeFieldCount][]string {
	return [intakeFieldCount][]string{
		m.Ticket, m.ReceivedAt, m.ComplainantName, m.ComplainantPhone, m.ReportedName,
		m.ReportedUSCC, m.District, m.Street, m.Text, m.HotlineCategory, m.AmountFen,
		m.HandlingStatus, m.Satisfaction,
	}
}

// Limits on the cells of a work order.
const (
	intakeHeaderScan = 10     // rows searched for the header
	intakeTicketMax  = 64     // characters of a ticket number
	intakeTextMax    = 10_000 // characters of a complaint's text
	intakeShortMax   = 200    // characters of a name, street, category or state
	intakePhoneMax   = 32     // characters of a phone number
)

// ParsedRow is one work order of an export: the complaint read from it, or the reasons it
// cannot be imported, one per field, in Chinese with English in brackets. Number is the row's
// number in the spreadsheet.
type ParsedRow struct {
	Number int
	Input  ComplaintInput
	Errors []errs.FieldError
}

// ComplaintRows turns the rows of a 12345 export into complaints, one row at a time. A row
// with errors is returned with all of them and the reading goes on. It is not safe for
// concurrent use.
type ComplaintRows struct {
	rows      *sheet.Reader
	source    string
	headerRow int
	header    []string
	columns   [intakeFieldCount]int // index of each field's column, or -1
	pending   []intakeRow           // rows read while looking for the header
	districts map[string]string     // district name or code → code
	now       func() time.Time
}

// intakeRow is a row of the sheet with the bounds it broke, if any.
type intakeRow struct {
	row sheet.Row
	err *sheet.RowError
}

// NewComplaintRows finds the header row among the first rows of r, skipping title rows above
// it, and maps its columns by m. It refuses a sheet that lacks a column of the work-order
// number, the time received, the text or the enterprise (by name or USCC) with an errs.Invalid
// error that names every missing column. areas resolves districts; nil means BeijingAreas.
// source is the channel recorded on each complaint, "12345" for the hotline.
func NewComplaintRows(r *sheet.Reader, m ColumnMapping, areas *Areas, source string) (*ComplaintRows, error) {
	const op = "registry.NewComplaintRows"
	if areas == nil {
		areas = BeijingAreas()
	}
	head, err := intakeReadHead(r)
	if err != nil {
		return nil, err
	}
	at, columns := intakeFindHeader(head, m.names())
	if missing := intakeMissing(columns); len(missing) > 0 {
		return nil, intakeMissingError(op, missing)
	}
	return &ComplaintRows{
		rows:      r,
		source:    source,
		headerRow: head[at].row.Number,
		header:    head[at].row.Cells,
		columns:   columns,
		pending:   head[at+1:],
		districts: intakeDistricts(areas),
		now:       time.Now,
	}, nil
}

// intakeReadHead reads the rows the header is searched in.
func intakeReadHead(r *sheet.Reader) ([]intakeRow, error) {
	var head []intakeRow
	for len(head) < intakeHeaderScan {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		var rowErr *sheet.RowError
		if err != nil && !errors.As(err, &rowErr) {
			return nil, err
		}
		head = append(head, intakeRow{row, rowErr})
	}
	return head, nil
}

// intakeFindHeader returns the row that names the most fields, the first of them on a tie, and
// the column of each field in it. With no rows at all, every column is missing.
func intakeFindHeader(head []intakeRow, names [intakeFieldCount][]string) (int, [intakeFieldCount]int) {
	best, bestScore := 0, -1
	var bestColumns [intakeFieldCount]int
	for i, h := range head {
		columns, score := intakeMatchHeader(h.row.Cells, names)
		if score > bestScore {
			best, bestScore, bestColumns = i, score, columns
		}
	}
	if bestScore < 0 {
		for f := range bestColumns {
			bestColumns[f] = -1
		}
	}
	return best, bestColumns
}

// intakeMatchHeader finds each field's column in a candidate header row.
func intakeMatchHeader(cells []string, names [intakeFieldCount][]string) ([intakeFieldCount]int, int) {
	at := make(map[string]int, len(cells))
	for i, c := range cells {
		key := intakeHeaderKey(c)
		if _, seen := at[key]; !seen && key != "" {
			at[key] = i
		}
	}
	var columns [intakeFieldCount]int
	score := 0
	for f, aliases := range names {
		columns[f] = -1
		for _, a := range aliases {
			if i, ok := at[intakeHeaderKey(a)]; ok {
				columns[f] = i
				score++
				break
			}
		}
	}
	return columns, score
}

// intakeHeaderKey is a header name as it is compared.
func intakeHeaderKey(s string) string {
	var b strings.Builder
	for _, r := range width.Fold.String(s) {
		if !unicode.IsSpace(r) && r != '*' {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	key := strings.TrimRight(b.String(), ":")
	if i := strings.LastIndex(key, "("); i > 0 && strings.HasSuffix(key, ")") {
		key = key[:i]
	}
	return key
}

// intakeMissing lists the required columns a header lacks.
func intakeMissing(columns [intakeFieldCount]int) []intakeField {
	var missing []intakeField
	for _, f := range []intakeField{intakeTicket, intakeReceivedAt, intakeText} {
		if columns[f] < 0 {
			missing = append(missing, f)
		}
	}
	if columns[intakeReportedName] < 0 && columns[intakeReportedUSCC] < 0 {
		missing = append(missing, intakeReportedName)
	}
	return missing
}

func intakeMissingError(op string, missing []intakeField) error {
	var labels, keys []string
	var fields []errs.FieldError
	for _, f := range missing {
		label, key := intakeFields[f].label, intakeFields[f].key
		if f == intakeReportedName {
			label, key = "被反映主体或统一社会信用代码", "reported_name or reported_uscc"
		}
		labels, keys = append(labels, label), append(keys, key)
		message := "缺少“" + label + "”列 (missing column)"
		fields = append(fields, errs.FieldError{Field: intakeFields[f].key, Message: message})
	}
	msg := fmt.Sprintf("缺少必需的列：%s (missing required columns: %s)",
		strings.Join(labels, "、"), strings.Join(keys, ", "))
	return &errs.Error{Kind: errs.Invalid, Op: op, Message: msg, Fields: fields}
}

// intakeDistricts indexes the districts by code, by name and by name without 区.
func intakeDistricts(areas *Areas) map[string]string {
	index := make(map[string]string, 3*len(areas.Districts))
	for code, name := range areas.Districts {
		index[code] = code
		index[name] = code
		if short := strings.TrimSuffix(name, "区"); short != "" {
			index[short] = code
		}
	}
	return index
}

// HeaderRow returns the number of the row the column names were read from.
func (c *ComplaintRows) HeaderRow() int { return c.headerRow }

// Columns returns, for each field found, its JSON name and the header of its column as the
// export writes it.
func (c *ComplaintRows) Columns() map[string]string {
	out := map[string]string{}
	for f, i := range c.columns {
		if i >= 0 {
			out[intakeFields[f].key] = c.header[i]
		}
	}
	return out
}

// Next returns the next work order, or io.EOF after the last. Errors in a row are reported in
// its ParsedRow; an error returned here means the file could not be read on.
func (c *ComplaintRows) Next() (ParsedRow, error) {
	if len(c.pending) > 0 {
		next := c.pending[0]
		c.pending = c.pending[1:]
		return c.parse(next), nil
	}
	row, err := c.rows.Next()
	var rowErr *sheet.RowError
	if err != nil && !errors.As(err, &rowErr) {
		return ParsedRow{}, err
	}
	return c.parse(intakeRow{row, rowErr}), nil
}

// intakeEarliest is the earliest time a work order may have been received.
var intakeEarliest = time.Date(2000, 1, 1, 0, 0, 0, 0, shanghai)

var (
	// intakeScientific is a long number Excel showed, and exported, in scientific notation.
	intakeScientific = regexp.MustCompile(`^\d(?:\.\d+)?[eE]\+?\d+$`)
	// intakeFloatNoise is a decimal with more digits than Excel keeps (3800.1000000000004).
	intakeFloatNoise = regexp.MustCompile(`^\d+\.\d{3,}$`)
)

// intakeParser reads the cells of one row into a ComplaintInput and collects what is wrong.
type intakeParser struct {
	c      *ComplaintRows
	cells  []string
	broken [intakeFieldCount]bool // cells the sheet emptied for being over its bound
	errors []errs.FieldError
}

// parse reads one row. Each field is read and checked on its own, so that a row reports every
// reason it cannot be imported.
func (c *ComplaintRows) parse(r intakeRow) ParsedRow {
	p := &intakeParser{c: c, cells: r.row.Cells}
	p.markOversized(r.err)
	in := ComplaintInput{Source: c.source}
	in.Ticket = p.ticket()
	in.ReceivedAt = p.receivedAt()
	in.ComplainantName = p.short(intakeComplainantName)
	in.ComplainantPhone = p.phone()
	in.ReportedName = p.short(intakeReportedName)
	in.ReportedUSCC = p.uscc()
	p.requireReported(in)
	in.District = p.district()
	in.Street = p.short(intakeStreet)
	in.Text = p.text()
	// The category is left to the tagger, which maps the hotline's own category or the text.
	in.HotlineCategory = p.short(intakeHotlineCategory)
	in.AmountFen = p.amount()
	in.HandlingStatus = p.short(intakeHandlingStatus)
	in.Satisfaction = p.short(intakeSatisfaction)
	return ParsedRow{Number: r.row.Number, Input: in, Errors: p.errors}
}

// markOversized reports the cells of mapped columns that the sheet emptied; columns the
// mapping does not use are no concern of the complaint.
func (p *intakeParser) markOversized(rowErr *sheet.RowError) {
	if rowErr == nil {
		return
	}
	for _, col := range rowErr.Oversized {
		for f, i := range p.c.columns {
			if i == col-1 {
				p.broken[f] = true
				p.bad(intakeField(f), fmt.Sprintf("%s单元格超过 %d KiB (cell larger than %d KiB)",
					intakeFields[f].label, sheet.MaxCellBytes>>10, sheet.MaxCellBytes>>10))
			}
		}
	}
}

func (p *intakeParser) bad(f intakeField, message string) {
	p.errors = append(p.errors, errs.FieldError{Field: intakeFields[f].key, Message: message})
}

// value returns the trimmed cell of a field, "" when the export has no such column, and false
// when the cell was emptied for its size and has been reported already.
func (p *intakeParser) value(f intakeField) (string, bool) {
	i := p.c.columns[f]
	if p.broken[f] {
		return "", false
	}
	if i < 0 || i >= len(p.cells) {
		return "", true
	}
	return strings.TrimSpace(p.cells[i]), true
}

func (p *intakeParser) ticket() string {
	s, ok := p.value(intakeTicket)
	if !ok {
		return ""
	}
	s = width.Fold.String(s)
	switch n := utf8.RuneCountInString(s); {
	case s == "":
		p.bad(intakeTicket, "缺少工单编号 (ticket required)")
	case n > intakeTicketMax:
		p.bad(intakeTicket, fmt.Sprintf("工单编号最多%d个字符，实为%d个 (ticket at most %d characters)",
			intakeTicketMax, n, intakeTicketMax))
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		p.bad(intakeTicket, "工单编号含有控制字符 (ticket contains control characters)")
	case intakeScientific.MatchString(s):
		p.bad(intakeTicket, fmt.Sprintf("工单编号%s是科学计数法，原编号已丢失，请把该列设为文本后重新导出 "+
			"(ticket in scientific notation; export the column as text)", intakeQuote(s)))
	}
	return s
}

func (p *intakeParser) receivedAt() time.Time {
	s, ok := p.value(intakeReceivedAt)
	if !ok {
		return time.Time{}
	}
	if s == "" {
		p.bad(intakeReceivedAt, "缺少受理时间 (received_at required)")
		return time.Time{}
	}
	t, ok := sheet.ParseTime(s, shanghai, p.c.rows.Date1904())
	if !ok {
		p.bad(intakeReceivedAt, fmt.Sprintf("受理时间%s无法识别，应如 2026-03-05 09:30 "+
			"(unrecognised date and time)", intakeQuote(s)))
		return time.Time{}
	}
	if t.Before(intakeEarliest) || t.After(p.c.now().Add(24*time.Hour)) {
		p.bad(intakeReceivedAt, fmt.Sprintf("受理时间 %s 应在2000年以后且不晚于明天 "+
			"(received before 2000 or in the future)", t.In(shanghai).Format("2006-01-02 15:04")))
		return time.Time{}
	}
	return t.UTC()
}

func (p *intakeParser) phone() string {
	s, ok := p.value(intakeComplainantPhone)
	if !ok {
		return ""
	}
	s = strings.Map(intakeDropSpace, width.Fold.String(s))
	valid := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '+' && r != '-' }) < 0
	if !valid || len(s) > intakePhoneMax {
		p.bad(intakeComplainantPhone, fmt.Sprintf("联系电话只能包含数字、+ 和 -，最多%d位 "+
			"(phone may hold digits, + and - only)", intakePhoneMax))
	}
	return s
}

func (p *intakeParser) uscc() string {
	s, ok := p.value(intakeReportedUSCC)
	if !ok || s == "" {
		return ""
	}
	s = width.Fold.String(s)
	code, err := ParseUSCC(s)
	if err != nil {
		p.bad(intakeReportedUSCC, err.Error())
		return strings.ToUpper(s)
	}
	return string(code)
}

// requireReported checks that the row names the enterprise, by name or by USCC.
func (p *intakeParser) requireReported(in ComplaintInput) {
	if in.ReportedName != "" || in.ReportedUSCC != "" || p.broken[intakeReportedName] || p.broken[intakeReportedUSCC] {
		return
	}
	p.bad(intakeReportedName, "缺少被反映主体或统一社会信用代码 (reported_name or reported_uscc required)")
}

// district reads a district by name (朝阳区, 朝阳, 北京市朝阳区) or by code (110105).
func (p *intakeParser) district() string {
	s, ok := p.value(intakeDistrict)
	if !ok || s == "" {
		return ""
	}
	key := strings.TrimPrefix(strings.Map(intakeDropSpace, width.Fold.String(s)), "北京市")
	code, found := p.c.districts[key]
	if !found {
		p.bad(intakeDistrict, fmt.Sprintf("%s不是北京市的区（如朝阳区或 110105） (unknown district)", intakeQuote(s)))
	}
	return code
}

func (p *intakeParser) text() string {
	s, ok := p.value(intakeText)
	if !ok {
		return ""
	}
	switch n := utf8.RuneCountInString(s); {
	case s == "":
		p.bad(intakeText, "缺少诉求内容 (text required)")
	case n > intakeTextMax:
		p.bad(intakeText, fmt.Sprintf("诉求内容最多%d字，实为%d字 (text at most %d characters)",
			intakeTextMax, n, intakeTextMax))
	}
	return s
}

// short reads a field kept as the export writes it, trimmed: a name, a street, the hotline's
// category, handling state or satisfaction.
func (p *intakeParser) short(f intakeField) string {
	s, ok := p.value(f)
	if !ok {
		return ""
	}
	if n := utf8.RuneCountInString(s); n > intakeShortMax {
		p.bad(f, fmt.Sprintf("%s最多%d字，实为%d字 (at most %d characters)",
			intakeFields[f].label, intakeShortMax, n, intakeShortMax))
	}
	return s
}

func (p *intakeParser) amount() int64 {
	s, ok := p.value(intakeAmount)
	if !ok {
		return 0
	}
	fen, message := intakeParseAmount(s)
	if message != "" {
		p.bad(intakeAmount, message)
	}
	return fen
}

// intakeParseAmount reads an amount in yuan as fen: "3800", "3,800.00", "3800元", "￥3,800.5",
// "3.8万"; an empty cell is no amount.
func intakeParseAmount(s string) (int64, string) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ',' || r == '¥' || r == '元' {
			return -1
		}
		return r
	}, width.Fold.String(s))
	if t == "" {
		return 0, ""
	}
	digits, negative := strings.CutPrefix(t, "-")
	fen, err := intakeYuan(digits)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("涉及金额%s无法识别，应如 3800 或 3,800.00元 (invalid amount)", intakeQuote(s))
	case negative && fen > 0:
		return 0, "涉及金额不能为负数 (amount must not be negative)"
	}
	return fen, ""
}

// intakeYuan reads yuan digits, in units of 万 (ten thousand) when so marked, without ever
// rounding, except for the binary noise of a number Excel computed (3800.1000000000004), which
// is rounded to the fen as Excel would show it.
func intakeYuan(t string) (int64, error) {
	if num, ok := strings.CutSuffix(t, "万"); ok {
		if num == "" || num[0] < '0' || num[0] > '9' {
			return 0, money.ErrAmount
		}
		whole, frac, _ := strings.Cut(num, ".")
		frac += "0000"
		t = whole + frac[:4]
		if rest := strings.TrimRight(frac[4:], "0"); rest != "" {
			t += "." + rest
		}
	}
	fen, err := money.ParseYuan(t)
	if err != nil && intakeFloatNoise.MatchString(t) && intakeSignificant(t) >= 15 {
		v, perr := strconv.ParseFloat(t, 64)
		if perr == nil {
			return money.ParseYuan(strconv.FormatFloat(v, 'f', 2, 64))
		}
	}
	return fen, err
}

// intakeSignificant counts the significant digits of a decimal; Excel keeps 15.
func intakeSignificant(t string) int {
	return len(strings.TrimLeft(strings.Replace(t, ".", "", 1), "0"))
}

func intakeDropSpace(r rune) rune {
	if unicode.IsSpace(r) {
		return -1
	}
	return r
}

// intakeQuote shows a cell's value in a message, cut short when long.
func intakeQuote(s string) string {
	const most = 40
	if utf8.RuneCountInString(s) > most {
		s = string([]rune(s)[:most]) + "…"
	}
	return "“" + s + "”"
}
