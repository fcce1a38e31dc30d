// Package sheet reads an uploaded spreadsheet, xlsx or csv, as rows of text, one row at a time,
// so that a file of a hundred thousand rows is never held in memory as a whole.
package sheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"prepaidreg/internal/errs"
)

// Bounds on what one row may hold. A cell over MaxCellBytes is emptied and columns past
// MaxColumns are dropped; either way the row is still returned, with a *RowError.
const (
	MaxCellBytes = 64 << 10
	MaxColumns   = 200
)

// sniffSize is how much of the upload decides its format and, for text, its encoding.
const sniffSize = 64 << 10

// The errors Open returns for a file it cannot read. Each is an errs.Invalid error whose message
// may be shown to the user as it is.
var (
	ErrEmpty          = invalid("文件为空 (empty file)")
	ErrNotSpreadsheet = invalid("文件不是 xlsx 或 csv 表格 (not a spreadsheet)")
	ErrLegacyFormat   = invalid("文件是旧版 xls 或加密的表格，请另存为 xlsx 或 csv (legacy xls or encrypted workbook)")
	ErrNoSheet        = invalid("工作簿中没有工作表 (the workbook has no sheet)")
	ErrTooLarge       = invalid("表格解压后过大 (spreadsheet too large once unzipped)")
	ErrDamaged        = invalid("表格文件已损坏，无法读取 (damaged spreadsheet)")
)

func invalid(message string) *errs.Error {
	return &errs.Error{Kind: errs.Invalid, Op: "sheet", Message: message}
}

// Row is one row of the sheet that holds some text. Number is its 1-based row number as the
// spreadsheet shows it, blank rows counted; Cells are its cells from column A on.
type Row struct {
	Number int
	Cells  []string
}

// RowError reports a row that broke the bounds on cells and columns. Next returns the row
// together with it, and the reader may go on to the next row.
type RowError struct {
	Row int
	// Oversized lists the 1-based columns whose cells held more than MaxCellBytes; those cells
	// are returned empty.
	Oversized []int
	// Wide is set when the row had cells past column MaxColumns; they are dropped.
	Wide bool
}

// Error says what was wrong with the row.
func (e *RowError) Error() string {
	var parts []string
	if len(e.Oversized) > 0 {
		parts = append(parts, fmt.Sprintf("第%v列单元格超过 %d KiB (cell larger than %d KiB)",
			e.Oversized, MaxCellBytes>>10, MaxCellBytes>>10))
	}
	if e.Wide {
		parts = append(parts, fmt.Sprintf("超过 %d 列 (more than %d columns)", MaxColumns, MaxColumns))
	}
	return fmt.Sprintf("第%d行：%s", e.Row, strings.Join(parts, "；"))
}

// source yields the rows of one format, blank ones included, with the bounds applied.
type source interface {
	next() (rawRow, error)
	close() error
}

// rawRow is a row as a source read it, before blank rows are dropped.
type rawRow struct {
	number    int
	cells     []string
	oversized []int
	wide      bool
}

// Reader returns the rows of an uploaded spreadsheet in order. Cells are text. An xlsx cell
// comes back as stored, without its number format: a date or time typed into a cell as its
// serial number ("46086.395833", see Date1904), a number as plain digits ("3800.5"), text as
// written, a leading "=" included; a formula is never evaluated and comes back as the result
// Excel saved with it, or empty when there is none. A Reader is not safe for concurrent use.
type Reader struct {
	src      source
	format   string
	date1904 bool
	width    int
}

// Open reads the start of r to tell an xlsx workbook (a zip holding xl/workbook.xml) from a CSV
// or tab-separated text, whatever filename says, and returns a Reader for its first sheet.
// filename is used in messages only. The caller must Close the Reader.
func Open(r io.Reader, filename string) (*Reader, error) {
	prefix, err := readPrefix(r)
	if err != nil {
		return nil, fmt.Errorf("sheet: reading %q: %w", filename, err)
	}
	if len(prefix) == 0 {
		return nil, ErrEmpty
	}
	rest := io.MultiReader(bytes.NewReader(prefix), r)
	switch {
	case isZip(prefix):
		return openXLSX(rest)
	case bytes.HasPrefix(prefix, oleMagic):
		return nil, ErrLegacyFormat
	case isBinary(prefix):
		return nil, ErrNotSpreadsheet
	}
	return openCSV(prefix, rest)
}

func readPrefix(r io.Reader) ([]byte, error) {
	buf := make([]byte, sniffSize)
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return buf[:n], err
}

// Format returns "xlsx" or "csv".
func (r *Reader) Format() string { return r.format }

// Date1904 reports whether the workbook counts serial dates from 1904 rather than from 1900,
// as workbooks made by old Mac versions of Excel do.
func (r *Reader) Date1904() bool { return r.date1904 }

// Next returns the next row that holds some text, or io.EOF after the last one. Blank rows are
// skipped, but row numbers stay those of the sheet. Each row has at least as many cells as the
// widest row before it. A row that broke the bounds comes with a *RowError; any other error
// ends the reading.
func (r *Reader) Next() (Row, error) {
	for {
		raw, err := r.src.next()
		if err != nil {
			return Row{}, err
		}
		if isBlank(raw) {
			continue
		}
		r.width = max(r.width, len(raw.cells))
		for len(raw.cells) < r.width {
			raw.cells = append(raw.cells, "")
		}
		row := Row{Number: raw.number, Cells: raw.cells}
		if len(raw.oversized) > 0 || raw.wide {
			return row, &RowError{Row: raw.number, Oversized: raw.oversized, Wide: raw.wide}
		}
		return row, nil
	}
}

// Close releases the reader and removes any temporary files it made.
func (r *Reader) Close() error { return r.src.close() }

func isBlank(raw rawRow) bool {
	if len(raw.oversized) > 0 || raw.wide {
		return false
	}
	for _, c := range raw.cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// bound applies the bounds on cells and columns to a row read whole.
func bound(raw *rawRow) {
	if len(raw.cells) > MaxColumns {
		raw.cells, raw.wide = raw.cells[:MaxColumns], true
	}
	for i, c := range raw.cells {
		if len(c) > MaxCellBytes {
			raw.cells[i] = ""
			raw.oversized = append(raw.oversized, i+1)
		}
	}
}

var (
	zipMagic      = []byte("PK\x03\x04")
	emptyZipMagic = []byte("PK\x05\x06")
	oleMagic      = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// binaryMagic lists the starts of common files that are not spreadsheets but would otherwise
// decode as text of some sort.
var binaryMagic = [][]byte{
	[]byte("%PDF"), []byte("\x89PNG"), []byte("\xFF\xD8\xFF"), []byte("GIF8"), []byte("\x1F\x8B"),
	[]byte("7z\xBC\xAF"), []byte("Rar!"), []byte("\x7FELF"), []byte("{\\rtf"),
}

func isZip(prefix []byte) bool {
	return bytes.HasPrefix(prefix, zipMagic) || bytes.HasPrefix(prefix, emptyZipMagic)
}

// isBinary reports whether prefix is a known non-spreadsheet format, markup (an HTML page
// saved as .xls), or bytes no text file holds.
func isBinary(prefix []byte) bool {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(prefix, m) {
			return true
		}
	}
	if utf16BOM(prefix) != nil {
		return false
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(prefix, utf8BOM), " \t\r\n")
	if len(text) > 0 && text[0] == '<' {
		return true
	}
	controls := 0
	for _, b := range prefix {
		switch {
		case b == 0:
			return true
		case b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f':
			controls++
		}
	}
	return controls > len(prefix)/100
}

// validUTF8Prefix reports whether p is UTF-8, allowing a character cut off at its end when p
// is only the start of a longer stream.
func validUTF8Prefix(p []byte, whole bool) bool {
	if utf8.Valid(p) {
		return true
	}
	if whole {
		return false
	}
	for cut := 1; cut < utf8.UTFMax && cut <= len(p); cut++ {
		if utf8.Valid(p[:len(p)-cut]) && !utf8.FullRune(p[len(p)-cut:]) {
			return true
		}
	}
	return false
}
