// Package pdf makes the project's PDF documents (interview notices,
// inspection records, list publications, mediation agreements, fund
// statements, dossier exports) in one house style: A4 portrait, a single
// embedded font with Chinese and Latin glyphs, page footers with the document
// title and page numbers.
//
// A Document collects content in order through its methods and lays it out
// when it is written. Lines are broken by this package rather than by fpdf's
// MultiCell, which loses one Chinese character at every break.
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry in millimetres.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 20.0
	marginRight  = 20.0
	marginTop    = 22.0
	marginBottom = 22.0
	textWidth    = pageWidth - marginLeft - marginRight
	textBottom   = pageHeight - marginBottom
)

// Type sizes in points, with the line height in millimetres that goes with
// each.
const (
	titleSize   = 18.0
	titleLine   = 10.0
	headingSize = 13.0
	headingLine = 8.0
	bodySize    = 11.0
	bodyLine    = 6.4
	tableSize   = 10.0
	tableLine   = 5.2
	marginSize  = 9.0
	marginLine  = 5.0
)

// Grey levels for the text and rules outside the body.
const (
	greyText  = 90
	greyRule  = 120
	greyFill  = 238
	blackText = 0
)

// Document is a PDF document under construction. Its methods add content in
// order; nothing is laid out until Output or Bytes is called, and either may
// be called more than once. A Document is not safe for concurrent use.
type Document struct {
	title  string
	header string
	// date is the creation date written in the PDF's metadata; zero means now.
	date   time.Time
	blocks []func(*layout)
	err    error
}

// New returns an empty A4 portrait document. The title is stored in the PDF
// metadata and printed in the footer of every page, next to "第 N 页 / 共 M 页";
// it is not printed in the body unless Title is called.
func New(title string) *Document {
	return &Document{title: clean(title)}
}

// SetHeader sets a line printed at the top of every page above a thin rule,
// such as the name of the issuing authority. An empty string prints no header,
// which is the default.
func (d *Document) SetHeader(text string) {
	d.header = clean(text)
}

// Output lays the document out and writes the PDF to w.
func (d *Document) Output(w io.Writer) error {
	if err := d.write(w); err != nil {
		return fmt.Errorf("pdf output: %w", err)
	}
	return nil
}

// Bytes lays the document out and returns the PDF.
func (d *Document) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.write(&buf); err != nil {
		return nil, fmt.Errorf("pdf bytes: %w", err)
	}
	return buf.Bytes(), nil
}

// write lays the document out twice: the first pass counts the pages so that
// the second can print the total in every footer.
func (d *Document) write(w io.Writer) error {
	if d.err != nil {
		return d.err
	}

	count := d.layout(0)
	if err := count.f.Error(); err != nil {
		return err
	}

	final := d.layout(count.f.PageNo())
	return final.f.Output(w)
}

// add records a step of the layout.
func (d *Document) add(step func(*layout)) {
	d.blocks = append(d.blocks, step)
}

// layout is one pass of laying a document out on fpdf pages.
type layout struct {
	f      *fpdf.Fpdf
	title  string
	header string
	pages  int // total pages, 0 while they are being counted
}

// SetDate sets the creation date in the PDF's metadata; a document made from the same record
// with the same date is then the same, byte for byte. Without it the date is the time of
// writing.
func (d *Document) SetDate(t time.Time) { d.date = t.UTC() }

// layout runs every recorded step on a new fpdf document.
func (d *Document) layout(pages int) *layout {
	f := fpdf.New("P", "mm", "A4", "")
	l := &layout{f: f, title: d.title, header: d.header, pages: pages}

	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(false, marginBottom)
	f.SetCellMargin(0)
	f.SetTitle(d.title, true)
	f.SetCreator("prepaidreg", true)
	f.SetLang("zh-CN")
	if !d.date.IsZero() {
		f.SetCreationDate(d.date)
		f.SetModificationDate(d.date)
	}
	f.AddUTF8FontFromBytes(fontFamily, "", fontTTF)
	f.SetHeaderFunc(l.pageHeader)
	f.SetFooterFunc(l.pageFooter)

	l.newPage()
	for _, step := range d.blocks {
		step(l)
	}
	return l
}

// newPage starts a page and puts the cursor at the top of its text area.
func (l *layout) newPage() {
	l.f.AddPage()
	l.f.SetXY(marginLeft, marginTop)
}

// atTop reports whether nothing has been written on the current page yet.
func (l *layout) atTop() bool {
	return l.f.GetY() <= marginTop+0.01
}

// ensure starts a new page unless h millimetres fit below the cursor.
func (l *layout) ensure(h float64) {
	if l.f.GetY()+h > textBottom && !l.atTop() {
		l.newPage()
	}
}

// gap moves the cursor down by h millimetres, or to the top of a new page
// when the gap would reach the bottom margin. A gap is never left at the top
// of a page.
func (l *layout) gap(h float64) {
	if l.atTop() {
		return
	}
	y := l.f.GetY() + h
	if y >= textBottom {
		l.newPage()
		return
	}
	l.f.SetXY(marginLeft, y)
}

// setFont selects the document font at size points in the given grey level.
func (l *layout) setFont(size float64, grey int) {
	l.f.SetFont(fontFamily, "", size)
	l.f.SetTextColor(grey, grey, grey)
}

// wrap breaks s into lines that fit width millimetres in the current font.
func (l *layout) wrap(s string, width float64) []string {
	return wrapLines(s, width, l.f.GetStringWidth)
}

// writeLines writes lines one under another in a column at x, starting a new
// page whenever the next line does not fit.
func (l *layout) writeLines(lines []string, x, width, lineHeight float64, align string) {
	for _, line := range lines {
		l.ensure(lineHeight)
		y := l.f.GetY()
		l.f.SetXY(x, y)
		l.f.CellFormat(width, lineHeight, line, "", 0, align, false, 0, "")
		l.f.SetXY(marginLeft, y+lineHeight)
	}
}

// pageHeader prints the running header, if there is one.
func (l *layout) pageHeader() {
	if l.header == "" {
		return
	}
	l.setFont(marginSize, greyText)
	l.f.SetXY(marginLeft, 11)
	l.f.CellFormat(textWidth, marginLine, l.fit(l.header, textWidth), "", 0, "C", false, 0, "")
	l.rule(17)
}

// pageFooter prints the title and the page number below a thin rule.
func (l *layout) pageFooter() {
	y := pageHeight - 16
	l.rule(y)

	l.setFont(marginSize, greyText)
	page := fmt.Sprintf("第 %d 页 / 共 %d 页", l.f.PageNo(), l.pages)
	pageW := l.f.GetStringWidth(page)
	l.f.SetXY(marginLeft, y+1.5)
	l.f.CellFormat(textWidth-pageW-6, marginLine, l.fit(l.title, textWidth-pageW-6), "", 0, "L", false, 0, "")
	l.f.SetXY(pageWidth-marginRight-pageW, y+1.5)
	l.f.CellFormat(pageW, marginLine, page, "", 0, "R", false, 0, "")
}

// rule draws a thin grey line across the text width at height y.
func (l *layout) rule(y float64) {
	l.f.SetDrawColor(greyRule, greyRule, greyRule)
	l.f.SetLineWidth(0.2)
	l.f.Line(marginLeft, y, pageWidth-marginRight, y)
}

// fit shortens s with an ellipsis until it fits width in the current font.
// Only page headers and footers are shortened; body text always wraps.
func (l *layout) fit(s string, width float64) string {
	if l.f.GetStringWidth(s) <= width {
		return s
	}
	runes := []rune(s)
	for len(runes) > 0 && l.f.GetStringWidth(string(runes)+"…") > width {
		runes = runes[:len(runes)-1]
	}
	return string(runes) + "…"
}

// clean turns text into what the layout expects: "\n" as the only line end,
// tabs as spaces, and no other control characters, which the font cannot
// show.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\r':
			return '\n'
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}
