package chart

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wellFormed parses the SVG as XML and returns its rect elements' heights.
func wellFormed(t *testing.T, svg string) (heights []string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err != nil {
			require.ErrorContains(t, err, "EOF")
			return heights
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			for _, a := range se.Attr {
				if a.Name.Local == "height" {
					heights = append(heights, a.Value)
				}
			}
		}
	}
}

func TestBars(t *testing.T) {
	svg := string(Bars("每日投诉 <近180天>", []Point{{"12-01", 0}, {"12-02", 4}, {"12-03", 2}}, 1))
	heights := wellFormed(t, svg)
	require.Len(t, heights, 3)
	assert.Equal(t, "0.00", heights[0])
	assert.Equal(t, "164.00", heights[1], "the peak fills the plot")
	assert.Equal(t, "82.00", heights[2])
	assert.Contains(t, svg, "每日投诉 &lt;近180天&gt;", "the title is escaped")
	assert.Contains(t, svg, "<title>12-02：4</title>")
}

func TestBars_Empty(t *testing.T) {
	assert.Empty(t, wellFormed(t, string(Bars("空", nil, 7))))
}

func TestHBars(t *testing.T) {
	svg := string(HBars("风险因素", []HBar{{"投诉量", 30, "30 分"}, {"<script>", 60, "60"}}, 60))
	heights := wellFormed(t, svg)
	assert.Len(t, heights, 2)
	assert.NotContains(t, svg, "<script>")
	assert.Contains(t, svg, `width="190.00"`, "half of the bar space")
}
