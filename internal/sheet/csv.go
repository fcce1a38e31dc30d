package sheet

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// csvSource parses comma- or tab-separated text. It follows RFC 4180 and is lenient where
// spreadsheet programs are: a quote inside an unquoted cell, or a quote in a quoted cell that
// is not followed by a separator, is kept as text; CR LF, LF and a lone CR all end a row.
type csvSource struct {
	in     *bufio.Reader
	sep    byte
	number int
	cell   []byte
	raw    rawRow
	done   bool
}

// openCSV decides the text's encoding and separator from its first 64 KiB and streams the rest.
// Text that is not UTF-8 is read as GB18030, the encoding Excel uses for CSV on Chinese Windows.
// A file whose first 64 KiB are plain ASCII is taken for UTF-8; should GB18030 text follow,
// its characters come out as U+FFFD.
func openCSV(prefix []byte, r io.Reader) (*Reader, error) {
	decoded := decodeText(prefix, r)
	head, err := decoded.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("sheet: reading text: %w", err)
	}
	if len(head) < sniffSize && len(bytes.TrimSpace(head)) == 0 {
		return nil, ErrEmpty
	}
	src := &csvSource{in: decoded, sep: separator(head)}
	return &Reader{src: src, format: "csv"}, nil
}

// decodeText returns r as UTF-8 without a byte-order mark.
func decodeText(prefix []byte, r io.Reader) *bufio.Reader {
	var dec *encoding.Decoder
	switch enc := utf16BOM(prefix); {
	case enc != nil:
		dec = enc.NewDecoder()
	case bytes.HasPrefix(prefix, utf8BOM):
		dec = unicode.UTF8BOM.NewDecoder()
	case !validUTF8Prefix(prefix, len(prefix) < sniffSize):
		dec = simplifiedchinese.GB18030.NewDecoder()
	}
	if dec != nil {
		r = transform.NewReader(r, dec)
	}
	return bufio.NewReaderSize(r, sniffSize)
}

// utf16BOM returns the encoding of UTF-16 text that starts with a byte-order mark, as Excel's
// "Unicode text" export does, or nil.
func utf16BOM(prefix []byte) encoding.Encoding {
	switch {
	case bytes.HasPrefix(prefix, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(prefix, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	}
	return nil
}

// separator picks tab when the start of the text holds more tabs than commas. Commas turn up
// inside tab-separated cells (amounts such as 3,800.00), tabs hardly ever inside CSV cells.
func separator(head []byte) byte {
	if bytes.Count(head, []byte{'\t'}) > bytes.Count(head, []byte{','}) {
		return '\t'
	}
	return ','
}

func (s *csvSource) close() error { return nil }

// next reads one row: every row of the text counts, blank ones included, and a quoted cell
// may span several lines.
func (s *csvSource) next() (rawRow, error) {
	if s.done {
		return rawRow{}, io.EOF
	}
	s.number++
	s.raw = rawRow{number: s.number}
	for {
		end, err := s.readCell()
		if err != nil {
			return rawRow{}, fmt.Errorf("sheet: reading row %d: %w", s.number, err)
		}
		if end {
			break
		}
	}
	if s.done && len(s.raw.cells) == 1 && s.raw.cells[0] == "" {
		return rawRow{}, io.EOF
	}
	return s.raw, nil
}

// readCell reads one cell into s.raw and reports whether it was the last of its row.
func (s *csvSource) readCell() (bool, error) {
	s.cell = s.cell[:0]
	b, err := s.in.ReadByte()
	if err == io.EOF {
		s.done = true
		return s.keep(), nil
	}
	if err != nil {
		return false, err
	}
	if b == '"' {
		return s.readQuoted()
	}
	return s.readPlain(b)
}

// readPlain reads the rest of an unquoted cell that starts with b.
func (s *csvSource) readPlain(b byte) (bool, error) {
	for {
		switch b {
		case s.sep:
			return s.keep(), nil
		case '\n':
			return s.endRow(), nil
		case '\r':
			return s.endRow(), s.skipLF()
		}
		s.add(b)
		var err error
		b, err = s.in.ReadByte()
		if err == io.EOF {
			s.done = true
			return s.keep(), nil
		}
		if err != nil {
			return false, err
		}
	}
}

// readQuoted reads a quoted cell after its opening quote. A doubled quote is one quote; a quote
// followed by anything but a separator or a line end is kept as it is.
func (s *csvSource) readQuoted() (bool, error) {
	for {
		b, err := s.in.ReadByte()
		if err == io.EOF {
			s.done = true
			return s.keep(), nil
		}
		if err != nil {
			return false, err
		}
		if b != '"' {
			s.addQuoted(b)
			continue
		}
		next, err := s.in.ReadByte()
		switch {
		case err == io.EOF:
			s.done = true
			return s.keep(), nil
		case err != nil:
			return false, err
		case next == '"':
			s.add('"')
		case next == s.sep:
			return s.keep(), nil
		case next == '\n':
			return s.endRow(), nil
		case next == '\r':
			return s.endRow(), s.skipLF()
		default:
			s.add('"')
			s.addQuoted(next)
		}
	}
}

// addQuoted adds a byte of a quoted cell, where CR LF is kept as a single LF.
func (s *csvSource) addQuoted(b byte) {
	if b == '\r' {
		if next, err := s.in.Peek(1); err == nil && next[0] == '\n' {
			return
		}
	}
	s.add(b)
}

// add appends a byte to the cell unless the cell is already over the bound; the rest of an
// oversized cell is read and dropped.
func (s *csvSource) add(b byte) {
	if len(s.cell) <= MaxCellBytes {
		s.cell = append(s.cell, b)
	}
}

func (s *csvSource) skipLF() error {
	next, err := s.in.Peek(1)
	if err == nil && next[0] == '\n' {
		_, err = s.in.ReadByte()
	}
	if err == io.EOF {
		return nil
	}
	return err
}

func (s *csvSource) endRow() bool {
	s.keep()
	return true
}

// keep stores the cell just read, within the bounds, and reports whether the text ended.
func (s *csvSource) keep() bool {
	col := len(s.raw.cells) + 1
	switch {
	case col > MaxColumns:
		s.raw.wide = s.raw.wide || len(s.cell) > 0
	case len(s.cell) > MaxCellBytes:
		s.raw.cells = append(s.raw.cells, "")
		s.raw.oversized = append(s.raw.oversized, col)
	default:
		s.raw.cells = append(s.raw.cells, cellText(s.cell))
	}
	return s.done
}

// cellText returns the cell as a string, with bytes that are not UTF-8 replaced.
func cellText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
