package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMask(t *testing.T) {
	names := map[string]string{"张伟": "张*", "欧阳娜娜": "欧***", "李": "李*", "": "", " 王五 ": "王*"}
	for in, want := range names {
		assert.Equal(t, want, MaskName(in), in)
	}
	phones := map[string]string{"13812341234": "138****1234", "010-84761234": "010****1234",
		"+86 138 1234 1234": "861******1234", "84761234": "******34", "12": "**", "": ""}
	for in, want := range phones {
		assert.Equal(t, want, MaskPhone(in), in)
	}
}
