package registry

import (
	"context"
	"sync"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// Store is what the registry needs of its storage.
type Store interface {
	// InsertEnterprise stores a new enterprise; a USCC already on file is a Conflict.
	InsertEnterprise(ctx context.Context, e *Enterprise) error
	// GetEnterprise returns the enterprise, or NotFound.
	GetEnterprise(ctx context.Context, uscc USCC) (*Enterprise, error)
	// GetEnterprises returns the enterprises of codes that are on file, in no set order.
	GetEnterprises(ctx context.Context, codes []USCC) ([]Enterprise, error)
	// ReplaceEnterprise writes e if the stored version is still e.Version-1; otherwise Stale.
	ReplaceEnterprise(ctx context.Context, e *Enterprise) error
	// ListEnterprises returns one page of enterprises matching q, in USCC order.
	ListEnterprises(ctx context.Context, q EnterpriseQuery) ([]Enterprise, error)
	ComplaintStore
	SettingsStore
	RiskStore
	ListEntryStore
}

// Auditor records changes and reads them back.
type Auditor interface {
	Append(ctx context.Context, e audit.Entry) (audit.Record, error)
	List(ctx context.Context, q audit.Query) (audit.Page, error)
}

// Service carries the registry's rules.
type Service struct {
	store      Store
	complaints ComplaintStore
	settings   SettingsStore
	audit      Auditor
	areas      *Areas
	tagger     *Tagger
	signals    Signals
	records    []Records
	levelHook  RiskLevelHook
	listedHook ListedHook
	lists      ListSettings
	// publicationHook is told when the published lists change.
	publicationHook func(ctx context.Context)
	// mu guards mapping, the column mapping last read from the settings.
	mu      sync.RWMutex
	mapping ColumnMapping
	now     func() time.Time
}

// NewService returns a Service on store, recording changes in auditor.
func NewService(store Store, auditor Auditor, areas *Areas) *Service {
	s := &Service{
		store: store, complaints: store, settings: store, audit: auditor, areas: areas,
		tagger: DefaultTagger(), mapping: DefaultColumnMapping(), signals: sumSignals(nil),
		lists: DefaultListSettings(), now: time.Now,
	}
	// An enterprise newly reaching high or critical raises an early warning.
	s.levelHook = s.RiskLevelReached
	return s
}

// SetPublicationHook sets the function told, after the fact, that the published lists have
// changed; the web server refreshes its public snapshot with it, and other instances notice
// the publication version within seconds.
func (s *Service) SetPublicationHook(h func(ctx context.Context)) { s.publicationHook = h }

// SetClock replaces the clock; tests use it.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Areas returns the district and street table the service checks against.
func (s *Service) Areas() *Areas { return s.areas }

// EnterpriseInput is what a regulator fills in to register an enterprise.
type EnterpriseInput struct {
	USCC                string   `json:"uscc"`
	Name                string   `json:"name"`
	Aliases             []string `json:"aliases"`
	LegalRepresentative string   `json:"legal_representative"`
	RegisteredAddress   string   `json:"registered_address"`
	District            string   `json:"district"`
	Street              string   `json:"street"`
	Industry            Industry `json:"industry"`
	ContactPhone        string   `json:"contact_phone"`
	Status              Status   `json:"status"`
	Stores              []Shop   `json:"stores"`
	Prepaid             Prepaid  `json:"prepaid"`
}

// CreateEnterprise registers a new enterprise.
func (s *Service) CreateEnterprise(ctx context.Context, actor audit.Actor, in EnterpriseInput) (*Enterprise, error) {
	const op = "registry.CreateEnterprise"

	e, fe := s.enterpriseOf(in)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	if err := s.store.InsertEnterprise(ctx, e); err != nil {
		return nil, err
	}
	_, err := s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "enterprise.create", Target: e.target(), Version: e.Version,
		Change: map[string]any{"after": e},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	if err := s.linkWaiting(ctx, actor, e); err != nil {
		return nil, err
	}
	// A first assessment starts the enterprise's risk history.
	if _, err := s.Rescore(ctx, []USCC{e.USCC}); err != nil {
		return nil, err
	}
	return e, nil
}

// CheckEnterprise checks a registration without writing anything and returns every field's
// problem, or nil. Forms use it to show all messages at once when they have problems of
// their own.
func (s *Service) CheckEnterprise(in EnterpriseInput) []errs.FieldError {
	_, fe := s.enterpriseOf(in)
	return fe
}

// enterpriseOf makes the registration record of in and checks it.
func (s *Service) enterpriseOf(in EnterpriseInput) (*Enterprise, []errs.FieldError) {
	var fe []errs.FieldError
	uscc, err := ParseUSCC(in.USCC)
	if err != nil {
		fe = append(fe, errs.FieldError{Field: "uscc", Message: err.Error()})
	}
	if in.Status == "" {
		in.Status = StatusOperating
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	e := &Enterprise{
		USCC:                uscc,
		Name:                in.Name,
		Aliases:             in.Aliases,
		LegalRepresentative: in.LegalRepresentative,
		RegisteredAddress:   in.RegisteredAddress,
		District:            in.District,
		Street:              in.Street,
		Industry:            in.Industry,
		ContactPhone:        in.ContactPhone,
		Status:              in.Status,
		Stores:              in.Stores,
		Prepaid:             in.Prepaid,
		Version:             1,
		CreatedAt:           now,
		UpdatedAt:           now,
	}
	e.normalise()
	return e, append(fe, e.validate(s.areas)...)
}

// Enterprise returns the enterprise registered under uscc.
func (s *Service) Enterprise(ctx context.Context, uscc string) (*Enterprise, error) {
	code, err := ParseUSCC(uscc)
	if err != nil {
		return nil, errs.E(errs.NotFound, "registry.Enterprise", "没有这个统一社会信用代码的企业 (no such enterprise)")
	}
	return s.store.GetEnterprise(ctx, code)
}

// EnterprisesByUSCC returns the enterprises registered under codes, in the order given, and
// the codes that are not on file; it costs one read whatever their number.
func (s *Service) EnterprisesByUSCC(ctx context.Context, codes []USCC) ([]Enterprise, []USCC, error) {
	found, err := s.store.GetEnterprises(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	byCode := make(map[USCC]Enterprise, len(found))
	for _, e := range found {
		byCode[e.USCC] = e
	}
	out := make([]Enterprise, 0, len(codes))
	var missing []USCC
	for _, c := range codes {
		if e, ok := byCode[c]; ok {
			out = append(out, e)
		} else {
			missing = append(missing, c)
		}
	}
	return out, missing, nil
}

// EnterprisePatch changes some fields of an enterprise; nil fields stay as they are. The USCC
// never changes: a new code is a new registration.
type EnterprisePatch struct {
	Name                *string   `json:"name"`
	Aliases             *[]string `json:"aliases"`
	LegalRepresentative *string   `json:"legal_representative"`
	RegisteredAddress   *string   `json:"registered_address"`
	District            *string   `json:"district"`
	Street              *string   `json:"street"`
	Industry            *Industry `json:"industry"`
	ContactPhone        *string   `json:"contact_phone"`
	Status              *Status   `json:"status"`
	Stores              *[]Shop   `json:"stores"`
	Prepaid             *Prepaid  `json:"prepaid"`
}

// UpdateEnterprise applies p to the enterprise if it is still at version ifMatch.
func (s *Service) UpdateEnterprise(
	ctx context.Context,
	actor audit.Actor,
	uscc string,
	ifMatch int64,
	p EnterprisePatch,
) (*Enterprise, error) {
	const op = "registry.UpdateEnterprise"

	before, err := s.Enterprise(ctx, uscc)
	if err != nil {
		return nil, err
	}
	if before.Version != ifMatch {
		return nil, errs.E(errs.Stale, op, "企业档案已被他人修改，请刷新后重试 (the record changed since you read it)")
	}

	after := *before
	p.apply(&after)
	after.normalise()
	if fe := after.validate(s.areas); len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	diff := diffEnterprise(before, &after)
	if len(diff) == 0 {
		return before, nil
	}
	after.Version = before.Version + 1
	after.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)

	if err := s.store.ReplaceEnterprise(ctx, &after); err != nil {
		return nil, err
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "enterprise.update", Target: after.target(), Version: after.Version,
		Change: diff,
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	_, renamed := diff["name"]
	_, aliased := diff["aliases"]
	if renamed || aliased {
		if err := s.linkWaiting(ctx, actor, &after); err != nil {
			return nil, err
		}
	}
	_, status := diff["status"]
	_, stores := diff["stores"]
	if status || stores {
		if _, err := s.Rescore(ctx, []USCC{after.USCC}); err != nil {
			return nil, err
		}
	}
	return &after, nil
}

func (p EnterprisePatch) apply(e *Enterprise) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&e.Name, p.Name)
	set(&e.LegalRepresentative, p.LegalRepresentative)
	set(&e.RegisteredAddress, p.RegisteredAddress)
	set(&e.District, p.District)
	set(&e.Street, p.Street)
	set(&e.ContactPhone, p.ContactPhone)
	if p.Aliases != nil {
		e.Aliases = *p.Aliases
	}
	if p.Industry != nil {
		e.Industry = *p.Industry
	}
	if p.Status != nil {
		e.Status = *p.Status
	}
	if p.Stores != nil {
		e.Stores = *p.Stores
	}
	if p.Prepaid != nil {
		e.Prepaid = *p.Prepaid
	}
}

func (e *Enterprise) target() string { return "enterprise/" + string(e.USCC) }

// EnterpriseQuery selects enterprises for a list.
type EnterpriseQuery struct {
	// Name matches a fragment of the name or of an alias.
	Name string
	// USCCPrefix matches the start of the code.
	USCCPrefix string
	District   string
	Industry   Industry
	Status     Status
	// After is the USCC the previous page ended with.
	After USCC
	Limit int
}

// EnterprisePage is one page of a list.
type EnterprisePage struct {
	Items []Enterprise
	// Next is the USCC to continue after, or "" on the last page.
	Next USCC
}

// ListEnterprises returns one page of enterprises matching q.
func (s *Service) ListEnterprises(ctx context.Context, q EnterpriseQuery) (EnterprisePage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	want := q.Limit
	q.Limit++
	items, err := s.store.ListEnterprises(ctx, q)
	if err != nil {
		return EnterprisePage{}, err
	}
	page := EnterprisePage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		page.Next = items[want-1].USCC
	}
	return page, nil
}
