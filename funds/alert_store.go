package funds

import "context"

// AlertStore keeps fund alerts. None is deleted: closed alerts stay on file.
type AlertStore interface {
	// InsertAlert stores a new alert; a taken id is a Conflict.
	InsertAlert(ctx context.Context, a *Alert) error
	// GetAlert returns one alert; a missing one is NotFound.
	GetAlert(ctx context.Context, id string) (*Alert, error)
	// UpdateAlert replaces the alert stored at version a.Version-1 with a; another version
	// is Stale.
	UpdateAlert(ctx context.Context, a *Alert) error
	// OpenAlertsOf returns the account's new and acknowledged alerts.
	OpenAlertsOf(ctx context.Context, accountID string) ([]Alert, error)
	// CountAlerts counts the account's alerts of a kind, open and closed.
	CountAlerts(ctx context.Context, accountID string, kind AlertKind) (int64, error)
	// ListAlerts returns alerts matching f, newest raised first, at most f.Limit of them.
	ListAlerts(ctx context.Context, f alertFilter) ([]Alert, error)
}
