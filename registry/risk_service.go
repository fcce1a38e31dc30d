package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// RiskStore keeps risk assessments and models.
type RiskStore interface {
	GetAssessment(ctx context.Context, id string) (*Assessment, error)
	AssessmentHistory(ctx context.Context, uscc USCC, limit int) ([]Assessment, error)
	LatestRiskModel(ctx context.Context) (*RiskModel, error)
	InsertRiskModel(ctx context.Context, m *RiskModel) error
	riskSubjects(ctx context.Context, codes []USCC) ([]riskSubject, error)
	RecordAssessments(ctx context.Context, as []Assessment) error
}

// Signals is how the registry learns what the other modules know of an enterprise's risk:
// interviews, enforcement, mediation and funds implement it, and cmd wires them.
type Signals interface {
	RiskSignals(ctx context.Context, uscc USCC) (RiskSignals, error)
}

// RiskLevelHook is told when an enterprise's risk level changes, so that reaching high or
// critical raises an early warning.
type RiskLevelHook func(ctx context.Context, uscc USCC, from, to RiskLevel) error

// SetRiskLevelHook sets the function told of level changes.
func (s *Service) SetRiskLevelHook(h RiskLevelHook) { s.levelHook = h }

// RiskSummary is the current assessment as the enterprise's document carries it. The factors
// stay in the assessment itself: on the embedded store every update reads every enterprise
// document, so their size is paid on each write (docs/PERFORMANCE.md).
type RiskSummary struct {
	AssessmentID string    `json:"assessment_id" bson:"assessment_id"`
	Score        int       `json:"score" bson:"score"`
	Level        RiskLevel `json:"level" bson:"level"`
	ModelVersion int       `json:"model_version" bson:"model_version"`
	AssessedAt   time.Time `json:"assessed_at" bson:"assessed_at"`
}

func (a Assessment) summary() RiskSummary {
	return RiskSummary{AssessmentID: a.ID, Score: a.Score, Level: a.Level, ModelVersion: a.ModelVersion,
		AssessedAt: a.AssessedAt}
}

// Assessment returns one risk assessment by its id.
func (s *Service) Assessment(ctx context.Context, id string) (*Assessment, error) {
	if len(id) > 64 {
		return nil, errs.E(errs.NotFound, "registry.Assessment", "没有这次风险评估 (no such assessment)")
	}
	return s.store.GetAssessment(ctx, id)
}

// RiskHistory returns an enterprise's assessments, newest first, at most limit.
func (s *Service) RiskHistory(ctx context.Context, uscc string, limit int) ([]Assessment, error) {
	e, err := s.Enterprise(ctx, uscc)
	if err != nil {
		return nil, err
	}
	return s.store.AssessmentHistory(ctx, e.USCC, limit)
}

// RiskModel returns the model in force: the latest version stored, or the default.
func (s *Service) RiskModel(ctx context.Context) (RiskModel, error) {
	m, err := s.store.LatestRiskModel(ctx)
	if errs.Is(err, errs.NotFound) {
		return DefaultRiskModel(), nil
	}
	if err != nil {
		return RiskModel{}, err
	}
	return *m, nil
}

// SetRiskModel records a new model version with these weights and bounds, if the model in
// force is still at version ifMatch. Earlier assessments keep the version they were made with.
func (s *Service) SetRiskModel(ctx context.Context, actor audit.Actor, ifMatch int, m RiskModel) (RiskModel, error) {
	const op = "registry.SetRiskModel"
	if fe := m.check(); len(fe) > 0 {
		return RiskModel{}, errs.Fields(op, fe...)
	}
	cur, err := s.RiskModel(ctx)
	if err != nil {
		return RiskModel{}, err
	}
	if cur.Version != ifMatch {
		return RiskModel{}, errs.E(errs.Stale, op,
			"模型已被他人修改，请刷新后重试 (the model changed since you read it)")
	}
	m.Version, m.CreatedAt, m.CreatedBy = cur.Version+1, s.now().UTC().Truncate(time.Millisecond), actor.Username
	if err := s.store.InsertRiskModel(ctx, &m); err != nil {
		return RiskModel{}, err
	}
	if _, err := s.audit.Append(ctx,
		audit.Entry{Actor: actor, Action: "settings.risk_model", Target: "settings/risk_model",
			Change: map[string]any{"from": cur, "to": m}}); err != nil {
		return RiskModel{}, errs.Wrap(errs.Internal, op, err)
	}
	return m, nil
}

// Rescore assesses the enterprises afresh with the model in force and records the
// assessments. Its store round trips do not depend on the enterprises' history: two reads of
// the enterprises and their list entries, the model, the other modules' signals, and two
// writes.
func (s *Service) Rescore(ctx context.Context, codes []USCC) ([]Assessment, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	subjects, err := s.store.riskSubjects(ctx, codes)
	if err != nil {
		return nil, err
	}
	out, err := s.assess(ctx, subjects)
	if err != nil {
		return nil, err
	}
	if err := s.store.RecordAssessments(ctx, out); err != nil {
		return nil, err
	}
	return out, s.tellLevelChanges(ctx, subjects, out)
}

// RescoreAssessedBefore re-scores each enterprise of due whose current assessment is older
// than its time there, or that has none: an input that changes with time alone (a deadline
// passing) re-scores it once. It returns how many it re-scored.
func (s *Service) RescoreAssessedBefore(ctx context.Context, due map[USCC]time.Time) (int, error) {
	codes := make([]USCC, 0, len(due))
	for c := range due {
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return 0, nil
	}
	subjects, err := s.store.riskSubjects(ctx, codes)
	if err != nil {
		return 0, err
	}
	var stale []USCC
	for _, sub := range subjects {
		if sub.Risk == nil || sub.Risk.AssessedAt.Before(due[sub.USCC]) {
			stale = append(stale, sub.USCC)
		}
	}
	slices.Sort(stale)
	if _, err := s.Rescore(ctx, stale); err != nil {
		return 0, err
	}
	return len(stale), nil
}

// assess scores each subject with the model in force and the other modules' signals.
func (s *Service) assess(ctx context.Context, subjects []riskSubject) ([]Assessment, error) {
	model, err := s.RiskModel(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	out := make([]Assessment, 0, len(subjects))
	for _, sub := range subjects {
		sig, err := s.signals.RiskSignals(ctx, sub.USCC)
		if err != nil {
			return nil, err
		}
		score, factors := model.assess(riskInputs{counters: sub.Complaints, stores: len(sub.Stores), status: sub.Status,
			signals: sig, listed: sub.listed, now: now})
		out = append(out, Assessment{ID: newAssessmentID(now), USCC: sub.USCC, Score: score,
			Level: model.Level(score), ModelVersion: model.Version, AssessedAt: now, Factors: factors})
	}
	return out, nil
}

// assessWithCounts assesses the enterprises as they will stand once deltas are added to their
// counters, reading them in one query; the caller holds their locks.
func (s *Service) assessWithCounts(
	ctx context.Context,
	codes []USCC,
	deltas map[USCC]*ComplaintCounters,
) ([]riskSubject, []Assessment, error) {
	subjects, err := s.store.riskSubjects(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	for i := range subjects {
		if d := deltas[subjects[i].USCC]; d != nil {
			subjects[i].Complaints.merge(d)
		}
	}
	risks, err := s.assess(ctx, subjects)
	return subjects, risks, err
}

// tellLevelChanges tells the level hook of every enterprise whose level changed.
func (s *Service) tellLevelChanges(ctx context.Context, before []riskSubject, after []Assessment) error {
	if s.levelHook == nil {
		return nil
	}
	previous := map[USCC]RiskLevel{}
	for _, sub := range before {
		previous[sub.USCC] = RiskLow
		if sub.Risk != nil {
			previous[sub.USCC] = sub.Risk.Level
		}
	}
	for _, a := range after {
		if previous[a.USCC] != a.Level {
			if err := s.levelHook(ctx, a.USCC, previous[a.USCC], a.Level); err != nil {
				return err
			}
		}
	}
	return nil
}

// RescoreAll assesses every enterprise afresh, in groups, and returns how many it assessed.
func (s *Service) RescoreAll(ctx context.Context, progress func(done int)) (int, error) {
	codes, err := s.complaints.EnterpriseCodes(ctx)
	if err != nil {
		return 0, err
	}
	const group = 500
	done := 0
	for start := 0; start < len(codes); start += group {
		part := codes[start:min(start+group, len(codes))]
		if _, err := s.Rescore(ctx, part); err != nil {
			return done, err
		}
		done += len(part)
		if progress != nil {
			progress(done)
		}
	}
	return done, nil
}

func newAssessmentID(now time.Time) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "RA-" + now.In(shanghai).Format("20060102") + "-" + hex.EncodeToString(b)
}
