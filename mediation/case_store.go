package mediation

import (
	"context"
	"time"

	"prepaidreg/registry"
)

// CaseStore keeps cases.
type CaseStore interface {
	// InsertCase stores a new case; an id already on file is a Conflict.
	InsertCase(ctx context.Context, c *Case) error
	// GetCase returns the case, or NotFound.
	GetCase(ctx context.Context, id string) (*Case, error)
	// ReplaceCase writes c over the stored case if that is still at version prev; otherwise
	// it is Stale. Callers hold the case's document lock.
	ReplaceCase(ctx context.Context, c *Case, prev int64) error
	// QueueCases returns at most limit cases matching f, by QueueAt then id, after the
	// position after; without the timeline and sessions. One query.
	QueueCases(ctx context.Context, f QueueFilter, after *QueuePosition, limit int) ([]Case, error)
	// CasesOf returns at most limit of the enterprise's cases, the latest submitted first,
	// without the timeline and sessions.
	CasesOf(ctx context.Context, uscc registry.USCC, limit int) ([]Case, error)
	// CasesFromComplaint returns the cases a claim of which came from the complaint, without
	// their timeline and sessions.
	CasesFromComplaint(ctx context.Context, complaintID string) ([]Case, error)
	// CountFailed counts the enterprise's cases whose mediation failed: ended without
	// agreement, refused by the enterprise, or an agreement recorded as not performed.
	CountFailed(ctx context.Context, uscc registry.USCC) (int, error)
}

// QueueFilter selects the cases of a queue list.
type QueueFilter struct {
	// States are the states listed; empty means every open state.
	States []State
	// Mediator, when set, keeps the cases assigned to that mediator.
	Mediator string
}

// QueuePosition is where a page of a queue ended.
type QueuePosition struct {
	QueueAt time.Time
	ID      string
}
