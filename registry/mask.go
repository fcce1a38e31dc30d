package registry

import "strings"

// MaskName keeps a person's first character and hides the rest: 张伟 → 张*, 欧阳娜娜 → 欧***.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", max(len(r)-1, 1))
}

// MaskPhone keeps the first three and last four digits of a phone number and hides the rest:
// 13812341234 → 138****1234. Short numbers keep only their last two digits.
func MaskPhone(phone string) string {
	var digits []rune
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		}
	}
	switch n := len(digits); {
	case n == 0:
		return ""
	case n >= 11:
		return string(digits[:3]) + strings.Repeat("*", n-7) + string(digits[n-4:])
	case n > 2:
		return strings.Repeat("*", n-2) + string(digits[n-2:])
	default:
		return strings.Repeat("*", n)
	}
}
