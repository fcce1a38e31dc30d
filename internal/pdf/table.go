package pdf

import (
	"errors"
	"fmt"
	"slices"
)

// Cell padding in millimetres.
const (
	cellPadX = 1.5
	cellPadY = 1.2
)

// Table adds a bordered table. headers names the columns; widths gives each
// column's width in millimetres and is scaled in proportion when it does not
// add up to the text width (170 mm), and nil gives equal columns. A row may
// have fewer cells than there are columns; the rest are left empty. Cells
// wrap within their column, and the header row is repeated at the top of
// every page the table continues on.
//
// A table with no headers, a widths slice of the wrong length, a width that
// is not positive or a row with too many cells makes Output and Bytes fail.
func (d *Document) Table(headers []string, widths []float64, rows [][]string) {
	if err := checkTable(headers, widths, rows); err != nil {
		d.err = errors.Join(d.err, err)
		return
	}

	headers = cleanAll(headers)
	cols := scaleWidths(widths, len(headers))
	cells := make([][]string, len(rows))
	for i, row := range rows {
		cells[i] = cleanAll(row)
	}

	d.add(func(l *layout) {
		l.writeTable(headers, cols, cells)
	})
}

// checkTable reports why a table's shape cannot be laid out, if it cannot.
func checkTable(headers []string, widths []float64, rows [][]string) error {
	if len(headers) == 0 {
		return errors.New("table: no headers")
	}
	if widths != nil && len(widths) != len(headers) {
		return fmt.Errorf("table: %d widths for %d columns", len(widths), len(headers))
	}
	for i, w := range widths {
		if !(w > 0) {
			return fmt.Errorf("table: column %d has width %g, want more than 0", i+1, w)
		}
	}
	for i, row := range rows {
		if len(row) > len(headers) {
			return fmt.Errorf("table: row %d has %d cells for %d columns", i+1, len(row), len(headers))
		}
	}
	return nil
}

// scaleWidths returns n column widths that add up to the text width, in the
// proportions of widths, or equal when widths is nil.
func scaleWidths(widths []float64, n int) []float64 {
	if widths == nil {
		widths = slices.Repeat([]float64{1}, n)
	}
	var sum float64
	for _, w := range widths {
		sum += w
	}
	cols := make([]float64, n)
	for i, w := range widths {
		cols[i] = w * textWidth / sum
	}
	return cols
}

// cleanAll returns a cleaned copy of cells.
func cleanAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = clean(c)
	}
	return out
}

// tableLayout lays out the rows of one table.
type tableLayout struct {
	l    *layout
	cols []float64
	head [][]string // the header row, wrapped
}

// writeTable lays a table out, breaking pages between rows where it can and
// repeating the header row after each break.
func (l *layout) writeTable(headers []string, cols []float64, rows [][]string) {
	l.setFont(tableSize, blackText)
	l.f.SetDrawColor(greyRule, greyRule, greyRule)
	l.f.SetLineWidth(0.2)
	t := &tableLayout{l: l, cols: cols, head: l.wrapCells(headers, cols)}

	// Keep the header row with at least the start of the first row.
	var first [][]string
	if len(rows) > 0 {
		first = l.wrapCells(rows[0], cols)
	}
	l.ensure(rowHeight(t.head) + min(rowHeight(first), 2*tableLine+2*cellPadY))

	t.writeRow(t.head, true)
	for _, row := range rows {
		t.writeRow(l.wrapCells(row, cols), false)
	}
	l.gap(3)
}

// wrapCells breaks every cell of a row into lines for its column; missing
// cells are empty.
func (l *layout) wrapCells(row []string, cols []float64) [][]string {
	cells := make([][]string, len(cols))
	for i, w := range cols {
		text := ""
		if i < len(row) {
			text = row[i]
		}
		cells[i] = l.wrap(text, w-2*cellPadX)
	}
	return cells
}

// rowHeight returns the height of a row whose cells hold the given lines.
func rowHeight(cells [][]string) float64 {
	return float64(lineCount(cells))*tableLine + 2*cellPadY
}

// lineCount returns the number of lines of a row's tallest cell, at least 1.
func lineCount(cells [][]string) int {
	n := 1
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

// writeRow draws one row. A row that does not fit below the cursor moves to
// a new page, after the repeated header row, if it fits there; a row taller
// than that is split between pages line by line.
func (t *tableLayout) writeRow(cells [][]string, isHead bool) {
	l := t.l
	room := textBottom - marginTop
	if !isHead {
		room -= rowHeight(t.head)
	}
	h := rowHeight(cells)
	if l.f.GetY()+h > textBottom && h <= room && !l.atTop() {
		t.breakPage(isHead)
	}

	// fresh is true while nothing of the row is on a page that was started
	// for it; such a page takes at least one line, however tall.
	fresh := l.atTop()
	n := lineCount(cells)
	for start := 0; start < n; {
		fit := int((textBottom - l.f.GetY() - 2*cellPadY + 0.01) / tableLine)
		if fit < 1 && !fresh {
			t.breakPage(isHead)
			fresh = true
			continue
		}
		end := min(n, start+max(fit, 1))
		t.writeBand(cells, start, end, isHead)
		start = end
		fresh = false
	}
}

// breakPage starts a new page for the table, with the header row at its top
// unless the header row itself is being written.
func (t *tableLayout) breakPage(isHead bool) {
	t.l.newPage()
	if !isHead {
		t.writeBand(t.head, 0, lineCount(t.head), true)
	}
}

// writeBand draws lines start to end of every cell of a row as one band of
// bordered cells, shaded for the header row.
func (t *tableLayout) writeBand(cells [][]string, start, end int, shaded bool) {
	f := t.l.f
	y := f.GetY()
	h := float64(end-start)*tableLine + 2*cellPadY
	style := "D"
	if shaded {
		f.SetFillColor(greyFill, greyFill, greyFill)
		style = "FD"
	}

	x := marginLeft
	for i, w := range t.cols {
		f.Rect(x, y, w, h, style)
		for j := start; j < end && j < len(cells[i]); j++ {
			f.SetXY(x+cellPadX, y+cellPadY+float64(j-start)*tableLine)
			f.CellFormat(w-2*cellPadX, tableLine, cells[i][j], "", 0, "L", false, 0, "")
		}
		x += w
	}
	f.SetXY(marginLeft, y+h)
}
