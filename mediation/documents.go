package mediation

import (
	"context"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// AgreementDocument renders the case's mediation agreement (调解协议书). Only staff and the
// assigned mediator may have it: it names the consumers in full.
func (s *Service) AgreementDocument(ctx context.Context, actor audit.Actor, id string) ([]byte, error) {
	const op = "mediation.AgreementDocument"
	c, body, mediator, ent, err := s.documentParts(ctx, op, actor, id)
	if err != nil {
		return nil, err
	}
	if c.Agreement == nil {
		return nil, errs.E(errs.Conflict, op, "本案尚未达成调解协议 (the case has no agreement)")
	}
	consumers, party := PartiesOf(c, ent)
	return AgreementPDF(AgreementDoc{
		CaseID: c.ID, BodyName: body.Name, BodyKind: body.Kind, MediatorName: mediator.Name,
		Consumers: consumers, Enterprise: party, Facts: c.Facts, Points: c.Agreement.Points,
		Terms: c.Agreement.Terms, OverClaimReason: c.Agreement.OverClaimReason, SignedAt: c.Agreement.SignedAt,
	})
}

// TerminationDocument renders the record of mediation ended without agreement (终止调解书).
// Only staff and the assigned mediator may have it.
func (s *Service) TerminationDocument(ctx context.Context, actor audit.Actor, id string) ([]byte, error) {
	const op = "mediation.TerminationDocument"
	c, body, mediator, ent, err := s.documentParts(ctx, op, actor, id)
	if err != nil {
		return nil, err
	}
	if c.Ending != EndingNoAgreement || c.EndedAt == nil {
		return nil, errs.E(errs.Conflict, op, "本案未终止调解 (the case did not end without agreement)")
	}
	consumers, party := PartiesOf(c, ent)
	var points []string
	if c.Agreement != nil {
		points = c.Agreement.Points
	}
	return TerminationPDF(TerminationDoc{
		CaseID: c.ID, BodyName: body.Name, BodyKind: body.Kind, MediatorName: mediator.Name,
		Consumers: consumers, Enterprise: party, Facts: c.Facts, Points: points,
		Reason: c.Outcome, EndedAt: *c.EndedAt,
	})
}

// documentParts reads what a case's documents are made from: the case as the actor may see it
// in full, its body and mediator, and the enterprise.
func (s *Service) documentParts(
	ctx context.Context,
	op string,
	actor audit.Actor,
	id string,
) (*Case, *Body, *Mediator, *registry.Enterprise, error) {
	c, err := s.store.GetCase(ctx, id)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if !handles(actor, c) {
		return nil, nil, nil, nil, errs.E(errs.Forbidden, op, errNotYours)
	}
	if c.Body == "" || c.Mediator == "" {
		return nil, nil, nil, nil, errs.E(errs.Conflict, op,
			"本案尚未分派调解组织和调解员 (the case has no body and mediator)")
	}
	body, err := s.store.GetBody(ctx, c.Body)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	mediator, err := s.store.GetMediator(ctx, c.Mediator)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	found, _, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{c.USCC})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var ent *registry.Enterprise
	if len(found) == 1 {
		ent = &found[0]
	}
	return c, body, mediator, ent, nil
}
