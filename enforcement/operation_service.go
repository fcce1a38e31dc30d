package enforcement

import (
	"context"
	"errors"
	"strings"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

var (
	errNoOperation     = errs.E(errs.NotFound, "enforcement.Operation", "没有这次联合执法 (no such operation)")
	errNoInspection    = errs.E(errs.NotFound, "enforcement.Inspection", "没有这份检查记录 (no such inspection record)")
	errStaleInspection = errs.E(errs.Stale, "enforcement.RecordInspection",
		"检查记录已被他人修改，请刷新后重试 (the inspection record changed since you read it)")
)

// newOperationID returns a readable id: the day it was recorded in Asia/Shanghai and six
// random hex digits, e.g. OP-20261120-4f9a0c.
func newOperationID(now time.Time) string {
	return "OP-" + now.In(opZone).Format("20060102") + "-" + randHex(3)
}

// CreateOperation records a joint on-site enforcement operation (联合执法): its title and legal
// basis, the lead department and those taking part (the lead among them), the enterprises to
// inspect, which must all be on file, and its day. The day may be past, since operations are
// often recorded after the fact, but not more than a year ahead.
func (s *Service) CreateOperation(ctx context.Context, actor audit.Actor, in OperationInput) (*Operation, error) {
	const op = "enforcement.CreateOperation"
	now := s.now().UTC().Truncate(time.Millisecond)

	c, fe := in.check(now)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	_, missing, err := s.registry.EnterprisesByUSCC(ctx, c.targets)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		codes := make([]string, len(missing))
		for i, m := range missing {
			codes[i] = string(m)
		}
		return nil, errs.Fields(op, field("targets",
			"以下统一社会信用代码没有对应的企业档案："+strings.Join(codes, "、")+
				" (no enterprise on file for: "+strings.Join(codes, ", ")+")"))
	}

	o := &Operation{
		ID: newOperationID(now), Title: c.title, LegalBasis: c.basis, LeadDepartment: c.lead,
		Departments: c.departments, Targets: c.targets, Date: c.date,
		Version: 1, CreatedAt: now, CreatedBy: actor.Username, UpdatedAt: now,
	}
	if err := s.insertOperation(ctx, o); err != nil {
		return nil, err
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "operation.create", Target: o.target(), Version: o.Version,
		Change: map[string]any{"after": o},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return o, nil
}

// insertOperation stores o, drawing a new id while the one drawn is taken.
func (s *Service) insertOperation(ctx context.Context, o *Operation) error {
	for attempt := 0; ; attempt++ {
		err := s.store.InsertOperation(ctx, o)
		if !errors.Is(err, errOperationIDTaken) || attempt == 4 {
			return err
		}
		o.ID = newOperationID(o.CreatedAt)
	}
}

// Operation returns one operation.
func (s *Service) Operation(ctx context.Context, id string) (*Operation, error) {
	if id == "" || len(id) > 64 {
		return nil, errNoOperation
	}
	return s.store.GetOperation(ctx, id)
}

// ListOperations returns a page of operations, the most recently recorded first, continuing
// after the cursor when one is given. limit is 1 to 200; anything else means 50.
func (s *Service) ListOperations(ctx context.Context, limit int, after *OperationCursor) (OperationPage, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	items, err := s.store.ListOperations(ctx, OperationQuery{After: after, Limit: limit + 1})
	if err != nil {
		return OperationPage{}, err
	}
	page := OperationPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := items[limit-1]
		page.Next = &OperationCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return page, nil
}

// Inspection returns the inspection record of one target of an operation.
func (s *Service) Inspection(ctx context.Context, opID, uscc string) (*Inspection, error) {
	code, err := registry.ParseUSCC(uscc)
	if err != nil || opID == "" || len(opID) > 64 {
		return nil, errNoInspection
	}
	return s.store.GetInspection(ctx, InspectionID(opID, code))
}

// Inspections returns every inspection record of an operation.
func (s *Service) Inspections(ctx context.Context, opID string) ([]Inspection, error) {
	if _, err := s.Operation(ctx, opID); err != nil {
		return nil, err
	}
	return s.store.InspectionsOfOperation(ctx, opID)
}

// RecordInspection writes the on-site inspection record (现场检查记录) of one target of an
// operation: with ifVersion 0 it creates the record, with the version last read it replaces
// it; a record changed meanwhile is Stale. The record is checked whole against the operation
// (inspectors from its departments, on its day) and nothing of it is written when any field
// is wrong. Every version is audited, and the enterprise is re-scored, its findings and
// penalties being risk factors.
func (s *Service) RecordInspection(
	ctx context.Context,
	actor audit.Actor,
	opID, uscc string,
	ifVersion int64,
	in InspectionInput,
) (*Inspection, error) {
	const op = "enforcement.RecordInspection"

	o, err := s.Operation(ctx, opID)
	if err != nil {
		return nil, err
	}
	code, err := registry.ParseUSCC(uscc)
	if err != nil || !o.HasTarget(code) {
		return nil, errs.E(errs.NotFound, op,
			"该企业不是本次联合执法的检查对象 (the enterprise is not a target of the operation)")
	}
	ents, _, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{code})
	if err != nil {
		return nil, err
	}
	if len(ents) == 0 {
		return nil, errs.E(errs.NotFound, op, "没有这家企业 (no such enterprise)")
	}

	now := s.now().UTC().Truncate(time.Millisecond)
	ins, fe := in.check(o, &ents[0], now)
	if len(fe) > 0 {
		return nil, errs.Fields(op, fe...)
	}
	ins.ID, ins.OperationID, ins.OperationTitle, ins.USCC = InspectionID(o.ID, code), o.ID, o.Title, code
	ins.Version, ins.RecordedAt, ins.RecordedBy = ifVersion+1, now, actor.Username

	before, err := s.stored(ctx, ins.ID, ifVersion)
	if err != nil {
		return nil, err
	}
	if err := s.store.PutInspection(ctx, &ins); err != nil {
		return nil, err
	}
	change := map[string]any{"after": ins}
	if before != nil {
		change["before"] = before
	}
	_, err = s.audit.Append(ctx, audit.Entry{
		Actor: actor, Action: "inspection.record", Target: ins.target(), Version: ins.Version, Change: change,
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}

	if _, err := s.registry.Rescore(ctx, []registry.USCC{code}); err != nil {
		return &ins, err
	}
	return &ins, nil
}

// stored returns the record being replaced, checking that it is at the version the caller
// read: none for ifVersion 0. The store checks the version again as it writes.
func (s *Service) stored(ctx context.Context, id string, ifVersion int64) (*Inspection, error) {
	switch {
	case ifVersion < 0:
		return nil, errStaleInspection
	case ifVersion == 0:
		return nil, nil
	}
	prev, err := s.store.GetInspection(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, errStaleInspection
	}
	if err != nil {
		return nil, err
	}
	if prev.Version != ifVersion {
		return nil, errStaleInspection
	}
	return prev, nil
}
