package enforcement

import (
	"context"

	"prepaidreg/registry"
)

// dossierRecords is how many interviews and how many inspections a dossier lists.
const dossierRecords = 20

var (
	_ registry.Signals = (*Service)(nil)
	_ registry.Records = (*Service)(nil)
)

// RiskSignals implements registry.Signals: the enterprise's interview no-shows and missed
// rectification deadlines, and what inspections found and fined.
func (s *Service) RiskSignals(ctx context.Context, uscc registry.USCC) (registry.RiskSignals, error) {
	noShows, unmet, err := s.interviewSignals(ctx, uscc)
	if err != nil {
		return registry.RiskSignals{}, err
	}
	findings, penalties, lastYear, err := s.inspectionSignals(ctx, uscc)
	if err != nil {
		return registry.RiskSignals{}, err
	}
	return registry.RiskSignals{
		InterviewNoShows: noShows, UnmetRectifications: unmet,
		EnforcementFindings: findings, Penalties: penalties, PenaltiesLastYear: lastYear,
	}, nil
}

// DossierRecords implements registry.Records: the enterprise's latest interviews and
// inspections with their outcomes.
func (s *Service) DossierRecords(ctx context.Context, uscc registry.USCC) (registry.DossierRecords, error) {
	interviews, err := s.interviewRecords(ctx, uscc, dossierRecords)
	if err != nil {
		return registry.DossierRecords{}, err
	}
	inspections, err := s.inspectionRecords(ctx, uscc, dossierRecords)
	if err != nil {
		return registry.DossierRecords{}, err
	}
	return registry.DossierRecords{Interviews: interviews, Inspections: inspections}, nil
}
