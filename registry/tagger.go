package registry

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed data/tag-rules.json
var tagRulesJSON []byte

// Tagging is the category the rule tagger chose for a complaint text, with the phrases that
// decided it so that a regulator can see why.
type Tagging struct {
	Category Category `json:"category"`
	// Matched lists the phrases of the chosen category found in the text, in the order they
	// appear; it is empty when nothing matched and the text fell to CategoryOther.
	Matched []string `json:"matched"`
}

// Tagger tags complaint texts by weighted phrase lists and maps the 12345 system's own
// category texts to categories. It is built once from a rules file and is safe for
// concurrent use.
type Tagger struct {
	matcher    *phraseMatcher
	phrases    []tagPhrase
	negators   []string
	exceptions []string
	window     int
	hotline    map[string]Category
}

// tagPhrase is one phrase of the rules: a cue for its category or, when negation is set, a
// phrase that speaks against it (已退费 against a refused refund).
type tagPhrase struct {
	text      string
	category  int // index in Categories
	weight    int
	negatable bool
	negation  bool
}

// tagRules is the shape of data/tag-rules.json.
type tagRules struct {
	About             []string                      `json:"about"`
	Negators          []string                      `json:"negators"`
	NegatorExceptions []string                      `json:"negator_exceptions"`
	NegatorWindow     int                           `json:"negator_window"`
	Categories        map[Category]categoryTagRules `json:"categories"`
	Hotline           map[Category][]string         `json:"hotline"`
}

// categoryTagRules holds one category's cues and the phrases that speak against it.
type categoryTagRules struct {
	Phrases   []phraseGroup `json:"phrases"`
	Negations []phraseGroup `json:"negations"`
}

// phraseGroup is a list of phrases that share a weight and whether a negator just before
// them (没有跑路) cancels them.
type phraseGroup struct {
	Weight    int      `json:"weight"`
	Negatable bool     `json:"negatable"`
	List      []string `json:"list"`
}

// maxNegatorWindow bounds how far, in characters, a negator may stand before a phrase.
const maxNegatorWindow = 6

var (
	defaultTaggerOnce sync.Once
	defaultTagger     *Tagger
)

// DefaultTagger returns the tagger built from the rules shipped with the program, parsed on
// first use.
func DefaultTagger() *Tagger {
	defaultTaggerOnce.Do(func() {
		t, err := NewTagger(tagRulesJSON)
		if err != nil {
			panic(fmt.Sprintf("registry: shipped tag rules are invalid: %v", err))
		}
		defaultTagger = t
	})
	return defaultTagger
}

// NewTagger builds a tagger from a rules file in the format of data/tag-rules.json. It refuses
// malformed JSON, unknown fields and categories, weights below 1, empty or repeated phrases
// and a 12345 category text mapped to two categories.
func NewTagger(rules []byte) (*Tagger, error) {
	var r tagRules
	dec := json.NewDecoder(bytes.NewReader(rules))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("tag rules: malformed: %w", err)
	}
	if dec.More() {
		return nil, errors.New("tag rules: malformed: text after the rules object")
	}

	t := &Tagger{window: r.NegatorWindow}
	if err := t.setNegators(r); err != nil {
		return nil, err
	}
	if err := t.setPhrases(r.Categories); err != nil {
		return nil, err
	}
	if err := t.setHotline(r.Hotline); err != nil {
		return nil, err
	}

	texts := make([]string, len(t.phrases))
	for i, p := range t.phrases {
		texts[i] = p.text
	}
	m, err := newPhraseMatcher(texts)
	if err != nil {
		return nil, err
	}
	t.matcher = m
	return t, nil
}

// setNegators checks and keeps the negators, their exceptions and the window.
func (t *Tagger) setNegators(r tagRules) error {
	if r.NegatorWindow < 0 || r.NegatorWindow > maxNegatorWindow {
		return fmt.Errorf("tag rules: negator_window is %d, want 0 to %d", r.NegatorWindow, maxNegatorWindow)
	}
	var err error
	if t.negators, err = normalisedList("negators", r.Negators); err != nil {
		return err
	}
	if t.exceptions, err = normalisedList("negator_exceptions", r.NegatorExceptions); err != nil {
		return err
	}
	// Longer negators first, so that 没有 is tried before 没.
	slices.SortStableFunc(t.negators, func(a, b string) int { return len(b) - len(a) })
	return nil
}

// normalisedList normalises each entry of a word list and refuses empty ones.
func normalisedList(field string, list []string) ([]string, error) {
	out := make([]string, 0, len(list))
	for i, s := range list {
		n := normaliseText(s)
		if n == "" {
			return nil, fmt.Errorf("tag rules: %s[%d] is empty", field, i)
		}
		out = append(out, n)
	}
	return out, nil
}

// setPhrases checks every category's phrase groups and flattens them, in Categories order so
// that the tagger does not depend on map order.
func (t *Tagger) setPhrases(cats map[Category]categoryTagRules) error {
	for c := range cats {
		if !c.Valid() {
			return fmt.Errorf("tag rules: categories: %q is not a category code", c)
		}
	}
	for ci, c := range Categories {
		cr := cats[c]
		seen := map[string]bool{}
		if err := t.addGroups(ci, cr.Phrases, false, seen); err != nil {
			return err
		}
		if err := t.addGroups(ci, cr.Negations, true, seen); err != nil {
			return err
		}
	}
	if len(t.phrases) == 0 {
		return errors.New("tag rules: categories: no phrases at all")
	}
	return nil
}

// addGroups appends one category's phrase groups; seen catches a phrase listed twice.
func (t *Tagger) addGroups(ci int, groups []phraseGroup, negation bool, seen map[string]bool) error {
	field := "phrases"
	if negation {
		field = "negations"
	}
	for gi, g := range groups {
		where := fmt.Sprintf("tag rules: %s %s[%d]", Categories[ci], field, gi)
		if g.Weight < 1 {
			return fmt.Errorf("%s: weight is %d, want at least 1", where, g.Weight)
		}
		if len(g.List) == 0 {
			return fmt.Errorf("%s: list is empty", where)
		}
		for _, s := range g.List {
			text := normaliseText(s)
			if text == "" {
				return fmt.Errorf("%s: an empty phrase", where)
			}
			if seen[text] {
				return fmt.Errorf("%s: phrase %q is listed twice", where, s)
			}
			seen[text] = true
			t.phrases = append(t.phrases, tagPhrase{
				text: text, category: ci, weight: g.Weight, negatable: g.Negatable, negation: negation,
			})
		}
	}
	return nil
}

// setHotline builds the table of the 12345 system's category texts. Each category's code and
// Chinese label map to it without being listed.
func (t *Tagger) setHotline(hotline map[Category][]string) error {
	t.hotline = map[string]Category{}
	for _, c := range Categories {
		t.hotline[hotlineKey(string(c))] = c
		t.hotline[hotlineKey(c.Label())] = c
	}
	for c, texts := range hotline {
		if !c.Valid() {
			return fmt.Errorf("tag rules: hotline: %q is not a category code", c)
		}
		for _, s := range texts {
			key := hotlineKey(s)
			if key == "" {
				return fmt.Errorf("tag rules: hotline %s: an empty category text", c)
			}
			if prev, ok := t.hotline[key]; ok && prev != c {
				return fmt.Errorf("tag rules: hotline: %q maps to both %s and %s", s, prev, c)
			}
			t.hotline[key] = c
		}
	}
	return nil
}

// hotlineSeparators split a 12345 category path such as 消费维权/预付式消费/退费难 into levels.
const hotlineSeparators = "/>|\\-→"

// MapHotline maps the 12345 system's own category text to a category. The text is compared
// after trimming and ignoring spaces and full-width forms; a path of levels is matched by its
// most specific known level. It reports false for a text it does not know.
func (t *Tagger) MapHotline(category string) (Category, bool) {
	key := hotlineKey(category)
	if key == "" {
		return "", false
	}
	if c, ok := t.hotline[key]; ok {
		return c, true
	}
	levels := strings.FieldsFunc(key, func(r rune) bool { return strings.ContainsRune(hotlineSeparators, r) })
	for i := len(levels) - 1; i >= 0; i-- {
		if c, ok := t.hotline[levels[i]]; ok {
			return c, true
		}
	}
	return "", false
}

// hotlineKey is a 12345 category text normalised and without spaces.
func hotlineKey(s string) string {
	return strings.ReplaceAll(normaliseText(s), " ", "")
}

// Tag chooses the category of a complaint text: each category scores the weights of its
// phrases found in the text (each phrase once), less the weights of its negation phrases; a
// phrase inside a negation phrase of its category, or just after a negator, does not count,
// nor does one inside a longer phrase of the same category. The highest score wins, ties going
// to the category listed first in Categories; a text with no positive score is CategoryOther.
func (t *Tagger) Tag(text string) Tagging {
	norm := normaliseText(text)
	var buf [64]phraseHit
	hits := t.matcher.find(norm, buf[:0])
	hits = t.dropNegated(norm, hits)

	var scores [8]int
	for i, h := range hits {
		if t.firstOfPhrase(hits, i) {
			p := t.phrases[h.phrase]
			scores[p.category] += signedWeight(p)
		}
	}

	best := -1
	for ci := range Categories {
		if scores[ci] > 0 && (best < 0 || scores[ci] > scores[best]) {
			best = ci
		}
	}
	if best < 0 {
		return Tagging{Category: CategoryOther}
	}
	return Tagging{Category: Categories[best], Matched: t.matchedOf(hits, best)}
}

// signedWeight is a phrase's contribution to its category's score.
func signedWeight(p tagPhrase) int {
	if p.negation {
		return -p.weight
	}
	return p.weight
}

// firstOfPhrase reports whether hits[i] is the first hit of its phrase, so that a phrase said
// twice counts once.
func (t *Tagger) firstOfPhrase(hits []phraseHit, i int) bool {
	for _, h := range hits[:i] {
		if h.phrase == hits[i].phrase {
			return false
		}
	}
	return true
}

// dropNegated returns the hits that count. It drops negatable phrases just after a negator
// (没有跑路, and the negation phrase in 不同意退费), then cues inside a negation phrase or a
// longer cue of their category.
func (t *Tagger) dropNegated(text string, hits []phraseHit) []phraseHit {
	kept := hits[:0]
	for _, h := range hits {
		if t.phrases[h.phrase].negatable && t.negated(text, h.start) {
			continue
		}
		kept = append(kept, h)
	}
	hits = kept

	kept = make([]phraseHit, 0, len(hits))
	for _, h := range hits {
		if !t.covered(hits, h) {
			kept = append(kept, h)
		}
	}
	return kept
}

// covered reports whether a cue lies inside a negation phrase or a longer cue of its category.
func (t *Tagger) covered(hits []phraseHit, h phraseHit) bool {
	p := t.phrases[h.phrase]
	if p.negation {
		return false
	}
	for _, o := range hits {
		q := t.phrases[o.phrase]
		if o == h || q.category != p.category {
			continue
		}
		inside := o.start <= h.start && h.end <= o.end && o.end-o.start > h.end-h.start
		if inside || (q.negation && o.start <= h.start && h.end <= o.end) {
			return true
		}
	}
	return false
}

// negated reports whether a negator ends at most window characters before start, with no
// clause break between it and the phrase.
func (t *Tagger) negated(text string, start int) bool {
	pos := start
	for gap := 0; gap <= t.window; gap++ {
		if t.negatorEndsAt(text, pos) {
			return true
		}
		if pos == 0 {
			return false
		}
		r, size := utf8.DecodeLastRuneInString(text[:pos])
		if isClauseBreak(r) {
			return false
		}
		pos -= size
	}
	return false
}

// negatorEndsAt reports whether a negator ends at pos that does not begin one of the
// exceptions (没想到 is no negation).
func (t *Tagger) negatorEndsAt(text string, pos int) bool {
	head := text[:pos]
	for _, n := range t.negators {
		if !strings.HasSuffix(head, n) {
			continue
		}
		rest := text[pos-len(n):]
		for _, e := range t.exceptions {
			if strings.HasPrefix(rest, e) {
				return false
			}
		}
		return true
	}
	return false
}

// isClauseBreak reports whether r ends a clause, past which a negator does not reach.
func isClauseBreak(r rune) bool {
	return strings.ContainsRune(",.;:!?。、 ", r)
}

// matchedOf lists, in text order and once each, the cues of category ci among the hits.
func (t *Tagger) matchedOf(hits []phraseHit, ci int) []string {
	var own []phraseHit
	for i, h := range hits {
		p := t.phrases[h.phrase]
		if p.category == ci && !p.negation && t.firstOfPhrase(hits, i) {
			own = append(own, h)
		}
	}
	slices.SortStableFunc(own, func(a, b phraseHit) int { return a.start - b.start })
	out := make([]string, len(own))
	for i, h := range own {
		out[i] = t.phrases[h.phrase].text
	}
	return out
}

// normaliseText prepares a text for matching: full-width ASCII forms and the ideographic space
// become their half-width forms, ASCII letters become lower case, and runs of white space
// become one space, with none at either end.
func normaliseText(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		// Common CJK ideographs (U+4000–U+9FFF) start with 0xE4–0xE9 and need no change.
		if c >= 0xE4 && c <= 0xE9 && i+3 <= len(s) {
			b = appendAfterSpace(b, space)
			b = append(b, s[i:i+3]...)
			space = false
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		r = halfWidth(r)
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b = appendAfterSpace(b, space)
		b = utf8.AppendRune(b, r)
		space = false
	}
	return string(b)
}

// appendAfterSpace writes the one space that stands for a run of white space, unless the run
// leads the text.
func appendAfterSpace(b []byte, space bool) []byte {
	if space && len(b) > 0 {
		return append(b, ' ')
	}
	return b
}

// halfWidth maps a full-width ASCII form (U+FF01–U+FF5E) and the ideographic space to their
// half-width forms.
func halfWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	}
	return r
}

// phraseHit is one occurrence of a phrase in a text, as byte offsets.
type phraseHit struct {
	phrase     int
	start, end int
}

// phraseMatcher finds every occurrence of a fixed set of phrases in one pass over a text: an
// Aho–Corasick automaton over bytes, turned into a full transition table so that each byte
// costs one lookup. Bytes that occur in no phrase share one class, which keeps the table small.
// UTF-8 is self-synchronising, so a match of valid UTF-8 phrases in valid UTF-8 text always
// starts on a character boundary.
type phraseMatcher struct {
	class   [256]uint8
	classes int
	next    []uint16 // next[state*classes+class]
	// out[state] is the first state on the suffix chain from state (itself included) that ends
	// a phrase, or -1; link[state] is the next such state after it.
	out, link []int32
	// ends[endsAt[s]:endsAt[s+1]] are the phrases that end exactly at state s.
	endsAt []int32
	ends   []int32
	length []int // byte length of each phrase
}

// maxMatcherStates is the most states the transition table can address; the shipped rules
// need under a tenth of it.
const maxMatcherStates = math.MaxUint16 + 1

// newPhraseMatcher builds the automaton for the phrases, none of which is empty.
func newPhraseMatcher(phrases []string) (*phraseMatcher, error) {
	m := &phraseMatcher{length: make([]int, len(phrases))}
	m.setClasses(phrases)

	// The trie: state 0 is the root, and 0 in a child slot means no child.
	trie := make([]int32, m.classes)
	own := [][]int32{nil}
	for id, p := range phrases {
		m.length[id] = len(p)
		s := int32(0)
		for i := 0; i < len(p); i++ {
			slot := int(s)*m.classes + int(m.class[p[i]])
			if trie[slot] == 0 {
				if len(own) == maxMatcherStates {
					const msg = "tag rules: too many phrases: more than %d matcher states"
					return nil, fmt.Errorf(msg, maxMatcherStates)
				}
				trie[slot] = int32(len(own))
				trie = append(trie, make([]int32, m.classes)...)
				own = append(own, nil)
			}
			s = trie[slot]
		}
		own[s] = append(own[s], int32(id))
	}

	m.link = m.build(trie, own)
	m.setEnds(own)
	return m, nil
}

// setClasses gives each byte that occurs in a phrase its own class; class 0 is every other
// byte.
func (m *phraseMatcher) setClasses(phrases []string) {
	var used [256]bool
	for _, p := range phrases {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	m.classes = 1
	for b := range 256 {
		if used[b] {
			m.class[b] = uint8(m.classes)
			m.classes++
		}
	}
}

// build fills the transition table breadth first from the trie and returns, for each state,
// the nearest proper suffix state that ends a phrase (-1 for none).
func (m *phraseMatcher) build(trie []int32, own [][]int32) []int32 {
	n := m.classes
	states := len(own)
	m.next = make([]uint16, states*n)
	fail := make([]int32, states)
	link := make([]int32, states)
	link[0] = -1

	queue := make([]int32, 0, states)
	for c := range n {
		if t := trie[c]; t != 0 {
			m.next[c] = uint16(t)
			link[t] = -1
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := range n {
			t := trie[int(s)*n+c]
			if t == 0 {
				m.next[int(s)*n+c] = m.next[int(fail[s])*n+c]
				continue
			}
			f := int32(m.next[int(fail[s])*n+c])
			fail[t] = f
			link[t] = link[f]
			if len(own[f]) > 0 {
				link[t] = f
			}
			m.next[int(s)*n+c] = uint16(t)
			queue = append(queue, t)
		}
	}
	return link
}

// setEnds flattens the phrases that end at each state and sets out.
func (m *phraseMatcher) setEnds(own [][]int32) {
	m.endsAt = make([]int32, len(own)+1)
	m.out = make([]int32, len(own))
	for s, ids := range own {
		m.ends = append(m.ends, ids...)
		m.endsAt[s+1] = int32(len(m.ends))
		m.out[s] = m.link[s]
		if len(ids) > 0 {
			m.out[s] = int32(s)
		}
	}
}

// find appends to hits every occurrence of every phrase in text, ordered by where they end.
func (m *phraseMatcher) find(text string, hits []phraseHit) []phraseHit {
	n := m.classes
	s := 0
	for i := 0; i < len(text); i++ {
		s = int(m.next[s*n+int(m.class[text[i]])])
		for o := m.out[s]; o >= 0; o = m.link[o] {
			for _, id := range m.ends[m.endsAt[o]:m.endsAt[o+1]] {
				hits = append(hits, phraseHit{phrase: int(id), start: i + 1 - m.length[id], end: i + 1})
			}
		}
	}
	return hits
}
