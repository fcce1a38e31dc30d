package pdf

import (
	"strings"
	"unicode"
)

// Line breaking follows the usual rules for Chinese text (JIS X 4051 and
// W3C "Requirements for Chinese Text Layout" describe them): a line may break
// between any two Chinese characters and at a space, never inside a number or
// a Latin word, never before closing punctuation and never after opening
// punctuation.

// closing holds punctuation that must not begin a line.
const closing = "，。、；：！？）》」』”’】〕〉…％,.;:!?)]}"

// opening holds punctuation that must not end a line.
const opening = "（《「『“‘【〔〈([{"

// innerPunct holds the ASCII punctuation that stays inside a number or word
// when it stands between two letters or digits, as in 1,234.56 or 12:30.
const innerPunct = ",.:;!?"

// widthSlack absorbs rounding in the measured widths, so that a line that
// fits exactly is not broken.
const widthSlack = 1e-6

// unit is a piece of text that is never broken across lines unless it alone
// is wider than a line.
type unit struct {
	text    string
	space   bool // a run of spaces: a break point, dropped at a break
	word    bool // ends with a letter or digit of a Latin word or number
	openEnd bool // ends with opening punctuation that waits for what follows
}

// wrapLines breaks text into lines no wider than width, as measured by
// measure. Each "\n" ends a paragraph; every paragraph gives at least one
// line, an empty paragraph an empty line. Spaces where a line is broken are
// dropped; all other characters are kept, in order.
func wrapLines(text string, width float64, measure func(string) float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		lines = append(lines, wrapParagraph(para, width, measure)...)
	}
	return lines
}

// wrapParagraph breaks one paragraph, which holds no "\n", into lines.
func wrapParagraph(para string, width float64, measure func(string) float64) []string {
	var (
		lines   []string
		line    strings.Builder
		lineW   float64
		pending []unit // spaces not yet written: dropped if the line breaks here
	)
	flush := func() {
		lines = append(lines, line.String())
		line.Reset()
		lineW = 0
		pending = pending[:0]
	}

	for _, u := range splitUnits(para) {
		if u.space {
			// Spaces after a break are dropped; spaces at the start of the
			// paragraph are the writer's and are kept.
			if line.Len() == 0 && len(lines) > 0 {
				continue
			}
			pending = append(pending, u)
			continue
		}

		spaceW := 0.0
		for _, p := range pending {
			spaceW += measure(p.text)
		}
		w := measure(u.text)
		if line.Len() > 0 && lineW+spaceW+w > width+widthSlack {
			flush()
			spaceW = 0
		}
		for _, p := range pending {
			line.WriteString(p.text)
		}
		pending = pending[:0]
		lineW += spaceW

		if lineW+w <= width+widthSlack {
			line.WriteString(u.text)
			lineW += w
			continue
		}

		// The unit alone is wider than a line: split it by characters.
		for _, r := range u.text {
			rw := measure(string(r))
			if line.Len() > 0 && lineW+rw > width+widthSlack {
				flush()
			}
			line.WriteRune(r)
			lineW += rw
		}
	}

	for _, p := range pending {
		line.WriteString(p.text)
	}
	if line.Len() > 0 || len(lines) == 0 {
		lines = append(lines, line.String())
	}
	return lines
}

// splitUnits cuts a paragraph into units: runs of spaces, Latin words and
// numbers, and single other characters, with closing punctuation joined to
// what precedes it and opening punctuation to what follows.
func splitUnits(para string) []unit {
	runes := []rune(para)
	var units []unit
	for i, r := range runes {
		var last *unit
		if len(units) > 0 {
			last = &units[len(units)-1]
		}

		switch {
		case r == ' ':
			if last != nil && last.space {
				last.text += " "
				continue
			}
			units = append(units, unit{text: " ", space: true})

		case isWordRune(r) || isInnerPunct(runes, i):
			if last != nil && (last.word || last.openEnd) {
				last.text += string(r)
				last.word, last.openEnd = true, false
				continue
			}
			units = append(units, unit{text: string(r), word: true})

		case strings.ContainsRune(closing, r):
			if last != nil && !last.space {
				last.text += string(r)
				last.word, last.openEnd = false, false
				continue
			}
			units = append(units, unit{text: string(r)})

		case strings.ContainsRune(opening, r):
			if last != nil && last.openEnd {
				last.text += string(r)
				continue
			}
			units = append(units, unit{text: string(r), openEnd: true})

		default:
			if last != nil && last.openEnd {
				last.text += string(r)
				last.openEnd = false
				continue
			}
			units = append(units, unit{text: string(r)})
		}
	}
	return units
}

// isWordRune reports whether r belongs to a Latin word or a number: any
// character that is not a space, not Chinese, Japanese or Korean, and not
// punctuation with a line-breaking rule of its own.
func isWordRune(r rune) bool {
	if r == ' ' || isCJK(r) {
		return false
	}
	return !strings.ContainsRune(closing, r) && !strings.ContainsRune(opening, r)
}

// isInnerPunct reports whether runes[i] is ASCII punctuation inside a Latin
// word, number or address: after a letter or digit and before another
// character of a word, such as the separators in 1,234.56, 12:30 or
// https://example.cn.
func isInnerPunct(runes []rune, i int) bool {
	if !strings.ContainsRune(innerPunct, runes[i]) || i == 0 || i == len(runes)-1 {
		return false
	}
	next := runes[i+1]
	return isAlnum(runes[i-1]) && (isAlnum(next) || isWordRune(next) && !unicode.IsSpace(next))
}

// isAlnum reports whether r is a letter or digit outside the CJK scripts.
func isAlnum(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r)
}

// isCJK reports whether r is a character that a line may break before or
// after: Chinese, Japanese or Korean script, CJK punctuation and full-width
// forms.
func isCJK(r rune) bool {
	switch {
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo):
		return true
	case r >= 0x3000 && r <= 0x303F: // CJK symbols and punctuation
		return true
	case r >= 0xFF00 && r <= 0xFFEF: // full-width and half-width forms
		return true
	}
	return false
}
