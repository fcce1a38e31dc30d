package registry

import "context"

// RiskStore keeps risk assessments.
type RiskStore interface {
	GetAssessment(ctx context.Context, id string) (*Assessment, error)
	AssessmentHistory(ctx context.Context, uscc USCC, limit int) ([]Assessment, error)
}

// Assessment returns one risk assessment by its id.
func (s *Service) Assessment(ctx context.Context, id string) (*Assessment, error) {
	return s.store.GetAssessment(ctx, id)
}
