package enforcement

import (
	"context"
	"time"

	"prepaidreg/registry"
)

// InterviewStore keeps interviews, campaigns and the notice-number counter.
type InterviewStore interface {
	// OverdueRectifications returns the interviews awaiting rectification whose deadline is
	// before now.
	OverdueRectifications(ctx context.Context, now time.Time) ([]Interview, error)
	// InsertInterview stores a new interview; an id already taken is a Conflict.
	InsertInterview(ctx context.Context, iv *Interview) error
	// InsertInterviews stores interviews in order with one command. When it fails, the ones
	// before the failure may have been written: written lists their ids.
	InsertInterviews(ctx context.Context, ivs []Interview) (written []string, err error)
	// GetInterview returns the interview, or NotFound.
	GetInterview(ctx context.Context, id string) (*Interview, error)
	// InterviewsByID returns the interviews on file among ids, by start time.
	InterviewsByID(ctx context.Context, ids []string) ([]Interview, error)
	// ReplaceInterview writes iv if the stored version is still iv.Version-1; otherwise Stale.
	// The caller holds the interview's lock (store.LockDocument).
	ReplaceInterview(ctx context.Context, iv *Interview) error
	// CancelUnwritten marks interviews still at version 1 cancelled with reason, by and at, in
	// few commands; it is how a campaign that failed half way is undone.
	CancelUnwritten(ctx context.Context, ids []string, reason, by string, at time.Time) error
	// ActiveInterviews returns the scheduled and notified interviews that overlap [from, to).
	ActiveInterviews(ctx context.Context, from, to time.Time) ([]Interview, error)
	// ListInterviews returns interviews matching q by start time.
	ListInterviews(ctx context.Context, q InterviewQuery) ([]Interview, error)
	// InterviewsOf returns at most limit of an enterprise's interviews, latest start first.
	InterviewsOf(ctx context.Context, uscc registry.USCC, limit int) ([]Interview, error)
	// InterviewsInStates returns an enterprise's interviews in any of states.
	InterviewsInStates(ctx context.Context, uscc registry.USCC, states []State) ([]Interview, error)
	// ReserveNoticeNumbers reserves n notice numbers of year with one update and returns the
	// first. The caller holds the scheduling lock: the embedded store can lose one of two
	// concurrent $inc.
	ReserveNoticeNumbers(ctx context.Context, year, n int) (first int, err error)
	// InsertCampaign stores a new campaign.
	InsertCampaign(ctx context.Context, c *Campaign) error
	// GetCampaign returns the campaign, or NotFound.
	GetCampaign(ctx context.Context, id string) (*Campaign, error)
}

// OfficialStore keeps officials.
type OfficialStore interface {
	// InsertOfficial stores a new official; an id already taken is a Conflict.
	InsertOfficial(ctx context.Context, o *Official) error
	// GetOfficial returns the official, or NotFound.
	GetOfficial(ctx context.Context, id string) (*Official, error)
	// OfficialsByID returns the officials on file among ids, in no particular order.
	OfficialsByID(ctx context.Context, ids []string) ([]Official, error)
	// ListOfficials returns officials by name; the inactive ones only when asked.
	ListOfficials(ctx context.Context, includeInactive bool) ([]Official, error)
	// ReplaceOfficial writes o if the stored version is still o.Version-1; otherwise Stale.
	ReplaceOfficial(ctx context.Context, o *Official) error
}
