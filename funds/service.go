// Package funds keeps the supervision of prepaid money (资金监管): one supervised bank account
// per enterprise and bank account, the performance-bond insurance policies and bank guarantees
// that cover part of the required deposit, and an append-only ledger in fen of the money
// reported sold, deposited, released to the enterprise, refunded to consumers and earned as
// interest. Balances are derived from the ledger; the account document caches them so that a
// balance costs one read, and Reconcile rebuilds the cache from the entries. The held funds and
// the required deposit reach the enterprise's risk score through registry.Signals.
package funds

import (
	"context"
	"sync"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/registry"
)

// Store is what the funds module needs of its storage.
type Store interface {
	// InsertAccount stores a new account; a taken id is a Conflict.
	InsertAccount(ctx context.Context, a *Account) error
	// GetAccount returns one account; a missing one is NotFound.
	GetAccount(ctx context.Context, id string) (*Account, error)
	// UpdateAccount replaces the account stored at version a.Version-1 with a; another
	// version is Stale.
	UpdateAccount(ctx context.Context, a *Account) error
	// AccountsOf returns the enterprise's accounts, open and closed, oldest first.
	AccountsOf(ctx context.Context, uscc registry.USCC) ([]Account, error)
	// OpenAccountByNumber returns the enterprise's open account with that bank account
	// number, or NotFound.
	OpenAccountByNumber(ctx context.Context, uscc registry.USCC, number string) (*Account, error)
	// AllAccounts returns every account.
	AllAccounts(ctx context.Context) ([]Account, error)

	// InsertEntry stores a new entry; a taken id, or a sequence number the account already
	// has, is a Conflict.
	InsertEntry(ctx context.Context, e *Entry) error
	// GetEntry returns one entry; a missing one is NotFound.
	GetEntry(ctx context.Context, id string) (*Entry, error)
	// EntriesOf returns the account's entries with a sequence above afterSeq, in sequence
	// order, at most limit of them (0: all).
	EntriesOf(ctx context.Context, accountID string, afterSeq int64, limit int) ([]Entry, error)
	// CorrectionsOf returns the account's entries that correct the entry id.
	CorrectionsOf(ctx context.Context, accountID, id string) ([]Entry, error)
	// EachEntry calls fn for every entry of every account, in no particular order, with the
	// fields the balances are computed from.
	EachEntry(ctx context.Context, fn func(e *Entry) error) error

	StatementStore
	AlertStore
	PlanStore
}

// Auditor records changes.
type Auditor interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
	AppendMany(ctx context.Context, entries []audit.Entry) ([]audit.Record, error)
}

// Registry is what the module needs of the enterprise registry: *registry.Service has it.
type Registry interface {
	// EnterprisesByUSCC returns the enterprises on file in the order asked, and the codes
	// that are not.
	EnterprisesByUSCC(ctx context.Context, codes []registry.USCC) ([]registry.Enterprise, []registry.USCC, error)
}

// Service carries the module's rules.
type Service struct {
	store    Store
	audit    Auditor
	registry Registry
	now      func() time.Time
	// mu guards alerts, the alert rules' settings and hook.
	mu     sync.Mutex
	alerts alertConfig
}

// NewService returns a Service on store, recording changes in auditor and checking
// enterprises against reg.
func NewService(store Store, auditor Auditor, reg Registry, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, audit: auditor, registry: reg, now: now,
		alerts: alertConfig{settings: DefaultAlertSettings}}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now returns the service's time: what "today" is for its pages.
func (s *Service) Now() time.Time { return s.now() }

// clock returns the service's time as stored: UTC, to the millisecond.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
