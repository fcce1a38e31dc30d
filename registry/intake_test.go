package registry

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/internal/sheet"
)

// intakeTestNow is the clock of every intake test: received times may be up to a day later.
var intakeTestNow = time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)

// intakeHeader is the header of a typical 12345 export.
var intakeHeader = []string{"工单编号", "受理时间", "诉求人", "联系电话", "被反映主体",
	"统一社会信用代码", "区", "街乡",
	"诉求内容", "诉求类别", "涉及金额", "办理状态", "满意度"}

// openIntake opens data as an upload called name and maps its columns by the default mapping.
func openIntake(t testing.TB, data []byte, name string) (*ComplaintRows, error) {
	t.Helper()
	r, err := sheet.Open(bytes.NewReader(data), name)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, r.Close()) })
	rows, err := NewComplaintRows(r, DefaultColumnMapping(), nil, "12345")
	if rows != nil {
		rows.now = func() time.Time { return intakeTestNow }
	}
	return rows, err
}

// parseIntake returns every row of an upload.
func parseIntake(t testing.TB, data []byte, name string) []ParsedRow {
	t.Helper()
	rows, err := openIntake(t, data, name)
	require.NoError(t, err)
	var out []ParsedRow
	for {
		p, err := rows.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, p)
	}
}

// intakeWorkbook builds an xlsx in memory; build fills "Sheet1".
func intakeWorkbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	return buf.Bytes()
}

func setRow(t testing.TB, f *excelize.File, cell string, values ...any) {
	t.Helper()
	require.NoError(t, f.SetSheetRow("Sheet1", cell, &values))
}

// intakeCSV writes rows as CSV with every cell quoted.
func intakeCSV(rows ...[]string) []byte {
	var b strings.Builder
	for _, row := range rows {
		for i, c := range row {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(c, `"`, `""`) + `"`)
		}
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// intakeTestUSCC completes a USCC with its check character.
func intakeTestUSCC(t testing.TB, first17 string) string {
	t.Helper()
	c, err := CheckChar(first17)
	require.NoError(t, err)
	return first17 + string(c)
}

func intakeErr(field, message string) errs.FieldError {
	return errs.FieldError{Field: field, Message: message}
}

func utcAt(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC)
}

func TestIntake_XLSXExport(t *testing.T) {

	u1 := intakeTestUSCC(t, "91110105MA01YD001")
	long := strings.Repeat("诉", intakeTextMax)
	data := intakeWorkbook(t, func(f *excelize.File) {
		setRow(t, f, "A1", "北京市12345热线工单导出（2026年3月）")
		require.NoError(t, f.MergeCell("Sheet1", "A1", "N1"))
		setRow(t, f, "A2", "工单编号", "受理时间", "诉求人", "联系电话", "被反映主体", "统一社会信用代码", "区", "街乡",
			"诉求内容", "", "诉求类别", "涉及金额（元）", "办理状态", "满意度")
		require.NoError(t, f.MergeCell("Sheet1", "I2", "J2"))
		row3 := []any{"GD001", time.Date(2026, 3, 5, 9, 30, 0, 0, shanghai), "张女士", 13800000001,
			"北京悦动健身有限公司", u1, "朝阳区", "望京街道", "办理年卡后商家拒绝退费", "", "消费纠纷-退费",
			3800, "已办结", "满意"}
		setRow(t, f, "A3", row3...)
		setRow(t, f, "A4", "GD002", 46086.395833, "李先生", "010-65000001", "北京丽颜美容有限公司", "", 110105,
			"三里屯街道", `=HYPERLINK("http://x","点我")`, "备注：已联系", "消费纠纷-虚假宣传", "3,800.00元", "办理中")
		setRow(t, f, "A6", "", "2026年3月6日 14时05分", "王女士", "", "北京启智教育科技有限公司", "", "朝阳", "",
			"课程缩水", "", "消费纠纷-服务质量", 0, "已受理")
		setRow(t, f, "A7", "GD003", "2026/3/7 8:05", "", "", "北京洁净洗衣服务有限公司", "", "", "", long, "", "",
			"￥12,800.5")
		setRow(t, f, "A8", "GD004", "2026-03-08", "", "", "北京洁净洗衣服务有限公司", "", "", "", long+"诉")
		setRow(t, f, "A9", row3...)
		setRow(t, f, "A10", "", "2026-03-08 10:00", "", "", "北京车之宝汽车美容有限公司", "", "火星区",
			"", "洗车卡无法使用",
			"", "", "三千元")
		setRow(t, f, "A11", "GD005", time.Date(2026, 3, 9, 0, 0, 0, 0, shanghai), "", "",
			"北京老街坊餐饮管理有限公司", "",
			"", "", "储值卡余额被清零", "", "", "", "已回复", "未回访")
	})

	rows, err := openIntake(t, data, "12345-export.xlsx")
	require.NoError(t, err)
	assert.Equal(t, 2, rows.HeaderRow())
	assert.Equal(t, "涉及金额（元）", rows.Columns()["amount_fen"])
	var got []ParsedRow
	for {
		p, err := rows.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, p)
	}

	first := ComplaintInput{Source: "12345", Ticket: "GD001", ReceivedAt: utcAt(5, 1, 30), ComplainantName: "张女士",
		ComplainantPhone: "13800000001", ReportedName: "北京悦动健身有限公司", ReportedUSCC: u1, District: "110105",
		Street: "望京街道", Text: "办理年卡后商家拒绝退费", HotlineCategory: "消费纠纷-退费", AmountFen: 380000,
		HandlingStatus: "已办结", Satisfaction: "满意"}
	want := []ParsedRow{
		{Number: 3, Input: first},
		{Number: 4, Input: ComplaintInput{Source: "12345", Ticket: "GD002", ReceivedAt: utcAt(5, 1, 30),
			ComplainantName: "李先生", ComplainantPhone: "010-65000001", ReportedName: "北京丽颜美容有限公司",
			District: "110105", Street: "三里屯街道", Text: `=HYPERLINK("http://x","点我")`,
			HotlineCategory: "消费纠纷-虚假宣传", AmountFen: 380000, HandlingStatus: "办理中"}},
		{Number: 6, Input: ComplaintInput{Source: "12345", ReceivedAt: utcAt(6, 6, 5), ComplainantName: "王女士",
			ReportedName: "北京启智教育科技有限公司", District: "110105", Text: "课程缩水",
			HotlineCategory: "消费纠纷-服务质量", HandlingStatus: "已受理"},
			Errors: []errs.FieldError{{Field: "ticket", Message: "缺少工单编号 (ticket required)"}}},
		{Number: 7, Input: ComplaintInput{Source: "12345", Ticket: "GD003", ReceivedAt: utcAt(7, 0, 5),
			ReportedName: "北京洁净洗衣服务有限公司", Text: long, AmountFen: 1280050}},
		{Number: 8, Input: ComplaintInput{Source: "12345", Ticket: "GD004", ReceivedAt: utcAt(7, 16, 0),
			ReportedName: "北京洁净洗衣服务有限公司", Text: long + "诉"},
			Errors: []errs.FieldError{intakeErr("text",
				"诉求内容最多10000字，实为10001字 (text at most 10000 characters)")}},
		{Number: 9, Input: first},
		{Number: 10, Input: ComplaintInput{Source: "12345", ReceivedAt: utcAt(8, 2, 0),
			ReportedName: "北京车之宝汽车美容有限公司", Text: "洗车卡无法使用"},
			Errors: []errs.FieldError{
				{Field: "ticket", Message: "缺少工单编号 (ticket required)"},
				{Field: "district", Message: "“火星区”不是北京市的区（如朝阳区或 110105） (unknown district)"},
				{Field: "amount_fen", Message: "涉及金额“三千元”无法识别，应如 3800 或 3,800.00元 (invalid amount)"},
			}},
		{Number: 11, Input: ComplaintInput{Source: "12345", Ticket: "GD005", ReceivedAt: utcAt(8, 16, 0),
			ReportedName: "北京老街坊餐饮管理有限公司", Text: "储值卡余额被清零", HandlingStatus: "已回复",
			Satisfaction: "未回访"}},
	}
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i], got[i], "row %d", want[i].Number)
	}
}

func TestIntake_HeaderOnly(t *testing.T) {
	data := intakeWorkbook(t, func(f *excelize.File) {
		setRow(t, f, "A1", "北京市12345热线工单导出（2026年3月）")
		require.NoError(t, f.MergeCell("Sheet1", "A1", "M1"))
		values := make([]any, len(intakeHeader))
		for i, h := range intakeHeader {
			values[i] = h
		}
		setRow(t, f, "A2", values...)
	})

	rows, err := openIntake(t, data, "empty.xlsx")
	require.NoError(t, err)
	_, err = rows.Next()

	assert.Equal(t, io.EOF, err)
	assert.Equal(t, 2, rows.HeaderRow())
	assert.Len(t, rows.Columns(), len(intakeHeader))
	assert.Equal(t, "统一社会信用代码", rows.Columns()["reported_uscc"])
}

func TestIntake_HeaderIsTheRowThatNamesMostColumns(t *testing.T) {
	data := intakeCSV(
		[]string{"工单导出"},
		[]string{"编号", "说明"},
		[]string{" 工单编号 ", "*受理时间", "被投诉单位", "诉求　内容", "金额(元)"},
		[]string{"GD1", "2026-03-05 09:30", "北京悦动健身有限公司", "退费难", "80"},
	)

	rows, err := openIntake(t, data, "export.csv")
	require.NoError(t, err)
	p, err := rows.Next()
	require.NoError(t, err)

	assert.Equal(t, 3, rows.HeaderRow())
	assert.Equal(t, ParsedRow{Number: 4, Input: ComplaintInput{Source: "12345", Ticket: "GD1",
		ReceivedAt: utcAt(5, 1, 30), ReportedName: "北京悦动健身有限公司", Text: "退费难", AmountFen: 8000}}, p)
}

func TestIntake_MissingColumns(t *testing.T) {
	notes := make([][]string, intakeHeaderScan)
	for i := range notes {
		notes[i] = []string{"说明"}
	}
	tests := []struct {
		name   string
		data   []byte
		want   string
		fields []string
	}{
		{
			name:   "no ticket or time",
			data:   intakeCSV([]string{"序号", "诉求人", "被反映主体", "诉求内容"}),
			want:   "缺少必需的列：工单编号、受理时间 (missing required columns: ticket, received_at)",
			fields: []string{"ticket", "received_at"},
		},
		{
			name: "no enterprise",
			data: intakeCSV([]string{"工单编号", "受理时间", "诉求内容", "区"}),
			want: "缺少必需的列：被反映主体或统一社会信用代码 " +
				"(missing required columns: reported_name or reported_uscc)",
			fields: []string{"reported_name"},
		},
		{
			name: "title only",
			data: intakeWorkbook(t, func(f *excelize.File) { setRow(t, f, "A1", "北京市12345热线工单导出") }),
			want: "缺少必需的列：工单编号、受理时间、诉求内容、被反映主体或统一社会信用代码 " +
				"(missing required columns: ticket, received_at, text, reported_name or reported_uscc)",
			fields: []string{"ticket", "received_at", "text", "reported_name"},
		},
		{
			name: "header below the rows searched",
			data: intakeCSV(append(notes, intakeHeader)...),
			want: "缺少必需的列：工单编号、受理时间、诉求内容、被反映主体或统一社会信用代码 " +
				"(missing required columns: ticket, received_at, text, reported_name or reported_uscc)",
			fields: []string{"ticket", "received_at", "text", "reported_name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := openIntake(t, tt.data, "export.xlsx")

			assert.Nil(t, rows)
			require.Error(t, err)
			assert.Equal(t, errs.Invalid, errs.KindOf(err))
			assert.Equal(t, tt.want, errs.MessageOf(err))
			var fields []string
			for _, f := range errs.FieldsOf(err) {
				fields = append(fields, f.Field)
			}
			assert.Equal(t, tt.fields, fields)
		})
	}
}

// intakeBase is a row of intakeHeader that has no errors.
func intakeBase(t testing.TB) map[string]string {
	return map[string]string{
		"工单编号": "GD1", "受理时间": "2026-03-05 09:30", "诉求人": "张女士", "联系电话": "13800000001",
		"被反映主体": "北京悦动健身有限公司", "统一社会信用代码": intakeTestUSCC(t, "91110105MA01YD001"), "区": "朝阳区",
		"街乡": "望京街道", "诉求内容": "办卡后商家拒绝退费", "诉求类别": "消费纠纷-退费", "涉及金额": "3800",
		"办理状态": "已办结", "满意度": "满意",
	}
}

func TestIntake_RowErrors(t *testing.T) {
	_, badCheck := ParseUSCC("91110105MA01YD0010")
	require.Error(t, badCheck)
	tests := []struct {
		name string
		set  map[string]string
		want []errs.FieldError
	}{
		{"ticket missing", map[string]string{"工单编号": " "},
			[]errs.FieldError{intakeErr("ticket", "缺少工单编号 (ticket required)")}},
		{"ticket of 64 characters", map[string]string{"工单编号": strings.Repeat("号", 64)}, nil},
		{"ticket of 65 characters", map[string]string{"工单编号": strings.Repeat("号", 65)},
			[]errs.FieldError{intakeErr("ticket", "工单编号最多64个字符，实为65个 (ticket at most 64 characters)")}},
		{"ticket with a control character", map[string]string{"工单编号": "GD\x071"},
			[]errs.FieldError{intakeErr("ticket", "工单编号含有控制字符 (ticket contains control characters)")}},
		{"ticket in scientific notation", map[string]string{"工单编号": "2.02603E+19"},
			[]errs.FieldError{intakeErr("ticket", "工单编号“2.02603E+19”是科学计数法，原编号已丢失，请把该列设为文本后重新导出 "+
				"(ticket in scientific notation; export the column as text)")}},
		{"time missing", map[string]string{"受理时间": ""},
			[]errs.FieldError{intakeErr("received_at", "缺少受理时间 (received_at required)")}},
		{"time unreadable", map[string]string{"受理时间": "三月五日"},
			[]errs.FieldError{intakeErr("received_at", "受理时间“三月五日”无法识别，应如 2026-03-05 09:30 "+
				"(unrecognised date and time)")}},
		{"no 30 February", map[string]string{"受理时间": "2026-02-30"},
			[]errs.FieldError{intakeErr("received_at", "受理时间“2026-02-30”无法识别，应如 2026-03-05 09:30 "+
				"(unrecognised date and time)")}},
		{"before 2000", map[string]string{"受理时间": "1999-12-31 23:59"},
			[]errs.FieldError{intakeErr("received_at", "受理时间 1999-12-31 23:59 应在2000年以后且不晚于明天 "+
				"(received before 2000 or in the future)")}},
		{"a day ahead is the latest", map[string]string{"受理时间": "2026-04-01 20:00"}, nil},
		{"more than a day ahead", map[string]string{"受理时间": "2026-04-01 20:01"},
			[]errs.FieldError{intakeErr("received_at", "受理时间 2026-04-01 20:01 应在2000年以后且不晚于明天 "+
				"(received before 2000 or in the future)")}},
		{"phone with letters", map[string]string{"联系电话": "138abc"},
			[]errs.FieldError{intakeErr("complainant_phone", "联系电话只能包含数字、+ 和 -，最多32位 "+
				"(phone may hold digits, + and - only)")}},
		{"USCC with a wrong check character", map[string]string{"统一社会信用代码": "91110105MA01YD0010"},
			[]errs.FieldError{intakeErr("reported_uscc", badCheck.Error())}},
		{"USCC alone names the enterprise", map[string]string{"被反映主体": ""}, nil},
		{"name alone names the enterprise", map[string]string{"统一社会信用代码": ""}, nil},
		{"no enterprise", map[string]string{"被反映主体": "", "统一社会信用代码": ""},
			[]errs.FieldError{intakeErr("reported_name", "缺少被反映主体或统一社会信用代码 "+
				"(reported_name or reported_uscc required)")}},
		{"unknown district", map[string]string{"区": "110000"},
			[]errs.FieldError{intakeErr("district", "“110000”不是北京市的区（如朝阳区或 110105） (unknown district)")}},
		{"text missing", map[string]string{"诉求内容": ""},
			[]errs.FieldError{intakeErr("text", "缺少诉求内容 (text required)")}},
		{"negative amount", map[string]string{"涉及金额": "-3800"},
			[]errs.FieldError{intakeErr("amount_fen", "涉及金额不能为负数 (amount must not be negative)")}},
		{"amount with three decimals", map[string]string{"涉及金额": "3800.123"},
			[]errs.FieldError{intakeErr("amount_fen",
				"涉及金额“3800.123”无法识别，应如 3800 或 3,800.00元 (invalid amount)")}},
		{"long name", map[string]string{"诉求人": strings.Repeat("名", 201)},
			[]errs.FieldError{intakeErr("complainant_name", "诉求人最多200字，实为201字 (at most 200 characters)")}},
		{"every reason at once", map[string]string{"工单编号": "", "受理时间": "", "诉求内容": "", "涉及金额": "x"},
			[]errs.FieldError{
				intakeErr("ticket", "缺少工单编号 (ticket required)"),
				intakeErr("received_at", "缺少受理时间 (received_at required)"),
				intakeErr("text", "缺少诉求内容 (text required)"),
				intakeErr("amount_fen", "涉及金额“x”无法识别，应如 3800 或 3,800.00元 (invalid amount)"),
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := intakeBase(t)
			for k, v := range tt.set {
				cells[k] = v
			}
			row := make([]string, len(intakeHeader))
			for i, h := range intakeHeader {
				row[i] = cells[h]
			}

			got := parseIntake(t, intakeCSV(intakeHeader, row), "export.csv")

			require.Len(t, got, 1)
			assert.Equal(t, 2, got[0].Number)
			assert.Equal(t, tt.want, got[0].Errors)
		})
	}
}

func TestIntake_OversizedCells(t *testing.T) {
	huge := strings.Repeat("长", sheet.MaxCellBytes/3+1)
	data := intakeCSV(
		[]string{"工单编号", "受理时间", "被反映主体", "诉求内容", "备注"},
		[]string{"GD1", "2026-03-05", "北京悦动健身有限公司", huge, ""},
		[]string{"GD2", "2026-03-05", "北京悦动健身有限公司", "退费难", huge},
	)

	got := parseIntake(t, data, "export.csv")

	require.Len(t, got, 2)
	assert.Equal(t, []errs.FieldError{intakeErr("text", "诉求内容单元格超过 64 KiB (cell larger than 64 KiB)")},
		got[0].Errors)
	assert.Empty(t, got[1].Errors, "a column the mapping does not use is no concern")
	assert.Equal(t, "退费难", got[1].Input.Text)
}

func TestIntake_CSVEncodings(t *testing.T) {
	u1 := intakeTestUSCC(t, "91110105MA01YD001")
	rows := [][]string{
		{"工单编号", "受理时间", "诉求人", "被反映主体", "统一社会信用代码", "区", "诉求内容", "涉及金额", "满意度"},
		{"GD1", "2026-03-05 09:30", "张女士", "北京悦动健身有限公司", u1, "朝阳区", "年卡退费被拒，\n多次协商无果",
			"3,800.00", "满意"},
		{"GD2", "2026/3/6 10:00", "李先生", "北京丽颜美容有限公司", "", "110105", "充值后降低服务标准", "500元", ""},
	}
	csv := intakeCSV(rows...)
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(csv)
	require.NoError(t, err)
	var tabbed strings.Builder
	for _, row := range rows {
		for i, c := range row {
			if i > 0 {
				tabbed.WriteByte('\t')
			}
			if strings.Contains(c, "\n") {
				c = `"` + c + `"`
			}
			tabbed.WriteString(c)
		}
		tabbed.WriteByte('\n')
	}
	want := []ParsedRow{
		{Number: 2, Input: ComplaintInput{Source: "12345", Ticket: "GD1", ReceivedAt: utcAt(5, 1, 30),
			ComplainantName: "张女士", ReportedName: "北京悦动健身有限公司", ReportedUSCC: u1, District: "110105",
			Text: "年卡退费被拒，\n多次协商无果", AmountFen: 380000, Satisfaction: "满意"}},
		{Number: 3, Input: ComplaintInput{Source: "12345", Ticket: "GD2", ReceivedAt: utcAt(6, 2, 0),
			ComplainantName: "李先生", ReportedName: "北京丽颜美容有限公司", District: "110105",
			Text: "充值后降低服务标准", AmountFen: 50000}},
	}
	uploads := map[string][]byte{
		"UTF-8 with BOM":      append([]byte("\xEF\xBB\xBF"), csv...),
		"GB18030":             gb,
		"UTF-8 tab-separated": []byte(tabbed.String()),
	}
	for name, data := range uploads {
		t.Run(name, func(t *testing.T) {
			got := parseIntake(t, data, "export.csv")

			assert.Equal(t, want, got)
		})
	}
}

func TestIntake_FullWidthTime(t *testing.T) {
	data := intakeCSV(intakeHeader, []string{"ＧＤ１", "２０２６－０３－０５　０９：３０", "", "", "某店", "", "", "", "退费", "", "",
		"", ""})

	got := parseIntake(t, data, "export.csv")

	require.Len(t, got, 1)
	assert.Empty(t, got[0].Errors)
	assert.Equal(t, "GD1", got[0].Input.Ticket)
	assert.Equal(t, utcAt(5, 1, 30), got[0].Input.ReceivedAt)
}

func TestIntake_ParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"3800", 380000, true},
		{"3,800.00", 380000, true},
		{"3800元", 380000, true},
		{"￥3,800.5", 380050, true},
		{"¥ 3 800", 380000, true},
		{"１２，８００．５０元", 1280050, true},
		{"", 0, true},
		{"0", 0, true},
		{"3.8万", 3800000, true},
		{"1.23456万元", 1234560, true},
		{"3800.1000000000004", 380010, true},
		{"-3800", 0, false},
		{"三千元", 0, false},
		{"3800.123", 0, false},
		{"万", 0, false},
		{"3.8.1", 0, false},
		{"1e3", 0, false},
	}
	for _, tt := range tests {
		got, message := intakeParseAmount(tt.in)

		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.ok, message == "", "%s: %s", tt.in, message)
	}
}

func TestIntake_District(t *testing.T) {
	c := &ComplaintRows{districts: intakeDistricts(BeijingAreas())}
	c.columns[intakeDistrict] = 0
	for _, in := range []string{"朝阳区", "朝阳", "110105", "北京市朝阳区", " 朝阳区 ", "北京市 朝阳区"} {
		p := &intakeParser{c: c, cells: []string{in}}
		assert.Equal(t, "110105", p.district(), in)
		assert.Empty(t, p.errors, in)
	}
	p := &intakeParser{c: c, cells: []string{"海淀"}}
	assert.Equal(t, "110108", p.district())
	for _, in := range []string{"火星区", "110000", "区"} {
		p := &intakeParser{c: c, cells: []string{in}}
		assert.Equal(t, "", p.district(), in)
		assert.Len(t, p.errors, 1, in)
	}
}

func TestIntake_HeaderKey(t *testing.T) {
	tests := map[string]string{
		"  工单编号 ":   "工单编号",
		"涉及金额（元）":   "涉及金额",
		"*受理时间":     "受理时间",
		"受理时间：":     "受理时间",
		"ＴＩＣＫＥＴ":    "ticket",
		"诉求　内容":     "诉求内容",
		"(备注)":      "(备注)",
		"联系电话(手机)*": "联系电话",
	}
	for in, want := range tests {
		assert.Equal(t, want, intakeHeaderKey(in), in)
	}
}

func TestIntake_HandlingStateAndSatisfaction(t *testing.T) {
	m := DefaultColumnMapping()
	states := map[string]string{"已办结": "resolved", " 办理中 ": "open", "已受理": "open", "待受理": "open",
		"已回复": "responded", "已解决": "resolved", "未解决": "unresolved", "已转办": "open", "作废": ""}
	for in, want := range states {
		assert.Equal(t, want, m.HandlingState(in), in)
	}
	levels := map[string]string{"满意": "satisfied", "基本满意": "basically_satisfied", "不满意": "dissatisfied",
		"未回访": "unknown", "": ""}
	for in, want := range levels {
		assert.Equal(t, want, m.SatisfactionLevel(in), in)
	}
}

func TestIntake_NotASpreadsheet(t *testing.T) {
	for name, data := range map[string][]byte{"renamed.xlsx": []byte("%PDF-1.4\n..."), "empty.csv": nil} {
		_, err := sheet.Open(bytes.NewReader(data), name)

		assert.Equal(t, errs.Invalid, errs.KindOf(err), name)
		assert.True(t, errors.Is(err, sheet.ErrNotSpreadsheet) || errors.Is(err, sheet.ErrEmpty), name)
	}
}

// updateIntakeFixture rewrites testdata/intake/12345-export.xlsx from intakeFixture.
var updateIntakeFixture = flag.Bool("update-intake-fixture", false, "rewrite testdata/intake/12345-export.xlsx")

// intakeFixturePath is a small, realistic 12345 export for tests that need one: a merged title
// row, the header on row 2 and 30 work orders on rows 3 to 32 about six made-up enterprises of
// Chaoyang, every one of them valid. It is made by intakeFixture and rewritten with
//
//	go test ./registry -run TestIntake_Fixture -update-intake-fixture
const intakeFixturePath = "testdata/intake/12345-export.xlsx"

// intakeFixtureEnterprises are the made-up enterprises the fixture's work orders are about.
var intakeFixtureEnterprises = []struct{ name, first17, street string }{
	{"北京悦动健身有限公司", "91110105MA01YD001", "望京街道"},
	{"北京丽颜美容美发有限公司", "91110105MA01LY002", "三里屯街道"},
	{"北京启智教育科技有限公司", "91110105MA01QH003", "双井街道"},
	{"北京市朝阳区洁净洗衣店", "92110105MA01JJ004", "酒仙桥街道"},
	{"北京车之宝汽车美容有限公司", "91110105MA01CB005", "来广营地区"},
	{"北京老街坊餐饮管理有限公司", "91110105MA01LJ006", "劲松街道"},
}

// intakeFixtureKinds are the hotline categories of the fixture, each with a complaint text
// (%d is the amount in yuan) and a typical amount.
var intakeFixtureKinds = []struct {
	category, text string
	yuan           int
}{
	{"消费纠纷-预付卡退费", "本人于2025年10月在该店办理会员年卡，缴费%d元，现因工作调动要求退卡，" +
		"商家以各种理由拒绝退费，诉求协助退还剩余费用。", 3800},
	{"消费纠纷-经营者失联", "该店突然闭店，门口贴出停业装修通知，卡内余额%d元无法使用，店长电话无人接听，" +
		"怀疑经营者跑路，诉求退还余额。", 12800},
	{"消费纠纷-服务质量",
		"办卡时承诺每周课程不少于三节，现每周只安排一节且频繁更换老师，已付%d元，诉求按约定提供服务或退费。", 2000},
	{"消费纠纷-虚假宣传",
		"商家宣传充值%d元送十次护理，充值后被告知赠送项目需另行付费，认为存在虚假宣传，诉求退还充值款。", 6980},
	{"消费纠纷-价格",
		"办理储值卡时约定会员价，现商家单方面上调价格，卡内余额%d元可消费次数明显减少，诉求按原价格提供服务。", 1500},
	{"消费纠纷-转让",
		"原门店转让给新经营者后，新店不认可原会员卡，卡内余额%d元无法使用，诉求新老经营者承担责任。", 599},
}

var (
	intakeFixtureStatuses = []string{"已办结", "办理中", "已回复", "已受理", "未解决"}
	intakeFixtureSurnames = []string{"张", "李", "王", "刘", "陈", "杨", "赵", "黄"}
)

// intakeFixture builds the fixture workbook: dates are typed date cells except every fifth,
// which is text; amounts are numbers except every fourth, written "3,800.00元"; every third
// work order has no USCC.
func intakeFixture(t testing.TB) []byte {
	return intakeWorkbook(t, func(f *excelize.File) {
		setRow(t, f, "A1", "北京市12345热线工单导出（2026年3月 朝阳区 预付式消费）")
		require.NoError(t, f.MergeCell("Sheet1", "A1", "M1"))
		header := make([]any, len(intakeHeader))
		for i, h := range intakeHeader {
			header[i] = h
		}
		header[10] = "涉及金额（元）"
		setRow(t, f, "A2", header...)
		for i := range 30 {
			cell, err := excelize.CoordinatesToCellName(1, i+3)
			require.NoError(t, err)
			setRow(t, f, cell, intakeFixtureRow(t, i)...)
		}
		require.NoError(t, f.SetColWidth("Sheet1", "A", "M", 16))
		require.NoError(t, f.SetColWidth("Sheet1", "I", "I", 60))
		require.NoError(t, f.SetSheetName("Sheet1", "工单"))
	})
}

// intakeFixtureRow is the fixture's work order i, from 0.
func intakeFixtureRow(t testing.TB, i int) []any {
	e := intakeFixtureEnterprises[i%len(intakeFixtureEnterprises)]
	kind := intakeFixtureKinds[(i+i/len(intakeFixtureKinds))%len(intakeFixtureKinds)]
	day, hour, minute := 2+i, 8+(i*7)%10, (i*13)%60
	var received any = time.Date(2026, 3, day, hour, minute, 0, 0, shanghai)
	if i%5 == 4 {
		received = fmt.Sprintf("2026/3/%d %d:%02d", day, hour, minute)
	}
	yuan := kind.yuan * (1 + i%3)
	var amount any = yuan
	if i%4 == 1 {
		amount = money.Yuan(int64(yuan)*100) + "元"
	}
	uscc := intakeTestUSCC(t, e.first17)
	if i%3 == 2 {
		uscc = ""
	}
	status := intakeFixtureStatuses[i%len(intakeFixtureStatuses)]
	satisfaction := map[string]string{"已办结": []string{"满意", "基本满意", "不满意"}[i%3], "已回复": "未回访",
		"未解决": "不满意"}[status]
	name := intakeFixtureSurnames[i%len(intakeFixtureSurnames)] + []string{"女士", "先生"}[i%2]
	return []any{fmt.Sprintf("GD202603%02d%04d", day, i+1), received, name, fmt.Sprintf("1380000%04d", i+1),
		e.name, uscc, "朝阳区", e.street, fmt.Sprintf(kind.text, yuan), kind.category, amount, status, satisfaction}
}

func TestIntake_Fixture(t *testing.T) {
	if *updateIntakeFixture {
		require.NoError(t, os.MkdirAll(filepath.Dir(intakeFixturePath), 0o755))
		require.NoError(t, os.WriteFile(intakeFixturePath, intakeFixture(t), 0o644))
	}
	committed, err := os.ReadFile(intakeFixturePath)
	require.NoError(t, err)

	got := parseIntake(t, committed, filepath.Base(intakeFixturePath))

	assert.Equal(t, parseIntake(t, intakeFixture(t), "fresh.xlsx"), got, "the fixture is what intakeFixture makes")
	require.Len(t, got, 30)
	tickets := map[string]bool{}
	withoutUSCC := 0
	for i, p := range got {
		assert.Equal(t, i+3, p.Number)
		assert.Empty(t, p.Errors, "row %d", p.Number)
		tickets[p.Input.Ticket] = true
		if p.Input.ReportedUSCC == "" {
			withoutUSCC++
		}
	}
	assert.Len(t, tickets, 30)
	assert.Equal(t, 10, withoutUSCC)
	assert.Equal(t, ComplaintInput{Source: "12345", Ticket: "GD202603020001", ReceivedAt: utcAt(2, 0, 0),
		ComplainantName: "张女士", ComplainantPhone: "13800000001", ReportedName: "北京悦动健身有限公司",
		ReportedUSCC: intakeTestUSCC(t, "91110105MA01YD001"), District: "110105", Street: "望京街道",
		Text: "本人于2025年10月在该店办理会员年卡，缴费3800元，现因工作调动要求退卡，" +
			"商家以各种理由拒绝退费，诉求协助退还剩余费用。",
		HotlineCategory: "消费纠纷-预付卡退费", AmountFen: 380000, HandlingStatus: "已办结", Satisfaction: "满意"},
		got[0].Input)
	assert.Equal(t, int64(2560000), got[1].Input.AmountFen, "12,800.00元 written as text, twice the usual amount")
	assert.Equal(t, utcAt(6, 8, 52), got[4].Input.ReceivedAt, "a date written as text")
}

// intakeBenchRows is the size of the export BenchmarkComplaintRows reads.
const intakeBenchRows = 100_000

// BenchmarkComplaintRows streams a generated export of 100,000 work orders through sheet.Open
// and NewComplaintRows and reports rows per second and the peak heap above the heap in use
// before the file was opened, sampled every few milliseconds. The upload is read from a file,
// as the importer reads a spooled upload. Formats: xlsx with shared strings (as Excel writes
// it), xlsx with inline strings (as excelize's stream writer does) and CSV. The baseline reads
// the same shared-string workbook whole with excelize's GetRows, without any parsing.
//
//	go test ./registry -run '^$' -bench BenchmarkComplaintRows -benchtime 1x
func BenchmarkComplaintRows(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{
		"xlsx-shared-strings": filepath.Join(dir, "shared.xlsx"),
		"xlsx-inline-strings": filepath.Join(dir, "inline.xlsx"),
		"csv":                 filepath.Join(dir, "export.csv"),
	}
	intakeWriteSharedStrings(b, files["xlsx-shared-strings"])
	intakeWriteStreamed(b, files["xlsx-inline-strings"])
	intakeWriteCSV(b, files["csv"])
	for name, path := range files {
		info, err := os.Stat(path)
		require.NoError(b, err)
		b.Logf("%s: %.1f MiB", name, float64(info.Size())/(1<<20))
	}
	for _, name := range []string{"xlsx-shared-strings", "xlsx-inline-strings", "csv"} {
		b.Run(name, func(b *testing.B) { intakeBench(b, files[name], intakeReadComplaints) })
	}
	b.Run("baseline-excelize-GetRows", func(b *testing.B) {
		intakeBench(b, files["xlsx-shared-strings"], intakeReadWhole)
	})
}

// intakeBench reads path b.N times with read, which returns the rows it read.
func intakeBench(b *testing.B, path string, read func(testing.TB, *os.File) int) {
	var peak uint64
	rows := 0
	for range b.N {
		b.StopTimer()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := intakeHeapPeak()
		f, err := os.Open(path)
		require.NoError(b, err)
		b.StartTimer()

		rows += read(b, f)

		b.StopTimer()
		peak = max(peak, stop()-min(before.HeapAlloc, stop()))
		require.NoError(b, f.Close())
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// intakeReadComplaints reads every work order and fails on any row with errors.
func intakeReadComplaints(tb testing.TB, f *os.File) int {
	r, err := sheet.Open(f, f.Name())
	require.NoError(tb, err)
	defer r.Close()
	rows, err := NewComplaintRows(r, DefaultColumnMapping(), nil, "12345")
	require.NoError(tb, err)
	rows.now = func() time.Time { return intakeTestNow }
	n := 0
	for {
		p, err := rows.Next()
		if err == io.EOF {
			break
		}
		require.NoError(tb, err)
		if len(p.Errors) > 0 {
			tb.Fatalf("row %d: %v", p.Number, p.Errors)
		}
		n++
	}
	require.Equal(tb, intakeBenchRows, n)
	return n
}

// intakeReadWhole loads the first sheet whole, as a reader without streaming would.
func intakeReadWhole(tb testing.TB, f *os.File) int {
	x, err := excelize.OpenReader(f)
	require.NoError(tb, err)
	defer x.Close()
	all, err := x.GetRows(x.GetSheetList()[0])
	require.NoError(tb, err)
	return len(all) - 1
}

// intakeHeapPeak samples the heap until the returned function is called, which returns the
// highest HeapAlloc seen; later calls return the same value.
func intakeHeapPeak() func() uint64 {
	done, result := make(chan struct{}), make(chan uint64, 1)
	go func() {
		var m runtime.MemStats
		var top uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
			select {
			case <-done:
				result <- top
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	var peak uint64
	return func() uint64 {
		once.Do(func() { close(done); peak = <-result })
		return peak
	}
}

// intakeBenchRow is work order i of the benchmark's export, as cells: strings, and the time
// received as an Excel serial number and the amount as a number.
func intakeBenchRow(i int) []any {
	serial := 46082 + float64(i%28) + float64((i*37)%1440)/1440
	yuan := 500 + (i*97)%20000
	text := fmt.Sprintf("工单%d：本人于2025年在该店办理会员年卡，缴费%d元，现商家以各种理由拒绝退费，"+
		"多次协商无果，门店近期频繁更换负责人，诉求协助退还剩余费用。", i, yuan)
	return []any{fmt.Sprintf("GD2026%08d", i), serial, "张女士", fmt.Sprintf("138%08d", i),
		fmt.Sprintf("北京第%d健身有限公司", i%300), "", "朝阳区", "望京街道", text, "消费纠纷-预付卡退费", yuan,
		"已办结", "满意"}
}

// intakeBenchCell writes a cell of intakeBenchRow as text.
func intakeBenchCell(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// intakeWriteStreamed writes the benchmark's export with excelize's stream writer.
func intakeWriteStreamed(tb testing.TB, path string) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(tb, err)
	header := make([]any, len(intakeHeader))
	for i, h := range intakeHeader {
		header[i] = h
	}
	require.NoError(tb, sw.SetRow("A1", header))
	for i := range intakeBenchRows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(tb, sw.SetRow(cell, intakeBenchRow(i)))
	}
	require.NoError(tb, sw.Flush())
	require.NoError(tb, f.SaveAs(path))
}

// intakeWriteCSV writes the benchmark's export as UTF-8 CSV.
func intakeWriteCSV(tb testing.TB, path string) {
	var buf bytes.Buffer
	buf.Write(intakeCSV(intakeHeader))
	for i := range intakeBenchRows {
		row := intakeBenchRow(i)
		cells := make([]string, len(row))
		for j, v := range row {
			cells[j] = intakeBenchCell(v)
		}
		buf.Write(intakeCSV(cells))
	}
	require.NoError(tb, os.WriteFile(path, buf.Bytes(), 0o644))
}

// intakeWriteSharedStrings writes the benchmark's export as Excel does, every text in the
// shared-string table, from the package parts up.
func intakeWriteSharedStrings(tb testing.TB, path string) {
	var sheetXML, sst bytes.Buffer
	index := map[string]int{}
	text := func(s string) string {
		i, ok := index[s]
		if !ok {
			i = len(index)
			index[s] = i
			sst.WriteString("<si><t>")
			require.NoError(tb, xml.EscapeText(&sst, []byte(s)))
			sst.WriteString("</t></si>")
		}
		return strconv.Itoa(i)
	}
	writeRow := func(r int, values []any) {
		fmt.Fprintf(&sheetXML, `<row r="%d">`, r)
		for c, v := range values {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			if s, ok := v.(string); ok {
				fmt.Fprintf(&sheetXML, `<c r="%s" t="s"><v>%s</v></c>`, ref, text(s))
				continue
			}
			fmt.Fprintf(&sheetXML, `<c r="%s"><v>%s</v></c>`, ref, intakeBenchCell(v))
		}
		sheetXML.WriteString("</row>")
	}
	header := make([]any, len(intakeHeader))
	for i, h := range intakeHeader {
		header[i] = h
	}
	writeRow(1, header)
	for i := range intakeBenchRows {
		writeRow(i+2, intakeBenchRow(i))
	}
	parts := intakePackageParts()
	parts["xl/worksheets/sheet1.xml"] = `<worksheet xmlns="` + intakeMainNS + `"><sheetData>` + sheetXML.String() +
		`</sheetData></worksheet>`
	parts["xl/sharedStrings.xml"] = fmt.Sprintf(`<sst xmlns="%s" uniqueCount="%d">%s</sst>`,
		intakeMainNS, len(index), sst.String())
	intakeWriteZip(tb, path, parts)
}

const (
	intakeMainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	intakeRelNS  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	intakePkgNS  = "http://schemas.openxmlformats.org/package/2006/relationships"
	intakeCTNS   = "http://schemas.openxmlformats.org/package/2006/content-types"
	intakeMLType = "application/vnd.openxmlformats-officedocument.spreadsheetml."
)

// intakePackageParts are the parts of a one-sheet workbook besides the sheet and its strings.
func intakePackageParts() map[string]string {
	return map[string]string{
		"[Content_Types].xml": `<Types xmlns="` + intakeCTNS + `">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="` + intakeMLType + `sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="` + intakeMLType + `worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="` + intakeMLType + `sharedStrings+xml"/>` +
			`</Types>`,
		"_rels/.rels": `<Relationships xmlns="` + intakePkgNS + `"><Relationship Id="rId1" Type="` + intakeRelNS +
			`/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<workbook xmlns="` + intakeMainNS + `" xmlns:r="` + intakeRelNS + `"><sheets>` +
			`<sheet name="工单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="` + intakePkgNS + `">` +
			`<Relationship Id="rId1" Type="` + intakeRelNS + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + intakeRelNS + `/sharedStrings" Target="sharedStrings.xml"/>` +
			`</Relationships>`,
	}
}

func intakeWriteZip(tb testing.TB, path string, parts map[string]string) {
	out, err := os.Create(path)
	require.NoError(tb, err)
	w := zip.NewWriter(out)
	for name, content := range parts {
		part, err := w.Create(name)
		require.NoError(tb, err)
		_, err = io.WriteString(part, content)
		require.NoError(tb, err)
	}
	require.NoError(tb, w.Close())
	require.NoError(tb, out.Close())
}
