package registry

import (
	"fmt"
	"strings"
)

// USCC is a unified social credit code (统一社会信用代码, GB 32100-2015) that has passed its
// check. Construct one with ParseUSCC.
type USCC string

// usccAlphabet lists the 31 characters a USCC may use, in the order that gives their values.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ParseUSCC checks s as a USCC and returns it upper-cased. The error says what is wrong in
// words a clerk can act on.
func ParseUSCC(s string) (USCC, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if n := len([]rune(s)); n != 18 {
		return "", fmt.Errorf("统一社会信用代码应为18位，实为%d位 (a USCC has 18 characters, got %d)", n, n)
	}
	sum := 0
	for i, r := range s {
		v := strings.IndexRune(usccAlphabet, r)
		if v < 0 {
			return "", fmt.Errorf("第%d位“%c”不是统一社会信用代码允许的字符（不用 I、O、S、V、Z） "+
				"(character %d, %q, is not allowed in a USCC)", i+1, r, i+1, r)
		}
		if i < 17 {
			sum += v * usccWeights[i]
		}
	}
	want := usccAlphabet[(31-sum%31)%31]
	if s[17] != want {
		return "", fmt.Errorf("校验位应为%c，实为%c，请核对代码 (check character should be %c, not %c)",
			want, s[17], want, s[17])
	}
	return USCC(s), nil
}

// CheckChar returns the check character for the first 17 characters of a USCC. Demo data and
// tests use it to make valid codes.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccAlphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("character %d, %q, is not allowed in a USCC", i+1, first17[i])
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// String returns the code.
func (u USCC) String() string { return string(u) }

// AreaCode returns positions 3–8, the GB/T 2260 code of the registering area.
func (u USCC) AreaCode() string { return string(u[2:8]) }

// ParseUSCCPrefix checks the start of a USCC typed into a search box and returns it
// upper-cased; it reports false if it cannot begin a valid code.
func ParseUSCCPrefix(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" || len(s) > 18 {
		return "", false
	}
	for _, r := range s {
		if !strings.ContainsRune(usccAlphabet, r) {
			return "", false
		}
	}
	return s, true
}
