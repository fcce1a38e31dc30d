package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// series puts n complaints on each of the days back from now.
func series(now time.Time, perDay map[int]int64) map[string]int64 {
	daily := map[string]int64{}
	for back, n := range perDay {
		daily[startOfDay(now).AddDate(0, 0, -back).Format(time.DateOnly)] = n
	}
	return daily
}

func TestRiskModel_Assess(t *testing.T) {
	m := DefaultRiskModel()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	total := 0.0
	for _, w := range m.Weights {
		total += w
	}
	require.GreaterOrEqual(t, total, 100.0, "every score up to 100 can be reached")

	t.Run("a quiet enterprise is low", func(t *testing.T) {
		score, factors := m.assess(riskInputs{counters: emptyCounters(), status: StatusOperating, now: now})
		assert.Equal(t, 0, score)
		assert.Equal(t, RiskLow, m.Level(score))
		assert.Len(t, factors, len(factorOrder))
		for _, f := range factors {
			assert.NotEmpty(t, f.Explanation, f.Name)
			assert.NotEmpty(t, f.Label, f.Name)
		}
	})

	t.Run("a burst of refund complaints at a closed shop is critical", func(t *testing.T) {
		c := emptyCounters()
		c.Daily = series(now, map[int]int64{0: 4, 1: 5, 2: 3, 3: 2, 40: 1})
		c.Total, c.ByCategory = 15, map[string]int64{"refund_refused": 9, "closed_unreachable": 5, "other": 1}
		score, factors := m.assess(riskInputs{counters: c, stores: 1, status: StatusUnreachable, now: now})
		assert.Equal(t, RiskCritical, m.Level(score), "score %d: %+v", score, factors)

		byName := map[string]Factor{}
		sum := 0.0
		for _, f := range factors {
			byName[f.Name] = f
			sum += f.Contribution
			assert.LessOrEqual(t, f.Contribution, f.Weight, f.Name)
		}
		assert.Equal(t, min(int(sum+0.5), 100), score, "the score is the sum of the contributions, at most 100")
		assert.EqualValues(t, 14, byName[FactorComplaints30d].Value)
		assert.Equal(t, 20.0, byName[FactorComplaints30d].Contribution, "10 or more in 30 days earns the full weight")
		assert.Equal(t, 20.0, byName[FactorStatus].Contribution)
		assert.Contains(t, byName[FactorSevereShare].Explanation, "退费难、停业跑路14件")
	})

	t.Run("level bounds come from the model", func(t *testing.T) {
		for score, want := range map[int]RiskLevel{0: RiskLow, 39: RiskLow, 40: RiskMedium, 59: RiskMedium,
			60: RiskHigh, 79: RiskHigh, 80: RiskCritical, 100: RiskCritical} {
			assert.Equal(t, want, m.Level(score), "score %d", score)
		}
	})

	t.Run("other modules' signals count", func(t *testing.T) {
		sig := RiskSignals{InterviewNoShows: 2, Penalties: 2, FailedMediations: 3, HeldFen: 0, RequiredFen: 100000}
		score, _ := m.assess(riskInputs{counters: emptyCounters(), status: StatusOperating, signals: sig, now: now})
		assert.Equal(t, 24, score, "interviews 6 + enforcement 6 + mediation 4 + fund coverage 8")
	})
}

func TestRiskModel_Check(t *testing.T) {
	m := DefaultRiskModel()
	assert.Empty(t, m.check())
	m.Weights["casino"] = 5
	m.Weights[FactorGrowth] = -1
	delete(m.Weights, FactorSpike)
	m.High = 30
	fields := map[string]bool{}
	for _, f := range m.check() {
		fields[f.Field] = true
	}
	assert.Equal(t, map[string]bool{"weights.casino": true, "weights." + FactorGrowth: true,
		"weights." + FactorSpike: true, "medium": true}, fields)
}

func TestRiskModel_FundAlertsWeighWithTheShortfall(t *testing.T) {
	m := DefaultRiskModel()
	fund := func(sig RiskSignals) Factor {
		t.Helper()
		f := fundFactor(m, sig)
		return f
	}
	covered := fund(RiskSignals{HeldFen: 100, RequiredFen: 100})
	if covered.Contribution != 0 {
		t.Fatalf("fully covered, no alerts: contribution %v, want 0", covered.Contribution)
	}
	one := fund(RiskSignals{HeldFen: 100, RequiredFen: 100, FundAlerts: 1})
	if want := m.Weights[FactorFundCoverage] / 2; one.Contribution != want {
		t.Errorf("one open alert: contribution %v, want %v", one.Contribution, want)
	}
	if !strings.Contains(one.Explanation, "资金预警1条") {
		t.Errorf("explanation %q does not name the alert", one.Explanation)
	}
	// The larger of the shortfall and the alerts counts, not their sum.
	both := fund(RiskSignals{HeldFen: 0, RequiredFen: 100, FundAlerts: 1})
	if want := m.Weights[FactorFundCoverage]; both.Contribution != want {
		t.Errorf("no funds and one alert: contribution %v, want %v", both.Contribution, want)
	}
	noReq := fund(RiskSignals{FundAlerts: 2})
	if want := m.Weights[FactorFundCoverage]; noReq.Contribution != want {
		t.Errorf("two alerts, nothing required: contribution %v, want %v", noReq.Contribution, want)
	}
}
