package funds

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/registry"
)

// AlertSettings are the numbers of the alert rules. Cities differ, so they are settings;
// DefaultAlertSettings holds the defaults.
type AlertSettings struct {
	// NoDepositDays is the window of the no_deposit rule, today included.
	NoDepositDays int
	// ReleaseSharePercent and ReleaseWindowDays: a release of more than this share of the
	// funds held just before it, within this many days before a closure or black-listing.
	ReleaseSharePercent int
	ReleaseWindowDays   int
	// StatementDays is the longest a statement may be awaited.
	StatementDays int
}

// DefaultAlertSettings are the rules' defaults.
var DefaultAlertSettings = AlertSettings{NoDepositDays: 30, ReleaseSharePercent: 30, ReleaseWindowDays: 15,
	StatementDays: 35}

// AlertHook is told of every alert raised or changed by a detection, after the fact; cmd wires
// it to the registry's re-scoring of the enterprise.
type AlertHook func(ctx context.Context, a Alert) error

// alertConfig is a service's alert settings and hook.
type alertConfig struct {
	settings AlertSettings
	hook     AlertHook
}

func (s *Service) alertConfig() alertConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.alerts
}

// SetAlertSettings replaces the alert rules' numbers; each must be at least 1 (a share, at
// most 100).
func (s *Service) SetAlertSettings(as AlertSettings) error {
	if as.NoDepositDays < 1 || as.ReleaseWindowDays < 1 || as.StatementDays < 1 ||
		as.ReleaseSharePercent < 1 || as.ReleaseSharePercent > 100 {
		return errs.E(errs.Invalid, "funds.SetAlertSettings",
			"预警参数须为正整数，比例不超过100 (settings out of range)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.settings = as
	return nil
}

// SetAlertHook sets the function told of each alert raised or changed.
func (s *Service) SetAlertHook(h AlertHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.hook = h
}

// maxAlertAttempts bounds the retries of an alert write that lost a race.
const maxAlertAttempts = 5

// raise merges f into the account's open alert of its kind, or opens a new alert when there
// is none, records the change and tells the hook. It returns the alert and whether it is new.
// A finding that changes nothing writes nothing.
func (s *Service) raise(ctx context.Context, a *Account, f finding) (*Alert, bool, error) {
	const op = "funds.raiseAlert"
	if f.Figures == nil {
		f.Figures = map[string]int64{}
	}
	for range maxAlertAttempts {
		al, raised, err := s.raiseOnce(ctx, a, f)
		if errs.Is(err, errs.Conflict) || errs.Is(err, errs.Stale) {
			continue
		}
		if err != nil || al == nil {
			return al, raised, err
		}
		if h := s.alertConfig().hook; h != nil {
			if err := h(ctx, *al); err != nil {
				return al, raised, err
			}
		}
		return al, raised, nil
	}
	return nil, false, errs.E(errs.Internal, op, "too many concurrent changes to one alert")
}

// raiseOnce makes one attempt under the lock of the account's alerts of the kind. A Conflict
// or Stale error means another process wrote first: the caller tries again.
func (s *Service) raiseOnce(ctx context.Context, a *Account, f finding) (*Alert, bool, error) {
	defer store.LockDocument(AlertsCollection, a.ID+"/"+string(f.Kind))()
	open, err := s.openAlert(ctx, a.ID, f.Kind)
	if err != nil {
		return nil, false, err
	}
	now := s.clock()
	if open != nil {
		before := open.Detail
		next := *open
		if !next.merge(f) {
			return open, false, nil
		}
		next.Version++
		next.UpdatedAt = now
		if err := s.store.UpdateAlert(ctx, &next); err != nil {
			return nil, false, err
		}
		return &next, false, s.auditAlert(ctx, audit.System, "fund_alert.update", &next, map[string]any{
			"detail": map[string]string{"from": before, "to": next.Detail}, "figures": next.Figures,
			"evidence": next.Evidence})
	}

	n, err := s.store.CountAlerts(ctx, a.ID, f.Kind)
	if err != nil {
		return nil, false, err
	}
	al := &Alert{ID: alertID(a.ID, f.Kind, n+1), AccountID: a.ID, USCC: a.USCC, Kind: f.Kind, Detail: f.Detail,
		Figures: f.Figures, Evidence: boundEvidence(f.Evidence), State: AlertNew, RaisedAt: now, UpdatedAt: now,
		Version: 1}
	if err := s.store.InsertAlert(ctx, al); err != nil {
		return nil, false, err
	}
	return al, true, s.auditAlert(ctx, audit.System, "fund_alert.raise", al, map[string]any{
		"account_id": a.ID, "kind": f.Kind, "detail": al.Detail, "figures": al.Figures, "evidence": al.Evidence})
}

// openAlert returns the account's open alert of the kind, or nil.
func (s *Service) openAlert(ctx context.Context, accountID string, kind AlertKind) (*Alert, error) {
	open, err := s.store.OpenAlertsOf(ctx, accountID)
	if err != nil {
		return nil, err
	}
	for i := range open {
		if open[i].Kind == kind {
			return &open[i], nil
		}
	}
	return nil, nil
}

func (s *Service) auditAlert(ctx context.Context, actor audit.Actor, action string, a *Alert, change any) error {
	_, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: action, Target: a.target(), Version: a.Version,
		Change: change})
	if err != nil {
		return errs.Wrap(errs.Internal, "funds."+action, err)
	}
	return nil
}

// Alert returns one alert.
func (s *Service) Alert(ctx context.Context, id string) (*Alert, error) {
	if len(id) > 200 {
		return nil, errNoAlert
	}
	return s.store.GetAlert(ctx, id)
}

// Alerts returns one page of the alerts queue, newest raised first.
func (s *Service) Alerts(ctx context.Context, q AlertQuery) (AlertPage, error) {
	f, fe := q.parse()
	if len(fe) > 0 {
		return AlertPage{}, errs.Fields("funds.Alerts", fe...)
	}
	want := f.Limit
	f.Limit++
	items, err := s.store.ListAlerts(ctx, f)
	if err != nil {
		return AlertPage{}, err
	}
	page := AlertPage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		last := page.Items[want-1]
		page.NextCursor = alertCursor{RaisedAt: last.RaisedAt, ID: last.ID}.encode()
	}
	return page, nil
}

// maxAlertNote is the longest note kept with a closing.
const maxAlertNote = 500

// AcknowledgeAlert records that a person has taken up a new alert read at ifVersion.
func (s *Service) AcknowledgeAlert(ctx context.Context, actor audit.Actor, id string, ifVersion int64) (*Alert, error) {
	const op = "funds.AcknowledgeAlert"
	return s.moveAlert(ctx, actor, op, id, ifVersion, "fund_alert.acknowledge", func(a *Alert, now time.Time) error {
		if a.State != AlertNew {
			return errs.E(errs.Conflict, op, "预警已确认或已关闭 (the alert is not new)")
		}
		a.State, a.AcknowledgedBy, a.AcknowledgedAt = AlertAcknowledged, actor.Username, &now
		return nil
	})
}

// CloseAlert closes an open alert read at ifVersion, with a note that says why: the
// condition was dealt with, or no longer holds. Alerts are never closed by the detection.
func (s *Service) CloseAlert(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifVersion int64,
	note string,
) (*Alert, error) {
	const op = "funds.CloseAlert"
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return nil, errs.Fields(op, field("note", "请填写关闭说明 (a note is required to close an alert)"))
	case utf8.RuneCountInString(note) > maxAlertNote || strings.ContainsFunc(note, func(r rune) bool {
		return r < 0x20 && r != '\n' || r == 0x7f
	}):
		return nil, errs.Fields(op, field("note", fmt.Sprintf("最多%d个字，不含控制字符 (at most %d characters)",
			maxAlertNote, maxAlertNote)))
	}
	return s.moveAlert(ctx, actor, op, id, ifVersion, "fund_alert.close", func(a *Alert, now time.Time) error {
		if !a.State.Open() {
			return errs.E(errs.Conflict, op, "预警已关闭 (the alert is closed)")
		}
		a.State, a.ClosedBy, a.ClosedAt, a.ClosedNote = AlertClosed, actor.Username, &now, note
		return nil
	})
}

// moveAlert changes the state of the alert read at ifVersion under the lock the detection
// takes, stores it one version up and records the change.
func (s *Service) moveAlert(
	ctx context.Context,
	actor audit.Actor,
	op, id string,
	ifVersion int64,
	action string,
	fn func(a *Alert, now time.Time) error,
) (*Alert, error) {
	first, err := s.Alert(ctx, id)
	if err != nil {
		return nil, err
	}
	defer store.LockDocument(AlertsCollection, first.AccountID+"/"+string(first.Kind))()
	a, err := s.store.GetAlert(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Version != ifVersion {
		return nil, errStaleAlert
	}
	from := a.State
	now := s.clock()
	if err := fn(a, now); err != nil {
		return nil, err
	}
	a.Version++
	a.UpdatedAt = now
	if err := s.store.UpdateAlert(ctx, a); err != nil {
		return nil, err
	}
	change := map[string]any{"state": map[string]AlertState{"from": from, "to": a.State}}
	if a.ClosedNote != "" {
		change["note"] = a.ClosedNote
	}
	if err := s.auditAlert(ctx, actor, action, a, change); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return a, nil
}

// AfterPost evaluates the account's alerts after an entry was posted to it. It runs once the
// posting has returned, outside the account's lock: the API and console handlers call it after
// a fresh posting, and the hourly sweep catches any check that failed.
func (s *Service) AfterPost(ctx context.Context, accountID string) error {
	_, err := s.CheckAccount(ctx, accountID)
	return err
}

// CheckAccount evaluates the account's alert rules now and raises or updates an alert for
// each rule that holds, returning those alerts. A closed account raises nothing. An alert
// whose rule no longer holds is left as it is: it stays open until a person closes it.
//
// The rules, with DefaultAlertSettings:
//
//   - coverage_below: something is required (RequiredFor on the outstanding balance) and the
//     funds held plus the covers valid today are less than it.
//   - no_deposit: sales were reported in the last 30 days (today included, days in
//     Asia/Shanghai) and no deposit was posted in those days. Corrected entries do not count.
//   - release_before_closure: a release, not corrected, of more than 30 % of the funds held
//     just before it (in the order entries occurred), made on one of the 15 days before the
//     day of an event or on that day up to the event. The events are: the enterprise's status
//     being closed, suspended or unreachable, dated by its record's updated_at (the registry
//     keeps no time of the status change; the record's last change is at or after it), and
//     the publication (listed_at) of each black-list entry of the enterprise, read when the
//     registry offers EntriesOf (*registry.Service does).
//   - statement_missing: more than 35 days (Asia/Shanghai) since the last statement import,
//     or since the account was opened when it has none.
//
// statement_mismatch is raised by ImportStatement, not here.
func (s *Service) CheckAccount(ctx context.Context, accountID string) ([]Alert, error) {
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.State != AccountOpen {
		return []Alert{}, nil
	}
	found, missing, err := s.registry.EnterprisesByUSCC(ctx, []registry.USCC{a.USCC})
	if err != nil {
		return nil, err
	}
	var e *registry.Enterprise
	if len(missing) == 0 && len(found) == 1 {
		e = &found[0]
	}
	alerts, _, err := s.checkAccount(ctx, a, e)
	return alerts, err
}

// SweepAlerts checks every open account (CheckAccount) and returns how many alerts it newly
// raised; updates of open alerts are not counted. The server runs it hourly. It reads the
// enterprises at once, then each account's ledger, list entries and latest statement: on the
// embedded store each of those reads scans its collection.
func (s *Service) SweepAlerts(ctx context.Context) (raised int, err error) {
	accounts, err := s.store.AllAccounts(ctx)
	if err != nil {
		return 0, err
	}
	var codes []registry.USCC
	seen := map[registry.USCC]bool{}
	for _, a := range accounts {
		if a.State == AccountOpen && !seen[a.USCC] {
			seen[a.USCC] = true
			codes = append(codes, a.USCC)
		}
	}
	if len(codes) == 0 {
		return 0, nil
	}
	found, _, err := s.registry.EnterprisesByUSCC(ctx, codes)
	if err != nil {
		return 0, err
	}
	byCode := make(map[registry.USCC]*registry.Enterprise, len(found))
	for i := range found {
		byCode[found[i].USCC] = &found[i]
	}
	for i := range accounts {
		a := &accounts[i]
		if a.State != AccountOpen {
			continue
		}
		_, n, err := s.checkAccount(ctx, a, byCode[a.USCC])
		if err != nil {
			return raised, err
		}
		raised += n
	}
	return raised, nil
}

// checkAccount applies the rules to an account and its enterprise (nil when not on file) and
// raises what they find; it returns the alerts and how many were new.
func (s *Service) checkAccount(ctx context.Context, a *Account, e *registry.Enterprise) ([]Alert, int, error) {
	now := s.now()
	set := s.alertConfig().settings
	l, err := s.ledger(ctx, a.ID)
	if err != nil {
		return nil, 0, err
	}
	a.derive(dayOf(now))

	var findings []finding
	if f, ok := coverageFinding(a); ok {
		findings = append(findings, f)
	}
	if f, ok := noDepositFinding(l, now, set); ok {
		findings = append(findings, f)
	}
	events, err := s.closureEvents(ctx, e)
	if err != nil {
		return nil, 0, err
	}
	if f, ok := releaseFinding(l, events, set); ok {
		findings = append(findings, f)
	}
	f, ok, err := s.statementFinding(ctx, a, now, set)
	if err != nil {
		return nil, 0, err
	}
	if ok {
		findings = append(findings, f)
	}

	out, raised := []Alert{}, 0
	for _, f := range findings {
		al, isNew, err := s.raise(ctx, a, f)
		if err != nil {
			return out, raised, err
		}
		out = append(out, *al)
		if isNew {
			raised++
		}
	}
	return out, raised, nil
}

// listEntries is what the release rule reads of the registry when it offers it:
// *registry.Service does.
type listEntries interface {
	EntriesOf(ctx context.Context, uscc string) ([]registry.ListEntry, error)
}

// closureEvents returns the events the release rule looks back from: the enterprise's
// status, when closed, suspended or unreachable, dated by its record's last change, and the
// publication of each of its black-list entries.
func (s *Service) closureEvents(ctx context.Context, e *registry.Enterprise) ([]closureEvent, error) {
	if e == nil {
		return nil, nil
	}
	var out []closureEvent
	switch e.Status {
	case registry.StatusClosed, registry.StatusSuspended, registry.StatusUnreachable:
		out = append(out, closureEvent{At: e.UpdatedAt, What: "企业状态变为“" + e.Status.Label() + "”"})
	}
	lr, ok := s.registry.(listEntries)
	if !ok {
		return out, nil
	}
	entries, err := lr.EntriesOf(ctx, string(e.USCC))
	if err != nil {
		return nil, err
	}
	for _, le := range entries {
		if le.Kind == registry.ListBlack && le.ListedAt != nil {
			out = append(out, closureEvent{At: *le.ListedAt, What: "企业被列入严重违法失信名单"})
		}
	}
	return out, nil
}

// statementFinding applies the statement_missing rule.
func (s *Service) statementFinding(
	ctx context.Context,
	a *Account,
	now time.Time,
	set AlertSettings,
) (finding, bool, error) {
	since, what := a.CreatedAt, "账户于%s开立，此后"
	last, err := s.store.LatestStatement(ctx, a.ID)
	switch {
	case err == nil:
		since, what = last.ImportedAt, "最近一次导入对账单为%s，此后"
	case !errs.Is(err, errs.NotFound):
		return finding{}, false, err
	}
	days := daysBetween(since, now)
	if days <= int64(set.StatementDays) {
		return finding{}, false, nil
	}
	detail := fmt.Sprintf(what+"已%d日未收到银行对账单（应每%d日内至少导入一次）。",
		planDate(since), days, set.StatementDays)
	f := finding{Kind: AlertStatementMissing, Detail: detail, Figures: map[string]int64{
		"days_since": days, "limit_days": int64(set.StatementDays)}}
	if last != nil {
		f.Evidence = []string{last.ID}
	}
	return f, true, nil
}
