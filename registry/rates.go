package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"prepaidreg/internal/errs"
)

// The hotline judges its handling of complaints by three rates. Each is an exact fraction of
// whole complaints, kept as numerator and denominator and shown to one decimal of a percent:
//
//   - 响应率 (response rate) = complaints whose handling is responded, resolved or unresolved
//     ÷ all complaints of the group. A complaint counts as responded once the bureau or the
//     enterprise has answered it.
//   - 解决率 (resolution rate) = resolved ÷ concluded (resolved + unresolved).
//   - 满意率 (satisfaction rate) = (satisfied + basically satisfied) ÷ complaints with a
//     satisfaction answer (satisfied, basically satisfied, dissatisfied); no answer, "unknown"
//     and values the column mapping does not know are left out.

// RateDefinition states how one rate is counted, in Chinese and in English.
type RateDefinition struct {
	Name      string `json:"name"`
	Chinese   string `json:"chinese"`
	English   string `json:"english"`
	Formula   string `json:"formula"`
	FormulaEN string `json:"formula_en"`
}

// RateDefinitions are the three rates in the order they are shown.
var RateDefinitions = []RateDefinition{
	{
		Name:    "response",
		Chinese: "响应率",
		English: "response rate",
		Formula: "（已响应＋已解决＋未解决）÷ 该组全部投诉；企业或监管部门作出答复即计为已响应",
		FormulaEN: "(responded + resolved + unresolved) ÷ all complaints of the group; " +
			"a complaint counts as responded once the enterprise or the bureau has answered",
	},
	{
		Name:      "resolution",
		Chinese:   "解决率",
		English:   "resolution rate",
		Formula:   "已解决 ÷ 已办结（已解决＋未解决）",
		FormulaEN: "resolved ÷ concluded (resolved + unresolved)",
	},
	{
		Name:    "satisfaction",
		Chinese: "满意率",
		English: "satisfaction rate",
		Formula: "（满意＋基本满意）÷ 有满意度评价的投诉（满意、基本满意、不满意）；未回访、未评价不计入",
		FormulaEN: "(satisfied + basically satisfied) ÷ complaints with a satisfaction answer " +
			"(satisfied, basically satisfied, dissatisfied); no answer is left out",
	},
}

// SatisfactionLevel is a complainant's satisfaction, normalised from the hotline's 满意度.
type SatisfactionLevel string

// The satisfaction levels; the column mapping says which export values stand for which.
const (
	SatisfactionSatisfied    SatisfactionLevel = "satisfied"
	SatisfactionBasically    SatisfactionLevel = "basically_satisfied"
	SatisfactionDissatisfied SatisfactionLevel = "dissatisfied"
	SatisfactionUnknown      SatisfactionLevel = "unknown"
)

var satisfactionLabels = map[SatisfactionLevel]string{
	SatisfactionSatisfied:    "满意",
	SatisfactionBasically:    "基本满意",
	SatisfactionDissatisfied: "不满意",
	SatisfactionUnknown:      "未评价",
}

// Label returns the level's Chinese name.
func (l SatisfactionLevel) Label() string { return satisfactionLabels[l] }

// Answered reports whether the complainant gave an answer that the satisfaction rate counts.
func (l SatisfactionLevel) Answered() bool {
	return l == SatisfactionSatisfied || l == SatisfactionBasically || l == SatisfactionDissatisfied
}

// Content reports whether the answer counts as satisfied (满意 or 基本满意).
func (l SatisfactionLevel) Content() bool {
	return l == SatisfactionSatisfied || l == SatisfactionBasically
}

// Satisfactions returns a function that reads the hotline's 满意度 texts with the column
// mapping in force, read once for a whole count or export: "" for an empty text, unknown for a
// text the mapping does not know. The function is for one goroutine.
func (s *Service) Satisfactions(ctx context.Context) (func(raw string) SatisfactionLevel, error) {
	set, err := s.ColumnMappingSetting(ctx)
	if err != nil {
		return nil, err
	}
	mapping := set.Mapping
	seen := map[string]SatisfactionLevel{}
	return func(raw string) SatisfactionLevel {
		level, ok := seen[raw]
		if !ok {
			level = satisfactionLevel(mapping, raw)
			seen[raw] = level
		}
		return level
	}, nil
}

func satisfactionLevel(m ColumnMapping, raw string) SatisfactionLevel {
	if raw == "" {
		return ""
	}
	level := SatisfactionLevel(m.SatisfactionLevel(raw))
	if level.Label() == "" {
		return SatisfactionUnknown
	}
	return level
}

// Ratio is a rate as an exact fraction of whole complaints.
type Ratio struct {
	Numerator   int64
	Denominator int64
}

// PerMille returns the rate in per-mille, rounded half up with integer arithmetic; false when
// the denominator is zero and there is no rate.
func (r Ratio) PerMille() (int64, bool) {
	if r.Denominator <= 0 {
		return 0, false
	}
	return (2000*r.Numerator + r.Denominator) / (2 * r.Denominator), true
}

// Percent returns the rate with one decimal, "87.5%", or "—" when there is no rate.
func (r Ratio) Percent() string {
	pm, ok := r.PerMille()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%d.%d%%", pm/10, pm%10)
}

// MarshalJSON writes the fraction with its rate; per_mille and rate are null without a
// denominator.
func (r Ratio) MarshalJSON() ([]byte, error) {
	out := struct {
		Numerator   int64   `json:"numerator"`
		Denominator int64   `json:"denominator"`
		PerMille    *int64  `json:"per_mille"`
		Rate        *string `json:"rate"`
	}{Numerator: r.Numerator, Denominator: r.Denominator}
	if pm, ok := r.PerMille(); ok {
		rate := r.Percent()
		out.PerMille, out.Rate = &pm, &rate
	}
	return json.Marshal(out)
}

// RateGroup is the three rates of one group of complaints.
type RateGroup struct {
	// Key names the group for programs: a month "2026-11", a district code, a street name,
	// an industry code, "unlinked"; "" for a group whose value was not filled in.
	Key string `json:"key"`
	// Label names the group for people, in Chinese.
	Label        string `json:"label"`
	Complaints   int64  `json:"complaints"`
	Response     Ratio  `json:"response"`
	Resolution   Ratio  `json:"resolution"`
	Satisfaction Ratio  `json:"satisfaction"`
	// Streets breaks a district's group down by street; other groups have none.
	Streets []RateGroup `json:"streets,omitempty"`
}

// Rates are the handling rates of the complaints a RatesQuery selects: in total, by month
// received (Asia/Shanghai), by district and street, and by the industry of the enterprise
// complained about.
type Rates struct {
	Definitions []RateDefinition `json:"definitions"`
	Total       RateGroup        `json:"total"`
	ByMonth     []RateGroup      `json:"by_month"`
	ByDistrict  []RateGroup      `json:"by_district"`
	ByIndustry  []RateGroup      `json:"by_industry"`
}

// RatesQuery selects the complaints rates are counted over, as ComplaintQuery does: From is
// inclusive, To exclusive, and District a district code.
type RatesQuery struct {
	District string
	From, To time.Time
}

// RateRow is what the rates need of one complaint.
type RateRow struct {
	ReceivedAt   time.Time `bson:"received_at"`
	Handling     Handling  `bson:"handling"`
	Satisfaction string    `bson:"satisfaction"`
	District     string    `bson:"district"`
	Street       string    `bson:"street"`
	USCC         USCC      `bson:"uscc"`
}

// RatesStore is what counting rates needs of storage.
type RatesStore interface {
	// EachRateRow calls fn for every complaint q selects, in one pass, reading only the
	// fields of RateRow. An error from fn stops the pass and is returned.
	EachRateRow(ctx context.Context, q RatesQuery, fn func(RateRow) error) error
	// EnterpriseIndustries returns every enterprise's industry, read in one query.
	EnterpriseIndustries(ctx context.Context) (map[USCC]Industry, error)
}

var _ RatesStore = (*MongoStore)(nil)

// Group keys and labels that are not a value of the complaint.
const (
	RateUnlinked      = "unlinked"
	rateUnlinkedLabel = "未关联"
	rateNoIndustry    = "行业不详"
	rateNoDistrict    = "未填写区"
	rateNoStreet      = "未填写街乡"
	rateTotalLabel    = "合计"
)

// ComplaintRates counts the response, resolution and satisfaction rates of the complaints q
// selects, reading the complaints once and the enterprises' industries once. Satisfaction is
// read from each complaint's 满意度 text with the column mapping in force, the handling state
// from the state the mapping gave it at intake.
func (s *Service) ComplaintRates(ctx context.Context, q RatesQuery) (*Rates, error) {
	const op = "registry.ComplaintRates"
	if fe := s.checkRatesQuery(q); len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	rs, ok := s.store.(RatesStore)
	if !ok {
		return nil, errs.E(errs.Internal, op, "the store cannot count rates")
	}

	levels, err := s.Satisfactions(ctx)
	if err != nil {
		return nil, err
	}
	industries, err := rs.EnterpriseIndustries(ctx)
	if err != nil {
		return nil, err
	}
	t := newRateTallies(levels, industries)
	if err := rs.EachRateRow(ctx, q, t.add); err != nil {
		return nil, err
	}
	return t.rates(s.areas), nil
}

func (s *Service) checkRatesQuery(q RatesQuery) []errs.FieldError {
	var fe []errs.FieldError
	if q.District != "" && s.areas.DistrictName(q.District) == "" {
		fe = append(fe, errs.FieldError{Field: "district", Message: "未知的区代码 (unknown district code)"})
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		fe = append(fe, errs.FieldError{Field: "to", Message: "截止日期不能早于起始日期 (to is before from)"})
	}
	return fe
}

// rateTally counts one group's complaints by what the rates need.
type rateTally struct {
	complaints, responded, resolved, concluded, content, answered int64
}

func (t *rateTally) add(h Handling, level SatisfactionLevel) {
	t.complaints++
	if h == HandlingResponded || h.Concluded() {
		t.responded++
	}
	if h.Concluded() {
		t.concluded++
	}
	if h == HandlingResolved {
		t.resolved++
	}
	if level.Answered() {
		t.answered++
	}
	if level.Content() {
		t.content++
	}
}

func (t *rateTally) group(key, label string) RateGroup {
	if t == nil {
		t = &rateTally{}
	}
	return RateGroup{
		Key: key, Label: label, Complaints: t.complaints,
		Response:     Ratio{Numerator: t.responded, Denominator: t.complaints},
		Resolution:   Ratio{Numerator: t.resolved, Denominator: t.concluded},
		Satisfaction: Ratio{Numerator: t.content, Denominator: t.answered},
	}
}

// rateTallies counts every group in one pass over the complaints.
type rateTallies struct {
	level      func(raw string) SatisfactionLevel
	industries map[USCC]Industry
	total      rateTally
	months     map[string]*rateTally
	districts  map[string]*rateTally
	streets    map[string]map[string]*rateTally
	byIndustry map[string]*rateTally
}

func newRateTallies(level func(string) SatisfactionLevel, industries map[USCC]Industry) *rateTallies {
	return &rateTallies{
		level: level, industries: industries,
		months: map[string]*rateTally{}, districts: map[string]*rateTally{},
		streets: map[string]map[string]*rateTally{}, byIndustry: map[string]*rateTally{},
	}
}

// add counts one complaint in the total and in its month, district, street and industry.
func (t *rateTallies) add(r RateRow) error {
	level := t.level(r.Satisfaction)
	if t.streets[r.District] == nil {
		t.streets[r.District] = map[string]*rateTally{}
	}
	for _, g := range []*rateTally{
		&t.total,
		tallyOf(t.months, r.ReceivedAt.In(shanghai).Format("2006-01")),
		tallyOf(t.districts, r.District),
		tallyOf(t.streets[r.District], r.Street),
		tallyOf(t.byIndustry, t.industryKey(r.USCC)),
	} {
		g.add(r.Handling, level)
	}
	return nil
}

// industryKey is the industry group of a complaint: its enterprise's industry, "unlinked"
// while it waits in the unlinked queue.
func (t *rateTallies) industryKey(u USCC) string {
	if u == "" {
		return RateUnlinked
	}
	return string(t.industries[u])
}

// rateKeys returns the keys of m in order.
func rateKeys(m map[string]*rateTally) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func tallyOf(m map[string]*rateTally, key string) *rateTally {
	t, ok := m[key]
	if !ok {
		t = &rateTally{}
		m[key] = t
	}
	return t
}

// rates turns the tallies into groups in the order they are shown.
func (t *rateTallies) rates(areas *Areas) *Rates {
	return &Rates{
		Definitions: RateDefinitions,
		Total:       t.total.group("", rateTotalLabel),
		ByMonth:     t.monthGroups(),
		ByDistrict:  t.districtGroups(areas),
		ByIndustry:  t.industryGroups(),
	}
}

// monthGroups lists every month from the first to the last with complaints, the months
// between them with none included, so that a chart of them has no gaps.
func (t *rateTallies) monthGroups() []RateGroup {
	keys := rateKeys(t.months)
	out := []RateGroup{}
	if len(keys) == 0 {
		return out
	}
	first, _ := time.ParseInLocation("2006-01", keys[0], shanghai)
	last, _ := time.ParseInLocation("2006-01", keys[len(keys)-1], shanghai)
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		key := m.Format("2006-01")
		out = append(out, t.months[key].group(key, m.Format("2006年1月")))
	}
	return out
}

// districtGroups lists districts by code, each with its streets in the area table's order;
// complaints without a district or street come last.
func (t *rateTallies) districtGroups(areas *Areas) []RateGroup {
	out := []RateGroup{}
	for _, code := range keysLast(rateKeys(t.districts), "") {
		label := areas.DistrictName(code)
		switch {
		case code == "":
			label = rateNoDistrict
		case label == "":
			label = code
		}
		g := t.districts[code].group(code, label)
		for _, street := range streetOrder(t.streets[code], areas.Streets[code]) {
			name := street
			if name == "" {
				name = rateNoStreet
			}
			g.Streets = append(g.Streets, t.streets[code][street].group(street, name))
		}
		out = append(out, g)
	}
	return out
}

// streetOrder returns the streets counted, those the area table lists in its order first,
// then the others by name, then the empty street.
func streetOrder(counted map[string]*rateTally, listed []string) []string {
	var out []string
	for _, s := range listed {
		if _, ok := counted[s]; ok {
			out = append(out, s)
		}
	}
	for _, s := range keysLast(rateKeys(counted), "") {
		if !slices.Contains(listed, s) {
			out = append(out, s)
		}
	}
	return out
}

// keysLast moves key, if present, to the end of keys.
func keysLast(keys []string, key string) []string {
	if i := slices.Index(keys, key); i >= 0 {
		keys = append(slices.Delete(keys, i, i+1), key)
	}
	return keys
}

// industryGroups lists the industries in display order, then complaints linked to an
// enterprise of no known industry, then the unlinked ones.
func (t *rateTallies) industryGroups() []RateGroup {
	out := []RateGroup{}
	for _, ind := range Industries {
		if g, ok := t.byIndustry[string(ind)]; ok {
			out = append(out, g.group(string(ind), ind.Label()))
		}
	}
	for _, key := range keysLast(rateKeys(t.byIndustry), RateUnlinked) {
		if Industry(key).Valid() {
			continue
		}
		label := rateNoIndustry
		if key == RateUnlinked {
			label = rateUnlinkedLabel
		}
		out = append(out, t.byIndustry[key].group(key, label))
	}
	return out
}
