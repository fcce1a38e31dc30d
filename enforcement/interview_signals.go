package enforcement

import (
	"context"
	"strings"
	"time"

	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// interviewSignals counts what the enterprise's interviews add to its risk score: the
// interviews it did not come to, and the rectifications it did not make, found so by a check
// or by a deadline that has passed unchecked.
func (s *Service) interviewSignals(
	ctx context.Context,
	uscc registry.USCC,
) (noShows, unmetRectifications int, err error) {
	ivs, err := s.store.InterviewsInStates(ctx, uscc, []State{StateNoShow, StateNotRectified, StateRectificationDue})
	if err != nil {
		return 0, 0, err
	}
	now := s.clock()
	for _, iv := range ivs {
		switch iv.State {
		case StateNoShow:
			noShows++
		case StateNotRectified:
			unmetRectifications++
		case StateRectificationDue:
			if iv.Rectification != nil && now.After(iv.Rectification.Deadline) {
				unmetRectifications++
			}
		}
	}
	return noShows, unmetRectifications, nil
}

// interviewRecords returns at most limit of the enterprise's interviews as its dossier lists
// them, the latest first.
func (s *Service) interviewRecords(
	ctx context.Context,
	uscc registry.USCC,
	limit int,
) ([]registry.DossierRecord, error) {
	ivs, err := s.store.InterviewsOf(ctx, uscc, limit)
	if err != nil {
		return nil, err
	}
	out := make([]registry.DossierRecord, 0, len(ivs))
	for _, iv := range ivs {
		out = append(out, registry.DossierRecord{
			ID: iv.ID, At: iv.StartsAt, Title: "行政约谈 " + iv.NoticeNumber,
			State: iv.State.Label(), Outcome: outcomeOf(&iv), Link: "/console/interviews/" + iv.ID,
		})
	}
	return out, nil
}

// outcomeOf says in plain Chinese how an interview ended, or what it is waiting for.
func outcomeOf(iv *Interview) string {
	r := iv.Rectification
	switch iv.State {
	case StateScheduled, StateNotified:
		return "约谈时间 " + iv.StartsAt.In(workday.Zone).Format("2006-01-02 15:04")
	case StateNoShow:
		return "未到场"
	case StateCancelled:
		return "已取消：" + iv.Outcome
	case StateHeld:
		return orDefault(iv.Outcome, "已约谈")
	case StateRectificationDue:
		return "承诺：" + strings.Join(r.Commitments, "；") +
			"，整改期限 " + r.Deadline.In(workday.Zone).Format("2006-01-02")
	case StateRectified:
		return "已整改：" + orDefault(r.Finding, strings.Join(r.Commitments, "；"))
	case StateNotRectified:
		return "逾期未整改：" + r.Finding
	}
	return ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ScoreOverdueRectifications re-scores the enterprises whose rectification deadline has
// passed unchecked since they were last assessed: a missed deadline is an input to the risk
// score even when nobody records it. The server runs it at start and every hour; it returns
// how many enterprises it re-scored.
func (s *Service) ScoreOverdueRectifications(ctx context.Context) (int, error) {
	ivs, err := s.store.OverdueRectifications(ctx, s.clock())
	if err != nil {
		return 0, err
	}
	due := map[registry.USCC]time.Time{}
	for _, iv := range ivs {
		for _, u := range iv.Enterprises {
			if d := iv.Rectification.Deadline; d.After(due[u]) {
				due[u] = d
			}
		}
	}
	return s.registry.RescoreAssessedBefore(ctx, due)
}
