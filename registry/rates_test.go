package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// rateCase is a work order of the hand-built set, with the hotline's own status and
// satisfaction texts.
type rateCase struct {
	ticket, at, reported, district, street, status, satisfaction string
}

// rateCases is a set whose every rate is known. Months are months in Asia/Shanghai:
// 2025-12-31T16:30Z is already January, 2026-11-30T17:00Z already December.
var rateCases = []rateCase{
	{"R1", "2025-12-10T02:00:00Z", "北京悦动健身有限公司", "110105", "望京街道", "已办结", "满意"},
	{"R2", "2025-12-31T15:30:00Z", "北京青禾教育科技有限公司", "110105", "望京街道", "未解决", "不满意"},
	{"R3", "2025-12-31T16:30:00Z", "无名小店", "110105", "酒仙桥街道", "办理中", ""},
	{"R4", "2026-01-05T03:00:00Z", "北京悦动健身有限公司", "110108", "中关村街道", "已回复", "基本满意"},
	{"R5", "2026-11-30T15:59:00Z", "北京悦动健身有限公司", "110105", "望京街道", "已解决", "一般"},
	{"R6", "2026-11-30T17:00:00Z", "北京青禾教育科技有限公司", "110105", "", "办理中", "未回访"},
	{"R7", "2026-12-02T01:00:00Z", "另一家无名店", "", "", "待受理", "说不清"},
}

// newRatesEnv files the hand-built set and returns the service.
func newRatesEnv(t *testing.T) *registry.Service {
	t.Helper()
	svc, _, _ := newImportEnv(t)
	svc.SetClock(func() time.Time { return time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC) })
	rateEnterprise(t, svc, "MA01RATA0", "北京悦动健身有限公司", registry.IndustryFitness)
	rateEnterprise(t, svc, "MA01RATB0", "北京青禾教育科技有限公司", registry.IndustryEducation)
	for _, c := range rateCases {
		at, err := time.Parse(time.RFC3339, c.at)
		require.NoError(t, err)
		_, err = svc.CreateComplaint(context.Background(), audit.System, registry.ComplaintInput{
			Ticket: c.ticket, ReceivedAt: at, ComplainantName: "王芳", ComplainantPhone: "13900001111",
			ReportedName: c.reported, District: c.district, Street: c.street,
			Text: "来电人反映办理会员卡后商家拒绝退费。", HandlingStatus: c.status, Satisfaction: c.satisfaction,
		})
		require.NoError(t, err, c.ticket)
	}
	return svc
}

func rateEnterprise(t *testing.T, svc *registry.Service, org, name string, ind registry.Industry) {
	t.Helper()
	c, err := registry.CheckChar("91110105" + org)
	require.NoError(t, err)
	_, err = svc.CreateEnterprise(context.Background(), audit.System, registry.EnterpriseInput{
		USCC: "91110105" + org + string(c), Name: name, LegalRepresentative: "李四",
		RegisteredAddress: "北京市朝阳区望京街道1号", District: "110105", Street: "望京街道", Industry: ind,
	})
	require.NoError(t, err)
}

// rateFigures writes a group's count and three rates as one line, for exact comparison.
func rateFigures(g registry.RateGroup) string {
	r := func(x registry.Ratio) string { return fmt.Sprintf("%d/%d=%s", x.Numerator, x.Denominator, x.Percent()) }
	return fmt.Sprintf("%s %s n=%d resp %s res %s sat %s", g.Key, g.Label, g.Complaints,
		r(g.Response), r(g.Resolution), r(g.Satisfaction))
}

func groupFigures(gs []registry.RateGroup) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = rateFigures(g)
	}
	return out
}

func TestService_ComplaintRates(t *testing.T) {
	svc := newRatesEnv(t)
	rates, err := svc.ComplaintRates(context.Background(), registry.RatesQuery{})
	require.NoError(t, err)

	t.Run("total", func(t *testing.T) {
		assert.Equal(t, " 合计 n=7 resp 4/7=57.1% res 2/3=66.7% sat 3/4=75.0%", rateFigures(rates.Total))
	})
	t.Run("by month in Shanghai, across the year, gaps filled", func(t *testing.T) {
		m := rates.ByMonth
		require.Len(t, m, 13)
		assert.Equal(t, []string{
			"2025-12 2025年12月 n=2 resp 2/2=100.0% res 1/2=50.0% sat 1/2=50.0%",
			"2026-01 2026年1月 n=2 resp 1/2=50.0% res 0/0=— sat 1/1=100.0%",
			"2026-02 2026年2月 n=0 resp 0/0=— res 0/0=— sat 0/0=—",
			"2026-11 2026年11月 n=1 resp 1/1=100.0% res 1/1=100.0% sat 1/1=100.0%",
			"2026-12 2026年12月 n=2 resp 0/2=0.0% res 0/0=— sat 0/0=—",
		}, groupFigures([]registry.RateGroup{m[0], m[1], m[2], m[11], m[12]}))
	})
	t.Run("by district and street", func(t *testing.T) {
		assert.Equal(t, []string{
			"110105 朝阳区 n=5 resp 3/5=60.0% res 2/3=66.7% sat 2/3=66.7%",
			"110108 海淀区 n=1 resp 1/1=100.0% res 0/0=— sat 1/1=100.0%",
			" 未填写区 n=1 resp 0/1=0.0% res 0/0=— sat 0/0=—",
		}, groupFigures(rates.ByDistrict))
		assert.Equal(t, []string{
			"酒仙桥街道 酒仙桥街道 n=1 resp 0/1=0.0% res 0/0=— sat 0/0=—",
			"望京街道 望京街道 n=3 resp 3/3=100.0% res 2/3=66.7% sat 2/3=66.7%",
			" 未填写街乡 n=1 resp 0/1=0.0% res 0/0=— sat 0/0=—",
		}, groupFigures(rates.ByDistrict[0].Streets), "streets in the area table's order, the empty one last")
		assert.Equal(t, []string{"中关村街道 中关村街道 n=1 resp 1/1=100.0% res 0/0=— sat 1/1=100.0%"},
			groupFigures(rates.ByDistrict[1].Streets))
	})
	t.Run("by industry, unlinked last", func(t *testing.T) {
		assert.Equal(t, []string{
			"fitness 健身 n=3 resp 3/3=100.0% res 2/2=100.0% sat 3/3=100.0%",
			"education 教育培训 n=2 resp 1/2=50.0% res 0/1=0.0% sat 0/1=0.0%",
			"unlinked 未关联 n=2 resp 0/2=0.0% res 0/0=— sat 0/0=—",
		}, groupFigures(rates.ByIndustry))
	})
	t.Run("definitions", func(t *testing.T) {
		require.Len(t, rates.Definitions, 3)
		assert.Equal(t, []string{"响应率", "解决率", "满意率"},
			[]string{rates.Definitions[0].Chinese, rates.Definitions[1].Chinese, rates.Definitions[2].Chinese})
	})
}

func TestService_ComplaintRatesFilters(t *testing.T) {
	svc := newRatesEnv(t)
	ctx := context.Background()
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, time.FixedZone("CST", 8*3600))
		require.NoError(t, err)
		return d.UTC()
	}

	t.Run("November in Shanghai leaves out 17:00 UTC on its last day", func(t *testing.T) {
		rates, err := svc.ComplaintRates(ctx, registry.RatesQuery{From: day("2026-11-01"), To: day("2026-12-01")})
		require.NoError(t, err)
		assert.Equal(t, " 合计 n=1 resp 1/1=100.0% res 1/1=100.0% sat 1/1=100.0%", rateFigures(rates.Total))
		assert.Equal(t, []string{"2026-11 2026年11月 n=1 resp 1/1=100.0% res 1/1=100.0% sat 1/1=100.0%"},
			groupFigures(rates.ByMonth))
	})
	t.Run("district", func(t *testing.T) {
		rates, err := svc.ComplaintRates(ctx, registry.RatesQuery{District: "110105"})
		require.NoError(t, err)
		assert.Equal(t, " 合计 n=5 resp 3/5=60.0% res 2/3=66.7% sat 2/3=66.7%", rateFigures(rates.Total))
		require.Len(t, rates.ByDistrict, 1)
	})
	t.Run("nothing selected", func(t *testing.T) {
		rates, err := svc.ComplaintRates(ctx, registry.RatesQuery{From: day("2030-01-01")})
		require.NoError(t, err)
		assert.Equal(t, " 合计 n=0 resp 0/0=— res 0/0=— sat 0/0=—", rateFigures(rates.Total))
		assert.Empty(t, rates.ByMonth)
		assert.Empty(t, rates.ByDistrict)
		assert.Empty(t, rates.ByIndustry)
	})
	t.Run("unknown district and reversed dates are refused", func(t *testing.T) {
		_, err := svc.ComplaintRates(ctx, registry.RatesQuery{District: "999999", From: day("2026-12-01"),
			To: day("2026-11-01")})
		require.True(t, errs.Is(err, errs.Invalid), "got %v", err)
		assert.Len(t, errs.FieldsOf(err), 2)
	})
}

func TestRatio_Rounding(t *testing.T) {
	for _, tc := range []struct {
		num, den int64
		perMille int64
		percent  string
	}{
		{7, 8, 875, "87.5%"},
		{2, 3, 667, "66.7%"},
		{1, 3, 333, "33.3%"},
		{1, 2000, 1, "0.1%"},
		{1, 2001, 0, "0.0%"},
		{5, 5, 1000, "100.0%"},
		{0, 4, 0, "0.0%"},
	} {
		r := registry.Ratio{Numerator: tc.num, Denominator: tc.den}
		pm, ok := r.PerMille()
		assert.True(t, ok)
		assert.Equal(t, tc.perMille, pm, "%d/%d", tc.num, tc.den)
		assert.Equal(t, tc.percent, r.Percent(), "%d/%d", tc.num, tc.den)
	}

	empty := registry.Ratio{}
	_, ok := empty.PerMille()
	assert.False(t, ok)
	assert.Equal(t, "—", empty.Percent())
	raw, err := json.Marshal(empty)
	require.NoError(t, err)
	assert.JSONEq(t, `{"numerator":0,"denominator":0,"per_mille":null,"rate":null}`, string(raw))
	raw, err = json.Marshal(registry.Ratio{Numerator: 7, Denominator: 8})
	require.NoError(t, err)
	assert.JSONEq(t, `{"numerator":7,"denominator":8,"per_mille":875,"rate":"87.5%"}`, string(raw))
}

func TestService_Satisfactions(t *testing.T) {
	svc, _, _ := newImportEnv(t)
	level, err := svc.Satisfactions(context.Background())
	require.NoError(t, err)
	for raw, want := range map[string]registry.SatisfactionLevel{
		"满意": registry.SatisfactionSatisfied, "非常满意": registry.SatisfactionSatisfied,
		"一般": registry.SatisfactionBasically, " 基本满意 ": registry.SatisfactionBasically,
		"不满意": registry.SatisfactionDissatisfied, "未回访": registry.SatisfactionUnknown,
		"说不清": registry.SatisfactionUnknown, "": "",
	} {
		assert.Equal(t, want, level(raw), raw)
	}
}
