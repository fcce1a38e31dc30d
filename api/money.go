package api

import "fmt"

// formatYuan shows an amount in fen as yuan with two decimals and thousands separators.
func formatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	yuan, cents := fen/100, fen%100
	digits := fmt.Sprint(yuan)
	var out []byte
	for i := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, digits[i])
	}
	return fmt.Sprintf("%s%s.%02d", sign, out, cents)
}
