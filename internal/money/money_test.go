package money

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{
		0: "0.00", 5: "0.05", 100: "1.00", 123456: "1,234.56", 12345600: "123,456.00",
		-150: "-1.50", 100000000000: "1,000,000,000.00", 99_999: "999.99", 100_000: "1,000.00",
		-123_456_789: "-1,234,567.89", math.MaxInt64: "92,233,720,368,547,758.07",
		math.MinInt64: "-92,233,720,368,547,758.08",
	} {
		assert.Equal(t, want, Yuan(fen), "fen %d", fen)
	}
}

func TestParseYuan(t *testing.T) {
	good := map[string]int64{"1234.56": 123456, "1,234.5": 123450, "12,345,678": 1234567800, "80": 8000, " 0.07 ": 7, "0": 0}
	for in, want := range good {
		got, err := ParseYuan(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "12.345", "abc", "-5", "1e3", "12.", ".5", "１２", "9999999999999999", "1,23", "12,34.5", ",123", "1,234,56"} {
		_, err := ParseYuan(in)
		assert.ErrorIs(t, err, ErrAmount, in)
	}
}
