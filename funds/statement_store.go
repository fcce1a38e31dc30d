package funds

import "context"

// StatementStore keeps imported bank statements. An import is immutable; none is deleted.
type StatementStore interface {
	// InsertStatement stores a new import; a taken id (the same file for the same account)
	// is a Conflict.
	InsertStatement(ctx context.Context, imp *StatementImport) error
	// GetStatement returns one import; a missing one is NotFound.
	GetStatement(ctx context.Context, id string) (*StatementImport, error)
	// LatestStatement returns the account's import made last, or NotFound when it has none.
	LatestStatement(ctx context.Context, accountID string) (*StatementImport, error)
}
