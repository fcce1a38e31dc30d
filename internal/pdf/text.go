package pdf

import "strings"

// paragraphIndent opens every body paragraph, two full-width spaces as in
// Chinese official documents (GB/T 9704).
const paragraphIndent = "\u3000\u3000"

// Field layout: the label column width and the gap before the value, in
// millimetres.
const (
	labelWidth = 38.0
	labelGap   = 2.0
)

// Title adds the document's main heading, large and centred. A long title
// wraps onto several centred lines.
func (d *Document) Title(s string) {
	s = clean(s)
	d.add(func(l *layout) {
		l.gap(2)
		l.setFont(titleSize, blackText)
		lines := l.wrap(s, textWidth)
		l.ensure(titleLine * float64(len(lines)))
		l.writeLines(lines, marginLeft, textWidth, titleLine, "C")
		l.gap(5)
	})
}

// Heading adds a section heading. It is kept on the same page as at least
// the first two lines of what follows it.
func (d *Document) Heading(s string) {
	s = clean(s)
	d.add(func(l *layout) {
		l.gap(3)
		l.setFont(headingSize, blackText)
		lines := l.wrap(s, textWidth)
		l.ensure(headingLine*float64(len(lines)) + 2*bodyLine)
		l.writeLines(lines, marginLeft, textWidth, headingLine, "L")
		l.gap(1)
	})
}

// Paragraph adds body text that wraps at the text width. Each "\n" starts a
// new paragraph, and every paragraph's first line is indented by two
// characters; an empty line between paragraphs stays empty.
func (d *Document) Paragraph(s string) {
	s = clean(s)
	d.add(func(l *layout) {
		l.setFont(bodySize, blackText)
		for _, para := range strings.Split(s, "\n") {
			if para != "" {
				para = paragraphIndent + para
			}
			l.writeLines(l.wrap(para, textWidth), marginLeft, textWidth, bodyLine, "L")
		}
		l.gap(2)
	})
}

// Field adds a row with a label on the left and its value beside it, such
// as 企业名称：某某有限公司. A full-width colon is added after the label unless
// it already ends with one. Label and value each wrap within their column.
func (d *Document) Field(label, value string) {
	label, value = clean(label), clean(value)
	if label != "" && !strings.HasSuffix(label, "：") && !strings.HasSuffix(label, ":") {
		label += "："
	}
	d.add(func(l *layout) {
		l.setFont(bodySize, blackText)
		labels := l.wrap(label, labelWidth)
		values := l.wrap(value, textWidth-labelWidth-labelGap)
		for i := range max(len(labels), len(values)) {
			l.ensure(bodyLine)
			y := l.f.GetY()
			if i < len(labels) {
				l.setFont(bodySize, greyText)
				l.f.SetXY(marginLeft, y)
				l.f.CellFormat(labelWidth, bodyLine, labels[i], "", 0, "L", false, 0, "")
			}
			if i < len(values) {
				l.setFont(bodySize, blackText)
				l.f.SetXY(marginLeft+labelWidth+labelGap, y)
				l.f.CellFormat(textWidth-labelWidth-labelGap, bodyLine, values[i], "", 0, "L", false, 0, "")
			}
			l.f.SetXY(marginLeft, y+bodyLine)
		}
		l.gap(0.6)
	})
}

// Spacer adds mm millimetres of vertical space. Space that would reach the
// bottom of a page ends the page instead, and no space is left at the top of
// a page.
func (d *Document) Spacer(mm float64) {
	d.add(func(l *layout) {
		l.gap(mm)
	})
}

// PageBreak ends the current page, so that what follows starts at the top of
// a new one, as each notice of a bundle does. At the top of a page, where
// nothing has been written yet, it does nothing: it never leaves a blank page.
func (d *Document) PageBreak() {
	d.add(func(l *layout) {
		if !l.atTop() {
			l.newPage()
		}
	})
}
