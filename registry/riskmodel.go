package registry

import (
	"fmt"
	"math"
	"time"

	"prepaidreg/internal/errs"
)

// Risk factor names. Each is one named part of the score; the model gives its weight, the
// most points it can add.
const (
	FactorComplaints30d      = "complaints_30d"
	FactorComplaintsPerStore = "complaints_per_store"
	FactorGrowth             = "complaint_growth"
	FactorSevereShare        = "severe_share"
	FactorSpike              = "complaint_spike"
	FactorStatus             = "operating_status"
	FactorFundCoverage       = "fund_coverage"
	FactorInterviews         = "interviews"
	FactorEnforcement        = "enforcement"
	FactorMediation          = "mediation"
	FactorListHistory        = "list_history"
)

// factorOrder is the order factors are listed in.
var factorOrder = []string{
	FactorComplaints30d, FactorComplaintsPerStore, FactorGrowth, FactorSevereShare, FactorSpike, FactorStatus,
	FactorFundCoverage, FactorInterviews, FactorEnforcement, FactorMediation, FactorListHistory,
}

var factorLabels = map[string]string{
	FactorComplaints30d:      "近30天投诉量",
	FactorComplaintsPerStore: "近90天每门店投诉量",
	FactorGrowth:             "投诉增长",
	FactorSevereShare:        "严重类别占比",
	FactorSpike:              "投诉集中爆发",
	FactorStatus:             "经营状态",
	FactorFundCoverage:       "预收资金存管不足",
	FactorInterviews:         "约谈未到及整改逾期",
	FactorEnforcement:        "执法检查发现问题及处罚",
	FactorMediation:          "调解失败或拒绝调解",
	FactorListHistory:        "名单记录",
}

// RiskModel is a versioned set of factor weights and level bounds. A changed model is a new
// version; assessments keep the version they were made with.
type RiskModel struct {
	Version int                `json:"version" bson:"version"`
	Weights map[string]float64 `json:"weights" bson:"weights"`
	// Medium, High and Critical are the lowest scores of those levels.
	Medium    int       `json:"medium" bson:"medium"`
	High      int       `json:"high" bson:"high"`
	Critical  int       `json:"critical" bson:"critical"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	CreatedBy string    `json:"created_by" bson:"created_by"`
}

// DefaultRiskModel is version 1, with the level bounds of DESIGN.md (medium 40, high 60,
// critical 80). A weight is the most points a factor can add; the weights add up to more than
// 100 and the score is capped at 100, so that an enterprise that has closed its doors under a
// wave of refund complaints reaches critical on the complaints alone, before interviews or
// inspections have had time to add theirs.
func DefaultRiskModel() RiskModel {
	return RiskModel{
		Version: 1,
		Weights: map[string]float64{
			FactorComplaints30d: 20, FactorComplaintsPerStore: 8, FactorGrowth: 8, FactorSevereShare: 20,
			FactorSpike: 10, FactorStatus: 20, FactorFundCoverage: 8, FactorInterviews: 6, FactorEnforcement: 6,
			FactorMediation: 4, FactorListHistory: 4,
		},
		Medium: 40, High: 60, Critical: 80,
		CreatedBy: "system",
	}
}

// Level returns the level a score falls in.
func (m RiskModel) Level(score int) RiskLevel {
	switch {
	case score >= m.Critical:
		return RiskCritical
	case score >= m.High:
		return RiskHigh
	case score >= m.Medium:
		return RiskMedium
	}
	return RiskLow
}

// check returns what is wrong with a model: an unknown or missing factor, a negative weight,
// or level bounds out of order.
func (m RiskModel) check() []errs.FieldError {
	var fe []errs.FieldError
	for name, w := range m.Weights {
		if factorLabels[name] == "" {
			fe = append(fe, errs.FieldError{Field: "weights." + name, Message: "未知的风险因素 (unknown factor)"})
		}
		if w < 0 || w > 100 || math.IsNaN(w) {
			fe = append(fe, errs.FieldError{Field: "weights." + name, Message: "权重应在0至100之间 (0 to 100)"})
		}
	}
	for _, name := range factorOrder {
		if _, ok := m.Weights[name]; !ok {
			fe = append(fe, errs.FieldError{Field: "weights." + name, Message: "缺少该因素的权重 (weight missing)"})
		}
	}
	if !(0 < m.Medium && m.Medium < m.High && m.High < m.Critical && m.Critical <= 100) {
		fe = append(fe, errs.FieldError{Field: "medium",
			Message: "等级界限应满足 0 < 中 < 高 < 极高 ≤ 100 (0 < medium < high < critical ≤ 100)"})
	}
	return fe
}

// RiskSignals are what the other modules know of an enterprise that bears on its risk; they
// reach the registry through the Signals interface.
type RiskSignals struct {
	// InterviewNoShows counts interviews the enterprise did not attend, and
	// UnmetRectifications rectification deadlines it missed.
	InterviewNoShows    int
	UnmetRectifications int
	// EnforcementFindings counts on-site inspections that found violations; Penalties the
	// administrative penalties imposed.
	EnforcementFindings int
	Penalties           int
	// PenaltiesLastYear counts the penalties imposed in the 365 days up to now: two are a
	// black-list ground.
	PenaltiesLastYear int
	// FailedMediations counts mediations that ended without agreement or that it refused.
	FailedMediations int
	// HeldFen and RequiredFen are the supervised funds held and the deposit required; a zero
	// RequiredFen means no requirement is known.
	HeldFen     int64
	RequiredFen int64
	// FundAlerts counts the open fund alerts other than the coverage shortfall itself: sales
	// with no deposit, large releases before a closure, statements missing or disagreeing.
	FundAlerts int
}

// riskInputs is everything one assessment is computed from.
type riskInputs struct {
	counters ComplaintCounters
	stores   int
	status   Status
	signals  RiskSignals
	// listed says whether the enterprise is or has been on a list: "", "grey" or "black".
	listed ListKind
	now    time.Time
}

// assess computes the score and its factors. Each factor's contribution is its weight times a
// share from 0 to 1 of how far its input has gone towards the level that earns full weight.
func (m RiskModel) assess(in riskInputs) (int, []Factor) {
	window := func(from, to int) int64 { return windowCount(in.counters.Daily, in.now, from, to) }
	last30, prev30 := window(0, 30), window(30, 60)
	last90 := window(0, 90)
	spike := maxWindow(in.counters.Daily, in.now, 30, 7)

	factors := []Factor{
		m.factor(FactorComplaints30d, float64(last30), share(float64(last30), 10),
			fmt.Sprintf("近30天收到投诉%d件（10件及以上计满分）", last30)),
		m.factor(FactorComplaintsPerStore, perStore(last90, in.stores), share(perStore(last90, in.stores), 10),
			fmt.Sprintf("近90天投诉%d件，门店%d家，每门店%.1f件（10件及以上计满分）", last90, max(in.stores, 1),
				perStore(last90, in.stores))),
		growthFactor(m, last30, prev30),
		severeFactor(m, in.counters),
		m.factor(FactorSpike, float64(spike), spikeShare(spike),
			fmt.Sprintf("近30天内任意7天投诉最多%d件（5件起计分，10件及以上计满分）", spike)),
		statusFactor(m, in.status),
		fundFactor(m, in.signals),
		m.factor(FactorInterviews, float64(in.signals.InterviewNoShows+in.signals.UnmetRectifications),
			share(float64(in.signals.InterviewNoShows+in.signals.UnmetRectifications), 2),
			fmt.Sprintf("约谈未到%d次，整改逾期%d次（合计2次及以上计满分）", in.signals.InterviewNoShows,
				in.signals.UnmetRectifications)),
		m.factor(FactorEnforcement, float64(in.signals.EnforcementFindings+2*in.signals.Penalties),
			share(float64(in.signals.EnforcementFindings+2*in.signals.Penalties), 3),
			fmt.Sprintf("执法检查发现问题%d次，行政处罚%d次（处罚计2次，合计3次及以上计满分）",
				in.signals.EnforcementFindings, in.signals.Penalties)),
		m.factor(FactorMediation, float64(in.signals.FailedMediations), share(float64(in.signals.FailedMediations), 3),
			fmt.Sprintf("调解失败或拒绝调解%d次（3次及以上计满分）", in.signals.FailedMediations)),
		listFactor(m, in.listed),
	}
	total := 0.0
	for _, f := range factors {
		total += f.Contribution
	}
	return int(math.Round(math.Min(math.Max(total, 0), 100))), factors
}

func (m RiskModel) factor(name string, value, part float64, explanation string) Factor {
	w := m.Weights[name]
	return Factor{Name: name, Label: factorLabels[name], Value: round2(value), Weight: w,
		Contribution: round2(w * part), Explanation: explanation}
}

func growthFactor(m RiskModel, last30, prev30 int64) Factor {
	// Growth counts only once there are a few complaints, so that one complaint after none is
	// not read as infinite growth.
	if last30 < 3 {
		return m.factor(FactorGrowth, 0, 0, fmt.Sprintf("近30天投诉%d件，不足3件，不计增长", last30))
	}
	ratio := float64(last30) / math.Max(float64(prev30), 1)
	return m.factor(FactorGrowth, ratio, share(ratio-1, 2),
		fmt.Sprintf("近30天投诉%d件，前30天%d件，为其%.1f倍（3倍及以上计满分）", last30, prev30, ratio))
}

func severeFactor(m RiskModel, c ComplaintCounters) Factor {
	severe := c.ByCategory[string(CategoryRefundRefused)] + c.ByCategory[string(CategoryClosed)]
	if c.Total < 3 {
		return m.factor(FactorSevereShare, 0, 0, fmt.Sprintf("累计投诉%d件，不足3件，不计占比", c.Total))
	}
	ratio := float64(severe) / float64(c.Total)
	return m.factor(FactorSevereShare, ratio, ratio,
		fmt.Sprintf("累计投诉%d件中退费难、停业跑路%d件，占%.0f%%", c.Total, severe, ratio*100))
}

func statusFactor(m RiskModel, s Status) Factor {
	part := map[Status]float64{StatusSuspended: 0.5, StatusClosed: 1, StatusUnreachable: 1}[s]
	return m.factor(FactorStatus, part, part, fmt.Sprintf("经营状态为“%s”", s.Label()))
}

// fundFactor weighs the shortfall of the supervised funds against the deposit required and,
// whichever weighs more, the open fund alerts (two earn the full weight). Before the funds
// module there were no alerts, so earlier assessments of model 1 read the same.
func fundFactor(m RiskModel, sig RiskSignals) Factor {
	alerts := share(float64(sig.FundAlerts), 2)
	alertText := ""
	if sig.FundAlerts > 0 {
		alertText = fmt.Sprintf("；另有资金预警%d条未结", sig.FundAlerts)
	}
	if sig.RequiredFen <= 0 {
		if sig.FundAlerts > 0 {
			return m.factor(FactorFundCoverage, float64(sig.FundAlerts), alerts, "暂无资金存管要求数据"+alertText)
		}
		return m.factor(FactorFundCoverage, 0, 0, "暂无资金存管要求数据，不计分")
	}
	gap := 1 - float64(sig.HeldFen)/float64(sig.RequiredFen)
	return m.factor(FactorFundCoverage, gap, max(share(gap, 1), alerts),
		fmt.Sprintf("存管资金为应存额的%.0f%%", 100*float64(sig.HeldFen)/float64(sig.RequiredFen))+alertText)
}

func listFactor(m RiskModel, listed ListKind) Factor {
	part := map[ListKind]float64{ListGrey: 0.5, ListBlack: 1}[listed]
	text := "无名单记录"
	if listed != "" {
		text = "曾被或正被列入" + listed.Label()
	}
	return m.factor(FactorListHistory, part, part, text)
}

// share is how far value has gone towards full, from 0 to 1.
func share(value, full float64) float64 { return math.Min(math.Max(value/full, 0), 1) }

func spikeShare(n int64) float64 {
	if n < 5 {
		return 0
	}
	return share(float64(n), 10)
}

func perStore(n int64, stores int) float64 { return float64(n) / float64(max(stores, 1)) }

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// windowCount sums the daily counts from `from` to `to` days before today (today is day 0).
func windowCount(daily map[string]int64, now time.Time, from, to int) int64 {
	today := startOfDay(now)
	var n int64
	for i := from; i < to; i++ {
		n += daily[today.AddDate(0, 0, -i).Format(time.DateOnly)]
	}
	return n
}

// maxWindow is the largest count in any run of width days within the last span days.
func maxWindow(daily map[string]int64, now time.Time, span, width int) int64 {
	var best int64
	for start := 0; start+width <= span; start++ {
		best = max(best, windowCount(daily, now, start, start+width))
	}
	return best
}

func startOfDay(t time.Time) time.Time {
	s := t.In(shanghai)
	return time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, shanghai)
}
