package registry

import (
	"context"
	"strconv"
	"time"
)

// DossierRecord is one record another module keeps of an enterprise (an interview, an
// inspection, a mediation case), as the dossier lists it: what it was, when, where it stands
// and how it ended, in plain Chinese, with the console page that shows it in full.
type DossierRecord struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Title   string    `json:"title"`
	State   string    `json:"state"`
	Outcome string    `json:"outcome"`
	Link    string    `json:"link,omitempty"`
}

// DossierRecords are the records a module adds to an enterprise's dossier, each list newest
// first and bounded by the module.
type DossierRecords struct {
	Interviews  []DossierRecord
	Inspections []DossierRecord
	Mediation   []DossierRecord
	// Funds is the supervised funds' summary, from the module that keeps them.
	Funds *FundsSection
}

// Records is how the dossier learns of the other modules' records of an enterprise; the
// enforcement and mediation modules implement it and cmd wires them.
type Records interface {
	DossierRecords(ctx context.Context, uscc USCC) (DossierRecords, error)
}

// SetRecords sets the modules whose records the dossier lists.
func (s *Service) SetRecords(sources ...Records) { s.records = sources }

// SetSignals sets the modules whose risk signals the score takes in; their signals are added
// together.
func (s *Service) SetSignals(sources ...Signals) { s.signals = sumSignals(sources) }

// sumSignals asks each module in turn and adds up what they know.
type sumSignals []Signals

func (m sumSignals) RiskSignals(ctx context.Context, uscc USCC) (RiskSignals, error) {
	var total RiskSignals
	for _, src := range m {
		sig, err := src.RiskSignals(ctx, uscc)
		if err != nil {
			return RiskSignals{}, err
		}
		total.InterviewNoShows += sig.InterviewNoShows
		total.UnmetRectifications += sig.UnmetRectifications
		total.EnforcementFindings += sig.EnforcementFindings
		total.Penalties += sig.Penalties
		total.PenaltiesLastYear += sig.PenaltiesLastYear
		total.FailedMediations += sig.FailedMediations
		total.HeldFen += sig.HeldFen
		total.RequiredFen += sig.RequiredFen
		total.FundAlerts += sig.FundAlerts
	}
	return total, nil
}

// blackListGrounds names the black-list grounds the enterprise's records meet, for the
// regulator to consider; meeting one does not list the enterprise, a decision does.
func blackListGrounds(e *Enterprise, sig RiskSignals) []string {
	var out []string
	// 《市场监督管理严重违法失信名单管理办法》: a local rule (Shanghai) counts two
	// administrative penalties within a year as a ground.
	if sig.PenaltiesLastYear >= 2 {
		out = append(out, "一年内受到两次及以上行政处罚（近一年"+strconv.Itoa(sig.PenaltiesLastYear)+"次）")
	}
	// Art. 8: taking prepayments, then closing or moving to dodge obligations.
	if e.Status == StatusUnreachable {
		out = append(out, "经营场所无法联系（停业跑路），需核实是否逃避预付款义务")
	}
	return out
}
