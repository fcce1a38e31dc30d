package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseUSCC(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    USCC
		wantErr string
	}{
		{name: "example from the standard", in: "91350100M000100Y43", want: "91350100M000100Y43"},
		{name: "lower case", in: "91350100m000100y43", want: "91350100M000100Y43"},
		{name: "wrong check character", in: "91350100M000100Y44", wantErr: "校验位应为3，实为4"},
		{name: "wrong length", in: "91110105MA01ABC", wantErr: "应为18位，实为15位"},
		{name: "forbidden letter", in: "91110105MA01ABCDIX", wantErr: "第17位“I”"},
		{name: "empty", in: "", wantErr: "实为0位"},
		{name: "full-width characters", in: "９１110105MA01ABCD0X", wantErr: "第1位"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUSCC(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseUSCC_LowerCaseIsUpperCased(t *testing.T) {
	c, err := CheckChar("91110105MA01ABCD0")
	require.NoError(t, err)
	code := "91110105MA01ABCD0" + string(c)

	got, err := ParseUSCC(" 91110105ma01abcd0" + string(c) + " ")
	require.NoError(t, err)
	assert.Equal(t, USCC(code), got)
}

func TestParseUSCC_WrongCheckCharacter(t *testing.T) {
	c, err := CheckChar("91110105MA01ABCD0")
	require.NoError(t, err)
	wrong := byte('0')
	if c == '0' {
		wrong = '1'
	}
	_, err = ParseUSCC("91110105MA01ABCD0" + string(wrong))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "校验位应为"+string(c))
}
