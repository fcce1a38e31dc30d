package funds

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/money"
	"prepaidreg/registry"
)

// AlertKind is what a fund alert (资金预警) is about.
type AlertKind string

// The alert kinds.
const (
	// AlertCoverageBelow: held plus insured is less than the deposit required.
	AlertCoverageBelow AlertKind = "coverage_below"
	// AlertNoDeposit: sales reported lately but nothing deposited over the same days.
	AlertNoDeposit AlertKind = "no_deposit"
	// AlertReleaseBeforeClosure: a large release shortly before the enterprise closed,
	// suspended, became unreachable or was black-listed.
	AlertReleaseBeforeClosure AlertKind = "release_before_closure"
	// AlertStatementMissing: no bank statement imported for too long.
	AlertStatementMissing AlertKind = "statement_missing"
	// AlertStatementMismatch: an imported statement disagrees with the ledger.
	AlertStatementMismatch AlertKind = "statement_mismatch"
)

// AlertKinds lists every kind in display order.
var AlertKinds = []AlertKind{AlertCoverageBelow, AlertNoDeposit, AlertReleaseBeforeClosure,
	AlertStatementMissing, AlertStatementMismatch}

var alertKindLabels = map[AlertKind]string{
	AlertCoverageBelow:        "存管资金覆盖率不足",
	AlertNoDeposit:            "有销售无存入",
	AlertReleaseBeforeClosure: "停业前大额释放",
	AlertStatementMissing:     "未按期报送对账单",
	AlertStatementMismatch:    "对账单与账簿不符",
}

// Label returns the kind's Chinese name.
func (k AlertKind) Label() string { return alertKindLabels[k] }

// Valid reports whether k is one of AlertKinds.
func (k AlertKind) Valid() bool { _, ok := alertKindLabels[k]; return ok }

// AlertState is where an alert stands. New and acknowledged alerts are open; a closed alert
// stays on file, and a later finding of its kind opens a new one.
type AlertState string

// The alert states.
const (
	AlertNew          AlertState = "new"
	AlertAcknowledged AlertState = "acknowledged"
	AlertClosed       AlertState = "closed"
)

// AlertOpen selects new and acknowledged alerts in an AlertQuery; no alert is in this state.
const AlertOpen AlertState = "open"

// Open reports whether an alert in this state still waits for a person.
func (s AlertState) Open() bool { return s == AlertNew || s == AlertAcknowledged }

// Alert is one fund alert about one supervised account. At most one alert of each kind is
// open per account: a later finding updates its detail and figures instead of adding another.
// An alert whose condition no longer holds stays open until a person closes it, with a note.
//
// Figures holds the alert's numbers as integers: amounts in fen (keys ending in _fen), counts,
// days, and ratios in basis points (keys ending in _bp; 6250 is 62.50 %).
type Alert struct {
	ID        string           `json:"id" bson:"_id"`
	AccountID string           `json:"account_id" bson:"account_id"`
	USCC      registry.USCC    `json:"uscc" bson:"uscc"`
	Kind      AlertKind        `json:"kind" bson:"kind"`
	Detail    string           `json:"detail" bson:"detail"`
	Figures   map[string]int64 `json:"figures" bson:"figures"`
	// Evidence names the records the finding rests on: ledger entries, a statement import.
	Evidence []string   `json:"evidence" bson:"evidence"`
	State    AlertState `json:"state" bson:"state"`
	RaisedAt time.Time  `json:"raised_at" bson:"raised_at"`
	// UpdatedAt is the time of the latest change: new figures, or a change of state.
	UpdatedAt      time.Time  `json:"updated_at" bson:"updated_at"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty" bson:"acknowledged_by,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty" bson:"acknowledged_at,omitempty"`
	ClosedBy       string     `json:"closed_by,omitempty" bson:"closed_by,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty" bson:"closed_at,omitempty"`
	ClosedNote     string     `json:"closed_note,omitempty" bson:"closed_note,omitempty"`
	Version        int64      `json:"version" bson:"version"`
}

func (a *Alert) target() string { return "fund_alert/" + a.ID }

// alertID is the id of the n-th alert of an account and kind. Two detections that race to
// raise the same alert compute the same id, and the loser merges into the winner's.
func alertID(accountID string, kind AlertKind, n int64) string {
	return fmt.Sprintf("%s-%s-%d", accountID, kind, n)
}

// finding is what a rule found about one account, before it becomes or updates an alert.
type finding struct {
	Kind     AlertKind
	Detail   string
	Figures  map[string]int64
	Evidence []string
}

// maxAlertEvidence bounds the records an alert names.
const maxAlertEvidence = 20

// merge folds a later finding into the open alert and reports whether anything changed.
// The evidence keeps the new finding's first, then the alert's older ones, up to the bound.
func (a *Alert) merge(f finding) bool {
	evidence := slices.Clone(f.Evidence)
	for _, id := range a.Evidence {
		if !slices.Contains(evidence, id) {
			evidence = append(evidence, id)
		}
	}
	evidence = boundEvidence(evidence)
	changed := a.Detail != f.Detail || !sameFigures(a.Figures, f.Figures) || !slices.Equal(a.Evidence, evidence)
	a.Detail, a.Figures, a.Evidence = f.Detail, f.Figures, evidence
	return changed
}

func boundEvidence(ids []string) []string {
	out := slices.Clone(ids[:min(len(ids), maxAlertEvidence)])
	if out == nil {
		out = []string{}
	}
	return out
}

func sameFigures(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// AlertQuery selects alerts, newest first. Empty fields select all.
type AlertQuery struct {
	// State is new, acknowledged, closed, or open for new and acknowledged together.
	State AlertState
	USCC  string
	Kind  AlertKind
	// Limit is the page size, 1 to 200; 0 means 50.
	Limit int
	// Cursor is the next_cursor of the page before, as given.
	Cursor string
}

// AlertPage is one page of alerts.
type AlertPage struct {
	Items []Alert `json:"items"`
	// NextCursor continues the list; "" on the last page.
	NextCursor string `json:"next_cursor"`
}

// alertFilter is an AlertQuery parsed into typed values.
type alertFilter struct {
	States []AlertState
	USCC   registry.USCC
	Kind   AlertKind
	Limit  int
	After  *alertCursor
}

// alertCursor is where a page ended: the last alert's time raised and id.
type alertCursor struct {
	RaisedAt time.Time
	ID       string
}

func (c alertCursor) encode() string {
	raw := strconv.FormatInt(c.RaisedAt.UnixMilli(), 10) + "|" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseAlertCursor(s string) (*alertCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	ms, id, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || id == "" || len(id) > 200 {
		return nil, false
	}
	return &alertCursor{RaisedAt: time.UnixMilli(n).UTC(), ID: id}, true
}

// parse checks the query and returns it as a filter.
func (q AlertQuery) parse() (alertFilter, []errs.FieldError) {
	var fe []errs.FieldError
	f := alertFilter{Kind: q.Kind, Limit: q.Limit}
	switch q.State {
	case "":
	case AlertOpen:
		f.States = []AlertState{AlertNew, AlertAcknowledged}
	case AlertNew, AlertAcknowledged, AlertClosed:
		f.States = []AlertState{q.State}
	default:
		fe = append(fe, field("state", "应为 new、acknowledged、closed 或 open (unknown state)"))
	}
	if q.USCC != "" {
		code, err := registry.ParseUSCC(q.USCC)
		if err != nil {
			fe = append(fe, field("uscc", err.Error()))
		}
		f.USCC = code
	}
	if q.Kind != "" && !q.Kind.Valid() {
		fe = append(fe, field("kind", fmt.Sprintf("未知预警类型 %q (unknown kind)", q.Kind)))
	}
	switch {
	case q.Limit == 0:
		f.Limit = 50
	case q.Limit < 0 || q.Limit > 200:
		fe = append(fe, field("limit", "每页1至200条 (1 to 200)"))
	}
	if q.Cursor != "" {
		c, ok := parseAlertCursor(q.Cursor)
		if !ok {
			fe = append(fe, field("cursor", "翻页标记无效，请从第一页重新查询 (invalid cursor)"))
		}
		f.After = c
	}
	return f, fe
}

// basisPoints returns num ÷ den in basis points, rounded half up, in exact arithmetic: a
// large balance over a tiny requirement leaves int64.
func basisPoints(num, den int64) int64 {
	n := new(big.Int).Mul(big.NewInt(num), big.NewInt(2*10_000))
	n.Add(n, big.NewInt(den))
	n.Quo(n, big.NewInt(2*den))
	if !n.IsInt64() {
		return 1<<63 - 1
	}
	return n.Int64()
}

// percent shows basis points as a percentage with two decimals: 6250 is 62.50%.
func percent(bp int64) string {
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

// coverageFinding applies the coverage_below rule to an account whose figures are derived
// for today.
func coverageFinding(a *Account) (finding, bool) {
	covered := a.HeldFen + a.InsuredFen
	if a.RequiredFen <= 0 || covered >= a.RequiredFen {
		return finding{}, false
	}
	bp := basisPoints(covered, a.RequiredFen)
	shortfall := a.RequiredFen - covered
	detail := fmt.Sprintf("覆盖率 %s，差额 %s 元（存管余额 %s 元，保险及保函 %s 元，应存 %s 元，"+
		"为未兑付预收余额 %s 元的%d%%）。",
		percent(bp), money.Yuan(shortfall), money.Yuan(a.HeldFen), money.Yuan(a.InsuredFen),
		money.Yuan(a.RequiredFen), money.Yuan(a.OutstandingFen), a.RequiredSharePercent)
	return finding{Kind: AlertCoverageBelow, Detail: detail, Figures: map[string]int64{
		"held_fen": a.HeldFen, "insured_fen": a.InsuredFen, "required_fen": a.RequiredFen,
		"shortfall_fen": shortfall, "coverage_bp": bp}}, true
}

// noDepositFinding applies the no_deposit rule: sales in the window, today included, and no
// deposit in it. Corrected entries and corrections do not count.
func noDepositFinding(l *ledger, now time.Time, set AlertSettings) (finding, bool) {
	from := stmtDay(now).AddDate(0, 0, 1-set.NoDepositDays)
	var sales, salesFen int64
	var evidence []string
	var lastDeposit *time.Time
	for _, it := range l.items {
		if it.CorrectedBy != "" || it.OccurredAt.After(now) {
			continue
		}
		switch {
		case it.Type == EntryDeposit && !it.OccurredAt.Before(from):
			return finding{}, false
		case it.Type == EntryDeposit:
			at := it.OccurredAt
			lastDeposit = &at
		case it.Type == EntrySale && !it.OccurredAt.Before(from):
			sales++
			salesFen += it.AmountFen
			evidence = append(evidence, it.ID)
		}
	}
	if sales == 0 {
		return finding{}, false
	}
	last := "此前从未存入"
	if lastDeposit != nil {
		last = "最近一次存入为" + planDate(*lastDeposit)
	}
	detail := fmt.Sprintf("近%d日（%s至%s）报告预收款销售 %d 笔共 %s 元，同期无资金存入监管账户；%s。",
		set.NoDepositDays, planDate(from), planDate(now), sales, money.Yuan(salesFen), last)
	return finding{Kind: AlertNoDeposit, Detail: detail, Evidence: evidence, Figures: map[string]int64{
		"sales": sales, "sales_fen": salesFen, "window_days": int64(set.NoDepositDays)}}, true
}

// closureEvent is an event the release rule looks back from.
type closureEvent struct {
	At   time.Time
	What string
}

// releaseFinding applies the release_before_closure rule (CheckAccount states it) and reports
// the release of the largest share, with the count and sum of all that qualify.
func releaseFinding(l *ledger, events []closureEvent, set AlertSettings) (finding, bool) {
	type hit struct {
		i          int
		heldBefore int64
		bp         int64
		event      closureEvent
	}
	var best *hit
	var count, total int64
	var evidence []string
	for i, it := range l.items {
		if it.Type != EntryRelease || it.CorrectedBy != "" {
			continue
		}
		heldBefore, _ := l.after(i - 1)
		if heldBefore <= 0 || it.AmountFen*100 <= int64(set.ReleaseSharePercent)*heldBefore {
			continue
		}
		for _, ev := range events {
			first := stmtDay(ev.At).AddDate(0, 0, -set.ReleaseWindowDays)
			if it.OccurredAt.Before(first) || it.OccurredAt.After(ev.At) {
				continue
			}
			h := hit{i: i, heldBefore: heldBefore, bp: basisPoints(it.AmountFen, heldBefore), event: ev}
			if best == nil || h.bp > best.bp {
				best = &h
			}
			count++
			total += it.AmountFen
			evidence = append(evidence, it.ID)
			break
		}
	}
	if best == nil {
		return finding{}, false
	}
	r := l.items[best.i]
	detail := fmt.Sprintf("%s（%s）前%d日内，%s释放 %s 元，占释放前存管余额 %s 元的%s，超过%d%%",
		best.event.What, planDate(best.event.At), set.ReleaseWindowDays, planDate(r.OccurredAt),
		money.Yuan(r.AmountFen), money.Yuan(best.heldBefore), percent(best.bp), set.ReleaseSharePercent)
	if count > 1 {
		detail += fmt.Sprintf("；同期此类释放共 %d 笔 %s 元", count, money.Yuan(total))
	}
	return finding{Kind: AlertReleaseBeforeClosure, Detail: detail + "。", Evidence: evidence,
		Figures: map[string]int64{
			"release_fen": r.AmountFen, "held_before_fen": best.heldBefore, "share_bp": best.bp,
			"releases": count, "releases_fen": total, "window_days": int64(set.ReleaseWindowDays)}}, true
}

// daysBetween counts the days from a's day to b's, in Asia/Shanghai.
func daysBetween(a, b time.Time) int64 {
	return int64(stmtDay(b).Sub(stmtDay(a)).Round(24*time.Hour) / (24 * time.Hour))
}
