// Package enforcement keeps the bureau's administrative interviews (行政约谈) with prepaid
// enterprises, singly or in campaigns, and its joint on-site enforcement operations with other
// departments (联合执法) with their inspection records. Its outcomes reach the enterprise's
// dossier and risk score through the interfaces the registry declares.
package enforcement

import (
	"context"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// Store is what the enforcement module needs of its storage.
type Store interface {
	InterviewStore
	OfficialStore
	OperationStore
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
	// Rescore assesses the enterprises afresh once one of their inputs has changed.
	Rescore(ctx context.Context, codes []registry.USCC) ([]registry.Assessment, error)
	// RescoreAssessedBefore re-scores the enterprises whose assessment predates their time.
	RescoreAssessedBefore(ctx context.Context, due map[registry.USCC]time.Time) (int, error)
}

// Bureau is the authority that issues the notices: its name as printed, and how an enterprise
// reaches it.
type Bureau struct {
	Name    string
	Address string
	Contact string
	Phone   string
}

// DefaultBureau is the bureau documents name unless configured otherwise.
var DefaultBureau = Bureau{
	Name:    "北京市朝阳区市场监督管理局",
	Address: "北京市朝阳区",
	Contact: "预付式消费监管科",
	Phone:   "010-12345",
}

// Hours are the bureau's working hours on a working day, as minutes after midnight in
// Asia/Shanghai.
type Hours struct {
	Start int
	End   int
}

// DefaultHours are 09:00 to 17:30.
var DefaultHours = Hours{Start: 9 * 60, End: 17*60 + 30}

// Service carries the module's rules.
type Service struct {
	store    Store
	audit    Auditor
	registry Registry
	calendar *workday.Calendar
	bureau   Bureau
	hours    Hours
	now      func() time.Time
}

// NewService returns a Service on store, recording changes in auditor, checking enterprises
// against reg, and counting working days with cal.
func NewService(store Store, auditor Auditor, reg Registry, cal *workday.Calendar) *Service {
	return &Service{
		store: store, audit: auditor, registry: reg, calendar: cal,
		bureau: DefaultBureau, hours: DefaultHours, now: time.Now,
	}
}

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now returns the service's time: what "today" is for its pages and forms.
func (s *Service) Now() time.Time { return s.now() }

// SetBureau sets the bureau named on documents.
func (s *Service) SetBureau(b Bureau) { s.bureau = b }

// Bureau returns the bureau named on documents.
func (s *Service) Bureau() Bureau { return s.bureau }

// Calendar returns the working-day calendar the service counts with.
func (s *Service) Calendar() *workday.Calendar { return s.calendar }
