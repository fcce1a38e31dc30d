package registry

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed data/beijing-areas.json
var beijingAreasJSON []byte

// Areas is the table of districts (by GB/T 2260 code) and their streets and area offices
// (街道、地区) that enterprises are filed under.
type Areas struct {
	Districts map[string]string   `json:"districts"`
	Streets   map[string][]string `json:"streets"`
}

// BeijingAreas returns the table shipped with the program: Beijing's 16 districts and
// Chaoyang's streets and area offices.
func BeijingAreas() *Areas {
	var a Areas
	if err := json.Unmarshal(beijingAreasJSON, &a); err != nil {
		panic(fmt.Sprintf("registry: shipped area table is corrupt: %v", err))
	}
	return &a
}

// DistrictName returns the district's name, or "" when the code is unknown.
func (a *Areas) DistrictName(code string) string { return a.Districts[code] }

// CheckStreet reports whether street may be filed under district. Districts whose streets the
// table does not list accept any street name.
func (a *Areas) CheckStreet(district, street string) bool {
	streets, listed := a.Streets[district]
	return !listed || slices.Contains(streets, street)
}

// DistrictCodes returns the district codes in ascending order.
func (a *Areas) DistrictCodes() []string {
	codes := make([]string, 0, len(a.Districts))
	for c := range a.Districts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
