package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"prepaidreg/internal/errs"
)

// readAll opens data and returns every row, with the row errors by row number.
func readAll(t *testing.T, data []byte, name string) ([]Row, map[int]*RowError) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), name)
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	var rows []Row
	rowErrs := map[int]*RowError{}
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, rowErrs
		}
		var re *RowError
		if errors.As(err, &re) {
			rowErrs[row.Number] = re
		} else {
			require.NoError(t, err)
		}
		rows = append(rows, row)
	}
}

// workbook builds an xlsx in memory; build fills its first sheet, "Sheet1".
func workbook(t *testing.T, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	return buf.Bytes()
}

func set(t *testing.T, f *excelize.File, cell string, v any) {
	t.Helper()
	require.NoError(t, f.SetCellValue("Sheet1", cell, v))
}

func TestSheet_XLSX(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	data := workbook(t, func(f *excelize.File) {
		set(t, f, "A1", "北京市12345热线工单导出（2026年3月）")
		require.NoError(t, f.MergeCell("Sheet1", "A1", "E1"))
		require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{"工单编号", "受理时间", "金额", "公式", "内容"}))
		set(t, f, "A3", "GD001")
		set(t, f, "B3", time.Date(2026, 3, 5, 9, 30, 0, 0, shanghai))
		set(t, f, "C3", 3800.5)
		require.NoError(t, f.SetCellFormula("Sheet1", "D3", `HYPERLINK("http://x","点我")`))
		set(t, f, "E3", `=HYPERLINK("http://x","点我")`)
		set(t, f, "A6", "GD002")
		set(t, f, "B6", "2026/3/5 9:30")
		set(t, f, "C6", 46086.395833)
		set(t, f, "A7", "   ")
	})

	rows, rowErrs := readAll(t, data, "export.xlsx")

	assert.Empty(t, rowErrs)
	want := []Row{
		{1, []string{"北京市12345热线工单导出（2026年3月）"}},
		{2, []string{"工单编号", "受理时间", "金额", "公式", "内容"}},
		{3, []string{"GD001", "46086.395833333336", "3800.5", "", `=HYPERLINK("http://x","点我")`}},
		{6, []string{"GD002", "2026/3/5 9:30", "46086.395833", "", ""}},
	}
	assert.Equal(t, want, rows)
}

func TestSheet_XLSXDate1904(t *testing.T) {
	yes := true
	data := workbook(t, func(f *excelize.File) {
		require.NoError(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
		set(t, f, "A1", "x")
	})
	r, err := Open(bytes.NewReader(data), "old-mac.xlsx")
	require.NoError(t, err)
	defer r.Close()
	assert.True(t, r.Date1904())
	assert.Equal(t, "xlsx", r.Format())
}

func TestSheet_XLSXBounds(t *testing.T) {
	big := strings.Repeat("诉", 30000) // 90,000 bytes of UTF-8, under Excel's 32,767 characters
	data := workbook(t, func(f *excelize.File) {
		require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"a", big, "c", big}))
		set(t, f, "A2", "next")
		cell, err := excelize.CoordinatesToCellName(MaxColumns+1, 3)
		require.NoError(t, err)
		set(t, f, "A3", "wide")
		set(t, f, cell, "past the last column")
	})

	rows, rowErrs := readAll(t, data, "bounds.xlsx")

	require.Len(t, rows, 3)
	assert.Equal(t, []string{"a", "", "c", ""}, rows[0].Cells)
	assert.Equal(t, &RowError{Row: 1, Oversized: []int{2, 4}}, rowErrs[1])
	assert.Equal(t, "next", rows[1].Cells[0])
	assert.Len(t, rows[2].Cells, MaxColumns)
	assert.Equal(t, &RowError{Row: 3, Wide: true}, rowErrs[3])
	assert.Contains(t, rowErrs[1].Error(), "第1行")
}

func TestSheet_XLSXLargeSheetStreamsFromTempFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	text := strings.Repeat("预付卡退费", 40)
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(t, err)
	const n = 10_000 // rows of 600 bytes of text: a sheet over inMemoryXML
	for i := range n {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, sw.SetRow(cell, []any{i + 1, text}))
	}
	require.NoError(t, sw.Flush())
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	require.NoError(t, f.Close())

	r, err := Open(bytes.NewReader(buf.Bytes()), "large.xlsx")
	require.NoError(t, err)
	rows := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		rows++
		require.Equal(t, rows, row.Number)
	}
	during, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	after, err := os.ReadDir(tmp)
	require.NoError(t, err)

	assert.Equal(t, n, rows)
	assert.NotEmpty(t, during, "the sheet is unzipped to a temporary file")
	assert.Empty(t, after, "Close removes the temporary files")
}

func TestSheet_CSV(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []Row
	}{
		{
			name: "UTF-8 with BOM, quoted newlines, CRLF, blank lines kept in the numbering",
			data: []byte("\xEF\xBB\xBF工单编号,诉求内容,金额\r\n\r\nGD1,\"第一行\r\n第二行\",\"3,800.00\"\r\n,,\r\nGD2,短,\r\n"),
			want: []Row{
				{1, []string{"工单编号", "诉求内容", "金额"}},
				{3, []string{"GD1", "第一行\n第二行", "3,800.00"}},
				{5, []string{"GD2", "短", ""}},
			},
		},
		{
			name: "GB18030",
			data: gb18030(t, "工单编号,被反映主体\nGD1,朝阳区某健身房\n"),
			want: []Row{
				{1, []string{"工单编号", "被反映主体"}},
				{2, []string{"GD1", "朝阳区某健身房"}},
			},
		},
		{
			name: "tab-separated with commas in cells",
			data: []byte("工单编号\t金额\t内容\nGD1\t3,800.00\t退费难, 拖延\n"),
			want: []Row{
				{1, []string{"工单编号", "金额", "内容"}},
				{2, []string{"GD1", "3,800.00", "退费难, 拖延"}},
			},
		},
		{
			name: "UTF-16 text from Excel's Unicode export",
			data: utf16LE(t, "工单编号\t内容\r\nGD1\t退卡\r\n"),
			want: []Row{
				{1, []string{"工单编号", "内容"}},
				{2, []string{"GD1", "退卡"}},
			},
		},
		{
			name: "lazy quotes, ragged rows padded, formula text kept, no final newline",
			data: []byte("a,b,c\nsay \"hi\",\"he said \"\"no\"\"\"\n" +
				`"=HYPERLINK(""http://x"",""点我"")","x"y",z`),
			want: []Row{
				{1, []string{"a", "b", "c"}},
				{2, []string{`say "hi"`, `he said "no"`, ""}},
				{3, []string{`=HYPERLINK("http://x","点我")`, `x"y`, "z"}},
			},
		},
		{
			name: "lone CR ends a row",
			data: []byte("a,b\rc,d\r"),
			want: []Row{{1, []string{"a", "b"}}, {2, []string{"c", "d"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rowErrs := readAll(t, tt.data, "export.csv")
			assert.Empty(t, rowErrs)
			assert.Equal(t, tt.want, rows)
		})
	}
}

func TestSheet_CSVUTF8AcrossPrefix(t *testing.T) {
	// The 64 KiB the encoding is decided from ends in the middle of a three-byte character.
	head := "内容\n" + strings.Repeat("a", sniffSize-len("内容\n")-1) + "诉求\n"
	rows, _ := readAll(t, []byte(head), "long.csv")
	require.Len(t, rows, 2)
	assert.True(t, strings.HasSuffix(rows[1].Cells[0], "a诉求"))
}

func TestSheet_CSVBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	b.WriteString("x,\"" + strings.Repeat("长", MaxCellBytes/3+1) + "\"\n")
	b.WriteString("y," + strings.Repeat(",", MaxColumns) + "\n")
	b.WriteString("z," + strings.Repeat(",", MaxColumns) + "past\n")
	b.WriteString("after,ok\n")

	rows, rowErrs := readAll(t, []byte(b.String()), "bounds.csv")

	require.Len(t, rows, 5)
	assert.Equal(t, "", rows[1].Cells[1])
	assert.Equal(t, &RowError{Row: 2, Oversized: []int{2}}, rowErrs[2])
	assert.Len(t, rows[2].Cells, MaxColumns, "empty cells past the last column are no error")
	assert.Equal(t, "z", rows[3].Cells[0])
	assert.Len(t, rows[3].Cells, MaxColumns)
	assert.Equal(t, &RowError{Row: 4, Wide: true}, rowErrs[4])
	assert.Equal(t, Row{5, append([]string{"after", "ok"}, make([]string, MaxColumns-2)...)}, rows[4])
	assert.Len(t, rowErrs, 2)
}

func TestSheet_Refused(t *testing.T) {
	const (
		pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n"
		ole = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
	)
	noSheet := withoutSheets(t, workbook(t, func(f *excelize.File) { set(t, f, "A1", "x") }))
	tests := []struct {
		name string
		file string
		data []byte
		want error
	}{
		{"empty file", "export.xlsx", nil, ErrEmpty},
		{"only a BOM and blank lines", "export.csv", []byte("\xEF\xBB\xBF\r\n \r\n"), ErrEmpty},
		{"PDF renamed to xlsx", "export.xlsx", []byte(pdf), ErrNotSpreadsheet},
		{"PDF renamed to csv", "export.csv", []byte("%PDF-1.4\n..."), ErrNotSpreadsheet},
		{"PNG", "export.csv", []byte("\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"), ErrNotSpreadsheet},
		{"binary bytes", "export.csv", []byte("abc\x00\x01\x02def"), ErrNotSpreadsheet},
		{"HTML saved as a spreadsheet", "export.xls", []byte("<html><table><tr><td>1</td></tr>"), ErrNotSpreadsheet},
		{"Word document", "export.xlsx", zipOf(t, map[string]string{"word/document.xml": "<w/>"}), ErrNotSpreadsheet},
		{"broken zip", "export.xlsx", []byte("PK\x03\x04 not really a zip"), ErrNotSpreadsheet},
		{"legacy xls", "export.xls", append([]byte(ole), make([]byte, 512)...), ErrLegacyFormat},
		{"workbook without a sheet", "export.xlsx", noSheet, ErrNoSheet},
		{"workbook that unzips to more than a GiB", "bomb.xlsx", zipBomb(t), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(bytes.NewReader(tt.data), tt.file)

			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, r)
			assert.Equal(t, errs.Invalid, errs.KindOf(err))
			assert.NotEmpty(t, errs.MessageOf(err))
		})
	}
	assert.Equal(t, "文件不是 xlsx 或 csv 表格 (not a spreadsheet)", errs.MessageOf(ErrNotSpreadsheet))
	assert.Equal(t, "文件为空 (empty file)", errs.MessageOf(ErrEmpty))
}

func TestSheet_TextNamedXLSX(t *testing.T) {
	rows, _ := readAll(t, []byte("工单编号,内容\nGD1,x\n"), "export.xlsx")
	assert.Equal(t, []Row{{1, []string{"工单编号", "内容"}}, {2, []string{"GD1", "x"}}}, rows)
}

func TestSheet_ParseTime(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	utcAt := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC) }
	at0930 := utcAt(5, 1, 30)
	midnight := utcAt(4, 16, 0)
	tests := []struct {
		in       string
		date1904 bool
		want     time.Time
	}{
		{"2026-03-05 09:30", false, at0930},
		{" 2026-03-05 09:30 ", false, at0930},
		{"２０２６－０３－０５　０９：３０", false, at0930},
		{"2026-03-05 09:30:00+0800", false, at0930},
		{"2026-03-05 09:30:00+15:00", false, time.Time{}},
		{"2026-03-05 09:30:00", false, at0930},
		{"2026/3/5 9:30", false, at0930},
		{"2026.3.5 9:30", false, at0930},
		{"2026年3月5日 9时30分", false, at0930},
		{"2026年3月5日9时30分15秒", false, at0930.Add(15 * time.Second)},
		{"2026年3月5日 9:30", false, at0930},
		{"2026-03-05", false, midnight},
		{"2026年3月5日", false, midnight},
		{"20260305", false, midnight},
		{"20260305093000", false, at0930},
		{"2026-03-05T09:30:00.000", false, at0930},
		{"2026-03-05T09:30:00Z", false, utcAt(5, 9, 30)},
		{"2026-03-05T09:30:00+08:00", false, at0930},
		{"46086.395833", false, at0930},
		{"46086.395833333336", false, at0930},
		{"46086", false, midnight},
		{"44624.395833", true, at0930},
		{"2026-13-01", false, time.Time{}},
		{"2026-02-29", false, time.Time{}},
		{"2026-03-05 24:00", false, time.Time{}},
		{"2026-03-05 09:60", false, time.Time{}},
		{"3/5/26 9:30", false, time.Time{}},
		{"yesterday", false, time.Time{}},
		{"", false, time.Time{}},
	}
	for _, tt := range tests {
		got, ok := ParseTime(tt.in, shanghai, tt.date1904)

		assert.Equal(t, !tt.want.IsZero(), ok, tt.in)
		if ok {
			assert.Equal(t, tt.want, got.UTC(), tt.in)
		}
	}
}

func gb18030(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	require.False(t, bytes.Equal(b, []byte(s)))
	return b
}

func utf16LE(t *testing.T, s string) []byte {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, content := range files {
		f, err := w.Create(name)
		require.NoError(t, err)
		_, err = f.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

// withoutSheets rewrites a workbook so that its workbook.xml lists no sheet.
func withoutSheets(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		files[f.Name] = string(b)
	}
	wb := files["xl/workbook.xml"]
	start, end := strings.Index(wb, "<sheets>"), strings.Index(wb, "</sheets>")
	require.True(t, start > 0 && end > start, wb)
	files["xl/workbook.xml"] = wb[:start] + "<sheets></sheets>" + wb[end+len("</sheets>"):]
	return zipOf(t, files)
}

// zipBomb is a workbook whose sheet says it unzips to 2 GiB; only the zip's directory is read.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	_, err := w.Create("xl/workbook.xml")
	require.NoError(t, err)
	part, err := w.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store,
		CompressedSize64: 4, UncompressedSize64: 2 << 30})
	require.NoError(t, err)
	_, err = part.Write([]byte("<a/>"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}
