// Package mediation keeps consumer disputes with prepaid enterprises and their mediation
// (多元调解): cases opened from complaints or directly, the procedure and its working-day
// clock, assignment to mediation bodies and mediators, sessions and offers, agreements and
// their performance, and the refund arithmetic mediators put to both sides. Its outcomes reach
// the enterprise's dossier and risk score through the interfaces the registry declares.
package mediation

import (
	"context"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// Store is what the mediation module needs of its storage.
type Store interface {
	CaseStore
	MediatorStore
}

// Auditor records changes.
type Auditor interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
}

// Registry is what the module needs of the enterprise registry: *registry.Service has it.
type Registry interface {
	// EnterprisesByUSCC returns the enterprises on file in the order asked, and the codes
	// that are not.
	EnterprisesByUSCC(ctx context.Context, codes []registry.USCC) ([]registry.Enterprise, []registry.USCC, error)
	// Complaint returns one complaint with the complainant in full.
	Complaint(ctx context.Context, id string) (*registry.Complaint, error)
	// Rescore assesses the enterprises afresh once one of their inputs has changed.
	Rescore(ctx context.Context, codes []registry.USCC) ([]registry.Assessment, error)
}

// Service carries the module's rules.
type Service struct {
	store    Store
	audit    Auditor
	registry Registry
	calendar *workday.Calendar
	now      func() time.Time
}

// NewService returns a Service on store, recording changes in auditor, checking enterprises
// and complaints against reg, and counting working days with cal.
func NewService(store Store, auditor Auditor, reg Registry, cal *workday.Calendar) *Service {
	return &Service{store: store, audit: auditor, registry: reg, calendar: cal, now: time.Now}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now returns the service's time: what "today" is for its pages and calculators.
func (s *Service) Now() time.Time { return s.now() }

// Calendar returns the working-day calendar the service counts with.
func (s *Service) Calendar() *workday.Calendar { return s.calendar }
