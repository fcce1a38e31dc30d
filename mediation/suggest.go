package mediation

import (
	"context"
	"fmt"
	"sort"

	"prepaidreg/internal/errs"
)

// Suggestion is a mediator proposed for a case, with the reasons in plain Chinese.
type Suggestion struct {
	Username  string   `json:"username"`
	Name      string   `json:"name"`
	Body      string   `json:"body"`
	OpenCases int      `json:"open_cases"`
	Industry  bool     `json:"knows_industry"`
	District  bool     `json:"same_district"`
	Score     int      `json:"score"`
	Reasons   []string `json:"reasons"`
}

// Weights of the suggestion score. One open case outweighs industry and district together,
// so the score orders mediators by workload first, then industry, then district.
const (
	suggestIndustryPoints = 2
	suggestDistrictPoints = 1
	suggestCasePoints     = 4
)

// defaultSuggestions is how many mediators are suggested when no limit is given.
const defaultSuggestions = 5

// SuggestMediators proposes up to limit active mediators for c (5 when limit ≤ 0). A mediator
// with a conflict of interest recorded against the case's enterprise is never proposed.
//
// Ranking: score = 2 × (knows the case's industry) + 1 × (covers the case's district) − 4 ×
// (open cases: assigned, in mediation, or agreed and awaiting performance). Higher scores come
// first, equal scores by username. Since one open case weighs more than industry and district
// together, the order is: fewest open cases, then industry experience, then same district.
func (s *Service) SuggestMediators(ctx context.Context, c *Case, limit int) ([]Suggestion, error) {
	const op = "mediation.SuggestMediators"
	if c == nil {
		return nil, errs.E(errs.Invalid, op, "缺少案件 (no case)")
	}
	if limit <= 0 {
		limit = defaultSuggestions
	}
	mediators, err := s.store.ListMediators(ctx, "")
	if err != nil {
		return nil, err
	}
	open, err := s.store.OpenCaseCounts(ctx)
	if err != nil {
		return nil, err
	}

	out := []Suggestion{}
	for _, m := range mediators {
		// 《人民调解法》第二十三条: a mediator with a stake is replaced; here never proposed.
		if !m.Active || m.HasConflict(c.USCC) {
			continue
		}
		out = append(out, suggestionOf(&m, c, open[m.Username]))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Username < out[j].Username
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// suggestionOf scores one mediator for c.
func suggestionOf(m *Mediator, c *Case, open int) Suggestion {
	sg := Suggestion{Username: m.Username, Name: m.Name, Body: m.Body, OpenCases: open,
		Reasons: []string{fmt.Sprintf("在办案件 %d 件", open)}}
	for _, ind := range m.Industries {
		if ind == c.Industry && c.Industry != "" {
			sg.Industry = true
			sg.Reasons = append(sg.Reasons, "熟悉"+ind.Label()+"行业")
		}
	}
	for _, d := range m.Districts {
		if d == c.District && c.District != "" {
			sg.District = true
			sg.Reasons = append(sg.Reasons, "同区")
		}
	}
	sg.Score = -suggestCasePoints * open
	if sg.Industry {
		sg.Score += suggestIndustryPoints
	}
	if sg.District {
		sg.Score += suggestDistrictPoints
	}
	return sg
}
