package registry

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// NameKey normalises an enterprise name for linking: full-width characters folded to
// half-width, letters lower-cased, and spaces, brackets and the dots of 〔·〕 dropped, so that
// "北京悦动（朝阳）健身 有限公司" and "北京悦动(朝阳)健身有限公司" match.
func NameKey(name string) string {
	folded := width.Fold.String(name)
	var b strings.Builder
	for _, r := range folded {
		switch {
		case unicode.IsSpace(r), strings.ContainsRune("()[]{}<>【】〔〕《》「」『』·.,，、", r):
			continue
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// nameKeys returns the keys an enterprise is linked by: its name's and each alias's.
func (e *Enterprise) nameKeys() []string {
	keys := []string{NameKey(e.Name)}
	for _, a := range e.Aliases {
		if k := NameKey(a); k != "" && k != keys[0] {
			keys = append(keys, k)
		}
	}
	return keys
}
