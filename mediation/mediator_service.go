package mediation

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

var (
	// mediatorUsername is the shape of a user account name.
	mediatorUsername = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{2,64}$`)
	// districtCode is a six-digit GB/T 2260 code, e.g. 110105 for Chaoyang.
	districtCode = regexp.MustCompile(`^[0-9]{6}$`)
)

// CreateBody registers a mediation body, with an id like MB-3fa91c0b. A name already on file
// is a Conflict.
func (s *Service) CreateBody(ctx context.Context, actor audit.Actor, in BodyInput) (*Body, error) {
	const op = "mediation.CreateBody"
	var fe []errs.FieldError
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > 100 {
		fe = append(fe, field("name", "调解组织名称须填写，不超过100字 (name is required, at most 100 characters)"))
	}
	if !in.Kind.Valid() {
		fe = append(fe, field("kind", fmt.Sprintf(
			"未知的调解组织类型 %q，应为 bureau、consumer_association、industry 或 peoples (unknown kind)", in.Kind)))
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	b := &Body{ID: "MB-" + randHex(4), Name: name, Kind: in.Kind, Version: 1, CreatedAt: s.clock()}
	if err := s.store.InsertBody(ctx, b); err != nil {
		return nil, err
	}
	err := s.recordMediatorChange(ctx, op, actor, "mediation_body.create", b.target(), b.Version,
		map[string]any{"after": b})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Bodies returns every mediation body by name.
func (s *Service) Bodies(ctx context.Context) ([]Body, error) {
	return s.store.ListBodies(ctx)
}

// RegisterMediator puts a mediator on file under a body. The API layer checks that the
// username is a user with the mediator role; here the body must exist, industries must be the
// registry's and districts six-digit area codes.
func (s *Service) RegisterMediator(ctx context.Context, actor audit.Actor, in MediatorInput) (*Mediator, error) {
	const op = "mediation.RegisterMediator"
	m, fe := s.mediatorOf(in)
	if in.Body != "" && m.Body != "" {
		_, err := s.store.GetBody(ctx, m.Body)
		switch {
		case errs.Is(err, errs.NotFound):
			fe = append(fe, field("body", fmt.Sprintf("没有编号为 %s 的调解组织 (no such mediation body)", m.Body)))
		case err != nil:
			return nil, err
		}
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	if err := s.store.InsertMediator(ctx, m); err != nil {
		return nil, err
	}
	err := s.recordMediatorChange(ctx, op, actor, "mediator.register", m.target(), m.Version,
		map[string]any{"after": m})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// mediatorOf checks in and returns the mediator it describes, with the problems found.
func (s *Service) mediatorOf(in MediatorInput) (*Mediator, []errs.FieldError) {
	var fe []errs.FieldError
	username := strings.TrimSpace(in.Username)
	if !mediatorUsername.MatchString(username) {
		fe = append(fe, field("username", "用户名须为2至64位字母、数字或 _ . - (not a username)"))
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > 50 {
		fe = append(fe, field("name", "姓名须填写，不超过50字 (name is required, at most 50 characters)"))
	}
	body := strings.TrimSpace(in.Body)
	if body == "" {
		fe = append(fe, field("body", "须选择所属调解组织 (a mediation body is required)"))
	}

	industries := []registry.Industry{}
	for i, ind := range in.Industries {
		if !ind.Valid() {
			fe = append(fe, field(fmt.Sprintf("industries[%d]", i),
				fmt.Sprintf("未知行业 %q (unknown industry)", ind)))
			continue
		}
		if !slices.Contains(industries, ind) {
			industries = append(industries, ind)
		}
	}
	districts := []string{}
	for i, d := range in.Districts {
		d = strings.TrimSpace(d)
		if !districtCode.MatchString(d) {
			fe = append(fe, field(fmt.Sprintf("districts[%d]", i),
				fmt.Sprintf("区划代码 %q 应为六位数字，如 110105 (a district is a six-digit code)", d)))
			continue
		}
		if !slices.Contains(districts, d) {
			districts = append(districts, d)
		}
	}

	return &Mediator{
		Username: username, Name: name, Body: body, Industries: industries, Districts: districts,
		Conflicts: []registry.USCC{}, ConflictNotes: []ConflictNote{},
		Active: true, Version: 1, UpdatedAt: s.clock(),
	}, fe
}

// Mediators returns the mediators of a body, or of every body when body is "", by username,
// the inactive ones too.
func (s *Service) Mediators(ctx context.Context, body string) ([]Mediator, error) {
	return s.store.ListMediators(ctx, body)
}

// Mediator returns the mediator with username.
func (s *Service) Mediator(ctx context.Context, username string) (*Mediator, error) {
	return s.store.GetMediator(ctx, username)
}

// RecordConflict records, with its reason, that the mediator has a conflict of interest with
// an enterprise, if the mediator is still at version ifVersion. From then on the mediator is
// never suggested for that enterprise's cases. Conflicts are never removed.
func (s *Service) RecordConflict(
	ctx context.Context,
	actor audit.Actor,
	username string,
	ifVersion int64,
	uscc registry.USCC,
	reason string,
) (*Mediator, error) {
	const op = "mediation.RecordConflict"
	var fe []errs.FieldError
	code, err := registry.ParseUSCC(string(uscc))
	if err != nil {
		fe = append(fe, field("uscc", err.Error()))
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		fe = append(fe, field("reason", "须写明回避理由，不超过500字 (a reason is required, at most 500 characters)"))
	}
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}

	m, err := s.mediatorAt(ctx, op, username, ifVersion)
	if err != nil {
		return nil, err
	}
	if m.HasConflict(code) {
		return nil, errs.E(errs.Conflict, op, fmt.Sprintf(
			"已登记该调解员与企业 %s 的利益冲突 (a conflict with %s is already on file)", code, code))
	}

	note := ConflictNote{USCC: code, Reason: reason, RecordedBy: actor.Username, RecordedAt: s.clock()}
	m.Conflicts = append(m.Conflicts, code)
	m.ConflictNotes = append(m.ConflictNotes, note)
	m.Version++
	m.UpdatedAt = note.RecordedAt
	if err := s.store.ReplaceMediator(ctx, m); err != nil {
		return nil, err
	}
	change := map[string]any{"conflict": note}
	if err := s.recordMediatorChange(ctx, op, actor, "mediator.conflict", m.target(), m.Version, change); err != nil {
		return nil, err
	}
	return m, nil
}

// DeactivateMediator marks a mediator who no longer takes cases as inactive, if still at
// version ifVersion. They are no longer suggested; cases already assigned to them keep them
// until reassigned.
func (s *Service) DeactivateMediator(
	ctx context.Context,
	actor audit.Actor,
	username string,
	ifVersion int64,
) (*Mediator, error) {
	const op = "mediation.DeactivateMediator"
	m, err := s.mediatorAt(ctx, op, username, ifVersion)
	if err != nil {
		return nil, err
	}
	if !m.Active {
		return nil, errs.E(errs.Conflict, op, "该调解员已停用 (the mediator is already inactive)")
	}

	m.Active = false
	m.Version++
	m.UpdatedAt = s.clock()
	if err := s.store.ReplaceMediator(ctx, m); err != nil {
		return nil, err
	}
	change := map[string]any{"active": map[string]bool{"from": true, "to": false}}
	if err := s.recordMediatorChange(ctx, op, actor, "mediator.deactivate", m.target(), m.Version, change); err != nil {
		return nil, err
	}
	return m, nil
}

// mediatorAt loads the mediator and checks it is still at version ifVersion.
func (s *Service) mediatorAt(ctx context.Context, op, username string, ifVersion int64) (*Mediator, error) {
	m, err := s.store.GetMediator(ctx, username)
	if err != nil {
		return nil, err
	}
	if m.Version != ifVersion {
		return nil, errs.E(errs.Stale, op, fmt.Sprintf("调解员信息已被他人修改（当前版本 %d），请刷新后重试 "+
			"(the mediator is at version %d, not %d)", m.Version, m.Version, ifVersion))
	}
	return m, nil
}

// recordMediatorChange appends an audit entry for a change already stored. A failure leaves the change
// without its record, which audit verify reports; the caller is told of it.
func (s *Service) recordMediatorChange(
	ctx context.Context,
	op string,
	actor audit.Actor,
	action, target string,
	version int64,
	change any,
) error {
	_, err := s.audit.Append(ctx,
		audit.Entry{Actor: actor, Action: action, Target: target, Version: version, Change: change})
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return nil
}
