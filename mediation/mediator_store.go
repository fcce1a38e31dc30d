package mediation

import (
	"context"
	"time"
)

// MediatorStore keeps mediation bodies and mediators, and answers the questions about cases
// that assignment and statistics ask.
type MediatorStore interface {
	// InsertBody stores a new body; an id or name already on file is a Conflict.
	InsertBody(ctx context.Context, b *Body) error
	// GetBody returns the body, or NotFound.
	GetBody(ctx context.Context, id string) (*Body, error)
	// InsertMediator stores a new mediator; a username already on file is a Conflict.
	InsertMediator(ctx context.Context, m *Mediator) error
	// GetMediator returns the mediator, or NotFound.
	GetMediator(ctx context.Context, username string) (*Mediator, error)

	// ListBodies returns every body by name.
	ListBodies(ctx context.Context) ([]Body, error)
	// ListMediators returns the mediators of a body, or of every body when body is "", by
	// username; inactive ones too.
	ListMediators(ctx context.Context, body string) ([]Mediator, error)
	// ReplaceMediator writes m if the stored one is still at m.Version-1, else Stale.
	ReplaceMediator(ctx context.Context, m *Mediator) error
	// OpenCaseCounts returns, by mediator username, how many cases assigned to them are
	// still open (assigned, in mediation, or agreed and awaiting performance).
	OpenCaseCounts(ctx context.Context) (map[string]int, error)
	// CaseCounts returns how many cases accepted in [from, to) each body has, by state.
	CaseCounts(ctx context.Context, from, to time.Time) ([]StateCount, error)
	// FinishedCases returns the cases accepted in [from, to) that have ended one way or
	// another, with only the fields statistics need.
	FinishedCases(ctx context.Context, from, to time.Time) ([]FinishedCase, error)
}
