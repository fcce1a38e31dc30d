package mediation

import "context"

// MediatorStore keeps mediation bodies and mediators. The assignment work adds to it.
type MediatorStore interface {
	// InsertBody stores a new body; an id already on file is a Conflict.
	InsertBody(ctx context.Context, b *Body) error
	// GetBody returns the body, or NotFound.
	GetBody(ctx context.Context, id string) (*Body, error)
	// InsertMediator stores a new mediator; a username already on file is a Conflict.
	InsertMediator(ctx context.Context, m *Mediator) error
	// GetMediator returns the mediator, or NotFound.
	GetMediator(ctx context.Context, username string) (*Mediator, error)
}
