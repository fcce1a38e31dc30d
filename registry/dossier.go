package registry

import (
	"context"
	"encoding/json"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// Dossier is an enterprise's whole file (一企一档): the registration record and one section
// for each kind of record the modules keep about it. Sections whose module has nothing on file
// yet are present and empty.
type Dossier struct {
	Enterprise  *Enterprise       `json:"enterprise"`
	Complaints  ComplaintsSection `json:"complaints"`
	Risk        RiskSection       `json:"risk"`
	ListStatus  ListStatusSection `json:"list_status"`
	Interviews  []DossierRecord   `json:"interviews"`
	Enforcement []DossierRecord   `json:"enforcement"`
	Mediation   []DossierRecord   `json:"mediation"`
	Funds       FundsSection      `json:"funds"`
	Changes     []DossierChange   `json:"changes"`
	GeneratedAt time.Time         `json:"generated_at"`
}

// ComplaintsSection summarises the complaints linked to the enterprise.
type ComplaintsSection struct {
	Total      int64            `json:"total"`
	Open       int64            `json:"open"`
	Last30Days int64            `json:"last_30_days"`
	Last90Days int64            `json:"last_90_days"`
	ByCategory map[string]int64 `json:"by_category"`
	AmountFen  int64            `json:"amount_fen"`
	FirstAt    *time.Time       `json:"first_at"`
	LatestAt   *time.Time       `json:"latest_at"`
	// Daily is the count for each of the last 180 days, oldest first, ending today.
	Daily []DayCount `json:"daily"`
}

// RiskSection holds the enterprise's current risk assessment, if it has one.
type RiskSection struct {
	Score        *int       `json:"score"`
	Level        string     `json:"level,omitempty"`
	Assessed     *time.Time `json:"assessed_at,omitempty"`
	ModelVersion int        `json:"model_version,omitempty"`
	AssessmentID string     `json:"assessment_id,omitempty"`
	Factors      []Factor   `json:"factors"`
}

func riskSection(a *Assessment) RiskSection {
	if a == nil {
		return RiskSection{Factors: []Factor{}}
	}
	score, at := a.Score, a.AssessedAt
	return RiskSection{Score: &score, Level: string(a.Level), Assessed: &at, ModelVersion: a.ModelVersion,
		AssessmentID: a.ID, Factors: a.Factors}
}

// ListStatusSection says whether the enterprise is on the grey or black list, and lists its
// list entries, newest first.
type ListStatusSection struct {
	// List is "", "grey" or "black": the list of its published entry (one awaiting removal
	// included); black when it is on both.
	List string `json:"list"`
	// Entries are its latest entries, at most 20, its open ones always among them.
	Entries []ListStatusEntry `json:"entries"`
	// Grounds are the black-list grounds its records meet, for a regulator to consider.
	Grounds []string `json:"grounds"`
}

// ListStatusEntry is one list entry as the dossier shows it.
type ListStatusEntry struct {
	ID             string     `json:"id"`
	Kind           ListKind   `json:"kind"`
	State          EntryState `json:"state"`
	ListedAt       *time.Time `json:"listed_at"`
	RemovedAt      *time.Time `json:"removed_at"`
	DecisionNumber string     `json:"decision_number"`
}

// listStatus sums up an enterprise's entries, given newest first.
func listStatus(entries []ListEntry) ListStatusSection {
	sec := ListStatusSection{Entries: make([]ListStatusEntry, 0, len(entries)), Grounds: []string{}}
	for _, e := range entries {
		if e.State.Listed() && sec.List != string(ListBlack) {
			sec.List = string(e.Kind)
		}
		sec.Entries = append(sec.Entries, ListStatusEntry{ID: e.ID, Kind: e.Kind, State: e.State,
			ListedAt: e.ListedAt, RemovedAt: e.RemovedAt, DecisionNumber: e.DecisionNumber})
	}
	return sec
}

// FundsSection summarises supervised funds and insurance.
type FundsSection struct {
	SupervisedBalanceFen *int64 `json:"supervised_balance_fen"`
	RequiredDepositFen   *int64 `json:"required_deposit_fen"`
}

// DossierChange is one entry of the file's change history.
type DossierChange struct {
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Version int64           `json:"version"`
	Change  json.RawMessage `json:"change"`
}

// dossierChanges is how many of the latest changes a dossier shows.
const dossierChanges = 20

// Dossier returns the enterprise's whole file. It costs a fixed number of reads whatever the
// enterprise's history: the enterprise document with its summaries, its current assessment,
// one bounded read of its latest changes, and one of its latest list entries.
func (s *Service) Dossier(ctx context.Context, uscc string) (*Dossier, error) {
	code, err := ParseUSCC(uscc)
	if err != nil {
		return nil, errNoEnterprise
	}
	file, err := s.complaints.GetEnterpriseFile(ctx, code)
	if err != nil {
		return nil, err
	}
	e := file.Enterprise
	page, err := s.audit.List(ctx, audit.Query{Target: e.target(), Latest: true, Limit: dossierChanges})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.Dossier", err)
	}
	entries, err := s.EntriesOf(ctx, uscc)
	if err != nil {
		return nil, err
	}
	var current *Assessment
	if file.Risk != nil {
		if current, err = s.store.GetAssessment(ctx, file.Risk.AssessmentID); err != nil {
			return nil, err
		}
	}

	d := &Dossier{
		Enterprise:  e,
		Complaints:  file.Complaints.section(s.now()),
		Risk:        riskSection(current),
		ListStatus:  listStatus(entries),
		Interviews:  []DossierRecord{},
		Enforcement: []DossierRecord{},
		Mediation:   []DossierRecord{},
		Changes:     make([]DossierChange, 0, len(page.Records)),
		GeneratedAt: s.now().UTC(),
	}
	if err := s.addRecords(ctx, code, d); err != nil {
		return nil, err
	}
	for _, r := range page.Records {
		d.Changes = append(d.Changes, DossierChange{
			At: r.At, Actor: r.Actor, Action: r.Action, Version: r.Version, Change: r.ChangeJSON(),
		})
	}
	return d, nil
}

// addRecords adds the other modules' records of the enterprise, and the black-list grounds
// their signals meet.
func (s *Service) addRecords(ctx context.Context, code USCC, d *Dossier) error {
	for _, src := range s.records {
		r, err := src.DossierRecords(ctx, code)
		if err != nil {
			return err
		}
		d.Interviews = append(d.Interviews, r.Interviews...)
		d.Enforcement = append(d.Enforcement, r.Inspections...)
		d.Mediation = append(d.Mediation, r.Mediation...)
		if r.Funds != nil {
			d.Funds = *r.Funds
		}
	}
	sig, err := s.signals.RiskSignals(ctx, code)
	if err != nil {
		return err
	}
	d.ListStatus.Grounds = blackListGrounds(d.Enterprise, sig)
	return nil
}
