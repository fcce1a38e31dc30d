// Package money formats and parses amounts of money, which the registry keeps as integer fen
// (分) and never as floating point.
package money

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Yuan shows an amount in fen as yuan with two decimals and thousands separators, e.g.
// 123456 as "1,234.56".
func Yuan(fen int64) string {
	sign := ""
	abs := uint64(fen)
	if fen < 0 {
		sign, abs = "-", -abs // two's complement: the magnitude, even for the most negative fen
	}
	digits := strconv.FormatUint(abs/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	fmt.Fprintf(&b, ".%02d", abs%100)
	return b.String()
}

// ErrAmount is returned for text that is not an amount in yuan.
var ErrAmount = errors.New("金额应为不带符号的元数，最多两位小数，如 1234.56 (an amount in yuan with at most two decimals)")

// thousands matches digits grouped by commas every three places: 1,234,567.
var thousands = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+$`)

// ParseYuan reads a non-negative amount in yuan ("1234.56", "1,234.5", "80") as fen, digit by
// digit, so that no rounding ever happens.
func ParseYuan(s string) (int64, error) {
	whole, frac, hasFrac := strings.Cut(strings.TrimSpace(s), ".")
	if strings.Contains(whole, ",") {
		if !thousands.MatchString(whole) {
			return 0, ErrAmount
		}
		whole = strings.ReplaceAll(whole, ",", "")
	}
	if whole == "" || len(whole) > 15 || len(frac) > 2 || (hasFrac && frac == "") {
		return 0, ErrAmount
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, ErrAmount
		}
	}
	yuan, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrAmount
	}
	for len(frac) < 2 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	return yuan*100 + cents, nil
}
