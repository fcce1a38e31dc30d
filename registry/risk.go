package registry

import "time"

// RiskLevel is the band a risk score falls in.
type RiskLevel string

// The risk levels (DESIGN.md, "Risk score"): low < 40, medium 40–59, high 60–79,
// critical ≥ 80 by default; the bounds are part of the model.
const (
	RiskLow      RiskLevel = "low"
	RiskMedium   RiskLevel = "medium"
	RiskHigh     RiskLevel = "high"
	RiskCritical RiskLevel = "critical"
)

// Label returns the level's Chinese name.
func (l RiskLevel) Label() string {
	switch l {
	case RiskLow:
		return "低风险"
	case RiskMedium:
		return "中风险"
	case RiskHigh:
		return "高风险"
	case RiskCritical:
		return "极高风险"
	}
	return ""
}

// AtLeastHigh reports whether the level is high or critical.
func (l RiskLevel) AtLeastHigh() bool { return l == RiskHigh || l == RiskCritical }

// Factor is one named part of a risk score: its input, its weight, what it contributed, and a
// sentence a regulator can read out.
type Factor struct {
	Name         string  `json:"name" bson:"name"`
	Label        string  `json:"label" bson:"label"`
	Value        float64 `json:"value" bson:"value"`
	Weight       float64 `json:"weight" bson:"weight"`
	Contribution float64 `json:"contribution" bson:"contribution"`
	Explanation  string  `json:"explanation" bson:"explanation"`
}

// Assessment is one scoring of an enterprise. Assessments are never changed; each re-score
// adds one.
type Assessment struct {
	ID           string    `json:"id" bson:"_id"`
	USCC         USCC      `json:"uscc" bson:"uscc"`
	Score        int       `json:"score" bson:"score"`
	Level        RiskLevel `json:"level" bson:"level"`
	ModelVersion int       `json:"model_version" bson:"model_version"`
	AssessedAt   time.Time `json:"assessed_at" bson:"assessed_at"`
	Factors      []Factor  `json:"factors" bson:"factors"`
}
