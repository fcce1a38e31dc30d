package enforcement

import (
	"context"
	"errors"
	"time"

	"prepaidreg/registry"
)

// OperationStore keeps operations and their inspection records. Nothing is deleted: a record
// is replaced by a newer version, and the audit trail keeps every one.
type OperationStore interface {
	// InsertOperation stores a new operation; an id already taken is errOperationIDTaken.
	InsertOperation(ctx context.Context, op *Operation) error
	// GetOperation returns the operation, or NotFound.
	GetOperation(ctx context.Context, id string) (*Operation, error)
	// ListOperations returns one page of operations, newest first.
	ListOperations(ctx context.Context, q OperationQuery) ([]Operation, error)

	// GetInspection returns the inspection record, or NotFound.
	GetInspection(ctx context.Context, id string) (*Inspection, error)
	// PutInspection writes ins if the stored version is still ins.Version-1, inserting it
	// when ins.Version is 1; otherwise Stale.
	PutInspection(ctx context.Context, ins *Inspection) error
	// InspectionsOfOperation returns every inspection record of the operation.
	InspectionsOfOperation(ctx context.Context, opID string) ([]Inspection, error)
	// InspectionsOf returns an enterprise's inspection records, newest inspection first; at
	// most limit, or all when limit is 0.
	InspectionsOf(ctx context.Context, uscc registry.USCC, limit int) ([]Inspection, error)
}

// errOperationIDTaken says a new operation's id is already used; the service draws another.
var errOperationIDTaken = errors.New("operation id already taken")

// OperationCursor is where a page of operations ended.
type OperationCursor struct {
	CreatedAt time.Time
	ID        string
}

// OperationQuery selects a page of operations, newest first.
type OperationQuery struct {
	After *OperationCursor
	Limit int
}

// OperationPage is one page of operations and where the next begins, if there is more.
type OperationPage struct {
	Items []Operation
	Next  *OperationCursor
}
