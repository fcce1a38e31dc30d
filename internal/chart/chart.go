// Package chart draws the small charts of the console as SVG on the server, so that pages
// show them without JavaScript.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// Point is one bar or point of a series.
type Point struct {
	Label string
	Value int64
}

// Bars draws a bar chart of the points, left to right, with the largest value marked on the
// axis. Labels are shown under every step-th bar. Title names the chart for screen readers.
func Bars(title string, points []Point, step int) template.HTML {
	const (
		width, height = 720.0, 200.0
		left, bottom  = 36.0, 24.0
		top           = 12.0
	)
	if step < 1 {
		step = 1
	}
	var peak int64
	for _, p := range points {
		peak = max(peak, p.Value)
	}
	scale := 0.0
	if peak > 0 {
		scale = (height - top - bottom) / float64(peak)
	}
	slot := 0.0
	if len(points) > 0 {
		slot = (width - left) / float64(len(points))
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" `+
		`xmlns="http://www.w3.org/2000/svg">`, width, height, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	base := height - bottom
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8a949e"/>`, left, base, width, base)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#4a5560">%d</text>`,
		left-4, top+4, peak)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#4a5560">0</text>`, left-4, base)
	for i, p := range points {
		x := left + float64(i)*slot
		h := float64(p.Value) * scale
		if p.Value > 0 && h < 1 {
			h = 1
		}
		fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="#b0413e">`+
			`<title>%s：%d</title></rect>`, x+slot*0.1, base-h, slot*0.8, h, html.EscapeString(p.Label), p.Value)
		if i%step == 0 {
			fmt.Fprintf(&b, `<text x="%.2f" y="%.1f" font-size="10" fill="#4a5560">%s</text>`,
				x, height-8, html.EscapeString(p.Label))
		}
	}
	b.WriteString(`</svg>`)
	// Every piece of text above was escaped, so the markup is safe to embed as it is.
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts only
}

// HBar is one row of a horizontal bar chart: a named quantity and its share of the whole.
type HBar struct {
	Label string
	Value float64
	// Note is shown after the bar, e.g. the value with its unit.
	Note string
}

// HBars draws labelled horizontal bars scaled to maxValue, for factor breakdowns.
func HBars(title string, bars []HBar, maxValue float64) template.HTML {
	const (
		width    = 720.0
		rowH     = 26.0
		labelW   = 220.0
		barSpace = 380.0
	)
	height := rowH*float64(len(bars)) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" `+
		`xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, width, height,
		html.EscapeString(title), html.EscapeString(title))
	for i, bar := range bars {
		y := float64(i)*rowH + 4
		w := 0.0
		if maxValue > 0 && bar.Value > 0 {
			w = min(bar.Value/maxValue, 1) * barSpace
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#1d2733">%s</text>`,
			labelW-8, y+15, html.EscapeString(bar.Label))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.2f" height="%.1f" fill="#b0413e"/>`, labelW, y+3, w, rowH-10)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#1d2733">%s</text>`,
			labelW+w+6, y+15, html.EscapeString(bar.Note))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts only
}
