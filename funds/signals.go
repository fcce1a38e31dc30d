package funds

import (
	"context"

	"prepaidreg/registry"
)

var _ registry.Signals = (*Service)(nil)

// RiskSignals implements registry.Signals: the funds held and the deposit required, summed
// over the enterprise's open accounts. RiskSignals has no field for insurance, so HeldFen
// counts the cash held plus the insurance policies and bank guarantees valid today: they
// stand in for the deposit they cover, and the risk factor compares covered with required.
func (s *Service) RiskSignals(ctx context.Context, uscc registry.USCC) (registry.RiskSignals, error) {
	sum, err := s.FundsSummary(ctx, uscc)
	if err != nil {
		return registry.RiskSignals{}, err
	}
	open, err := s.store.ListAlerts(ctx, alertFilter{States: []AlertState{AlertNew, AlertAcknowledged}, USCC: uscc,
		Limit: 100})
	if err != nil {
		return registry.RiskSignals{}, err
	}
	// The shortfall itself is already weighed from the figures; the other alerts add to it.
	others := 0
	for _, a := range open {
		if a.Kind != AlertCoverageBelow {
			others++
		}
	}
	return registry.RiskSignals{HeldFen: sum.HeldFen + sum.InsuredFen, RequiredFen: sum.RequiredFen,
		FundAlerts: others}, nil
}

// Summary is what the enterprise's dossier shows of its supervised funds: the figures of its
// open accounts added together, for today.
type Summary struct {
	Accounts       int   `json:"accounts"`
	FrozenAccounts int   `json:"frozen_accounts"`
	HeldFen        int64 `json:"held_fen"`
	OutstandingFen int64 `json:"outstanding_fen"`
	RequiredFen    int64 `json:"required_fen"`
	InsuredFen     int64 `json:"insured_fen"`
	// Coverage is (held + insured) / required, for display; null when nothing is required.
	Coverage *float64 `json:"coverage"`
}

// Section returns the summary as the registry's dossier section: the supervised balance
// counts cash held and valid cover, as the risk signals do; both figures are null when the
// enterprise has no open account.
func (s Summary) Section() registry.FundsSection {
	if s.Accounts == 0 {
		return registry.FundsSection{}
	}
	held, required := s.HeldFen+s.InsuredFen, s.RequiredFen
	return registry.FundsSection{SupervisedBalanceFen: &held, RequiredDepositFen: &required}
}

// FundsSummary returns the figures of the enterprise's open accounts, added together, in one
// read of its accounts.
func (s *Service) FundsSummary(ctx context.Context, uscc registry.USCC) (Summary, error) {
	accounts, err := s.store.AccountsOf(ctx, uscc)
	if err != nil {
		return Summary{}, err
	}
	day := dayOf(s.now())
	var sum Summary
	for i := range accounts {
		a := &accounts[i]
		if a.State != AccountOpen {
			continue
		}
		a.derive(day)
		sum.Accounts++
		if a.Frozen {
			sum.FrozenAccounts++
		}
		sum.HeldFen += a.HeldFen
		sum.OutstandingFen += a.OutstandingFen
		sum.RequiredFen += a.RequiredFen
		sum.InsuredFen += a.InsuredFen
	}
	sum.Coverage = coverage(sum.HeldFen+sum.InsuredFen, sum.RequiredFen)
	return sum, nil
}

var _ registry.Records = (*Service)(nil)

// DossierRecords implements registry.Records: the dossier's funds section, the figures of the
// enterprise's open accounts added together.
func (s *Service) DossierRecords(ctx context.Context, uscc registry.USCC) (registry.DossierRecords, error) {
	sum, err := s.FundsSummary(ctx, uscc)
	if err != nil {
		return registry.DossierRecords{}, err
	}
	sec := sum.Section()
	return registry.DossierRecords{Funds: &sec}, nil
}
