package registry

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

// WarningKind is what an early warning (预警) is about.
type WarningKind string

// The warning kinds.
const (
	// WarningBurst is a burst of complaints against one enterprise (群体性诉求).
	WarningBurst WarningKind = "burst"
	// WarningSevereJump is several complainants reporting the enterprise closed or gone (停业跑路).
	WarningSevereJump WarningKind = "severe_jump"
	// WarningRiskLevel is an enterprise newly reaching high or critical risk.
	WarningRiskLevel WarningKind = "risk_level"
)

// WarningKinds lists every kind in display order.
var WarningKinds = []WarningKind{WarningBurst, WarningSevereJump, WarningRiskLevel}

var warningKindLabels = map[WarningKind]string{
	WarningBurst:      "投诉激增（群体性诉求）",
	WarningSevereJump: "停业跑路集中反映",
	WarningRiskLevel:  "风险等级升高",
}

// Label returns the kind's Chinese name.
func (k WarningKind) Label() string { return warningKindLabels[k] }

// Valid reports whether k is one of WarningKinds.
func (k WarningKind) Valid() bool { _, ok := warningKindLabels[k]; return ok }

// WarningSeverity is how urgently a warning asks for attention.
type WarningSeverity string

// The severities, from the least urgent.
const (
	SeverityMedium   WarningSeverity = "medium"
	SeverityHigh     WarningSeverity = "high"
	SeverityCritical WarningSeverity = "critical"
)

// WarningSeverities lists every severity, the least urgent first.
var WarningSeverities = []WarningSeverity{SeverityMedium, SeverityHigh, SeverityCritical}

var severityLabels = map[WarningSeverity]string{
	SeverityMedium: "中", SeverityHigh: "高", SeverityCritical: "紧急",
}

// Label returns the severity's Chinese name.
func (v WarningSeverity) Label() string { return severityLabels[v] }

// Valid reports whether v is one of WarningSeverities.
func (v WarningSeverity) Valid() bool { _, ok := severityLabels[v]; return ok }

func (v WarningSeverity) rank() int { return slices.Index(WarningSeverities, v) }

// WarningState is where a warning stands: new and acknowledged warnings are open; handled and
// dismissed ones are closed, and a later finding opens a new warning.
type WarningState string

// The warning states.
const (
	WarningNew          WarningState = "new"
	WarningAcknowledged WarningState = "acknowledged"
	WarningHandled      WarningState = "handled"
	WarningDismissed    WarningState = "dismissed"
)

// WarningStates lists every state in the order a warning moves through them.
var WarningStates = []WarningState{WarningNew, WarningAcknowledged, WarningHandled, WarningDismissed}

var warningStateLabels = map[WarningState]string{
	WarningNew: "新预警", WarningAcknowledged: "已确认", WarningHandled: "已处置", WarningDismissed: "已排除",
}

// Label returns the state's Chinese name.
func (s WarningState) Label() string { return warningStateLabels[s] }

// Valid reports whether s is one of WarningStates.
func (s WarningState) Valid() bool { _, ok := warningStateLabels[s]; return ok }

// Open reports whether a warning in this state still waits for a regulator.
func (s WarningState) Open() bool { return s == WarningNew || s == WarningAcknowledged }

// WarningWindow is the stretch of time a warning's evidence was received in: From inclusive,
// To exclusive.
type WarningWindow struct {
	From time.Time `json:"from" bson:"from"`
	To   time.Time `json:"to" bson:"to"`
}

// WarningEvent is one step of a warning's history: who moved it from which state to which,
// when, and why.
type WarningEvent struct {
	At   time.Time    `json:"at" bson:"at"`
	By   string       `json:"by" bson:"by"`
	From WarningState `json:"from,omitempty" bson:"from,omitempty"`
	To   WarningState `json:"to" bson:"to"`
	Note string       `json:"note,omitempty" bson:"note,omitempty"`
}

// Warning is one early warning about one enterprise, with the complaints it rests on. At most
// one warning of each kind is open per enterprise: a later finding of the same kind updates
// it instead of adding another.
type Warning struct {
	ID             string          `json:"id" bson:"_id"`
	USCC           USCC            `json:"uscc" bson:"uscc"`
	EnterpriseName string          `json:"enterprise_name" bson:"enterprise_name"`
	Kind           WarningKind     `json:"kind" bson:"kind"`
	Severity       WarningSeverity `json:"severity" bson:"severity"`
	// Summary says in one Chinese sentence what was found, with its numbers.
	Summary string `json:"summary" bson:"summary"`
	// Evidence lists the ids of the complaints the warning rests on, newest first, at most
	// MaxWarningEvidence.
	Evidence []string      `json:"evidence" bson:"evidence"`
	Window   WarningWindow `json:"window" bson:"window"`
	State    WarningState  `json:"state" bson:"state"`
	// StateReason is the note given with the latest change of state: a dismissal's reason.
	StateReason string         `json:"state_reason,omitempty" bson:"state_reason,omitempty"`
	History     []WarningEvent `json:"history" bson:"history"`
	CreatedAt   time.Time      `json:"created_at" bson:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at" bson:"updated_at"`
	Version     int64          `json:"version" bson:"version"`
}

func (w *Warning) target() string { return "warning/" + w.ID }

// key is the enterprise and kind a warning is open for; one open warning per key.
func (w *Warning) key() string { return warningKey(w.USCC, w.Kind) }

func warningKey(u USCC, k WarningKind) string { return string(u) + "/" + string(k) }

// The burst rule (群体性诉求). The complaints received in the last BurstWindowDays days, today
// included, are a burst when they are at least BurstMinComplaints, at least BurstFactor times
// the enterprise's own mean per window over the BurstBaselineDays days before the window, and
// at least BurstFactor times its industry's mean per enterprise and window over those days.
// Both baselines end where the window starts, so that a burst never raises its own bar.
const (
	BurstWindowDays    = 7
	BurstBaselineDays  = 90
	BurstMinComplaints = 5
	BurstFactor        = 3
)

// A burst is of high severity from twice its bar and critical from four times.
const (
	burstHighMultiple     = 2
	burstCriticalMultiple = 4
)

// The severe-jump rule (停业跑路): at least SevereMinComplainants different complainants
// report the enterprise closed or unreachable within the window. Prepayments are then at
// stake, so the warning is high from the start, and critical from
// severeCriticalComplainants complainants.
const (
	SevereMinComplainants      = 3
	severeCriticalComplainants = 6
)

// riskEvidenceDays is how far back a risk-level warning lists the enterprise's complaints:
// the 90 days the risk score's volume factor looks at (DESIGN.md, "Risk score").
const riskEvidenceDays = 90

// MaxWarningEvidence bounds the complaint ids a warning lists; its summary gives the count.
const MaxWarningEvidence = 50

// shanghaiMidnight returns midnight in Asia/Shanghai of the day t falls on there.
func shanghaiMidnight(t time.Time) time.Time {
	t = t.In(shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shanghai)
}

// DetectionWindow returns the window the warning rules count in as of now: the last
// BurstWindowDays days in Asia/Shanghai, today included (DESIGN.md: day-based rules count
// days in Asia/Shanghai).
func DetectionWindow(now time.Time) WarningWindow {
	today := shanghaiMidnight(now)
	return WarningWindow{From: today.AddDate(0, 0, 1-BurstWindowDays).UTC(), To: today.AddDate(0, 0, 1).UTC()}
}

// sumDays adds up the daily counts of the n days starting with the day of first.
func sumDays(daily map[string]int64, first time.Time, n int) int64 {
	start := shanghaiMidnight(first)
	var total int64
	for i := range n {
		total += daily[start.AddDate(0, 0, i).Format(time.DateOnly)]
	}
	return total
}

// detectionCount returns the complaints of daily received in the window as of now.
func detectionCount(daily map[string]int64, now time.Time) int64 {
	return sumDays(daily, DetectionWindow(now).From, BurstWindowDays)
}

// baselineCount returns the complaints of daily received in the BurstBaselineDays days
// before the window as of now.
func baselineCount(daily map[string]int64, now time.Time) int64 {
	return sumDays(daily, shanghaiMidnight(now).AddDate(0, 0, 1-BurstWindowDays-BurstBaselineDays), BurstBaselineDays)
}

// IndustryBaseline is an industry's complaints over the baseline period and the number of
// enterprises they are spread over.
type IndustryBaseline struct {
	Enterprises int64
	Complaints  int64
}

// WindowMean returns the industry's mean complaints per enterprise per window.
func (b IndustryBaseline) WindowMean() float64 {
	if b.Enterprises == 0 {
		return 0
	}
	return float64(b.Complaints) * BurstWindowDays / float64(b.Enterprises*BurstBaselineDays)
}

// IndustryBaselineOf sums the baseline period of every enterprise's daily series as of now.
func IndustryBaselineOf(series []map[string]int64, now time.Time) IndustryBaseline {
	b := IndustryBaseline{Enterprises: int64(len(series))}
	for _, daily := range series {
		b.Complaints += baselineCount(daily, now)
	}
	return b
}

// Burst is what the burst rule found in one enterprise's daily series.
type Burst struct {
	Window WarningWindow
	// Count is the complaints received in the window.
	Count int64
	// Baseline is the enterprise's complaints over the BurstBaselineDays days before the window.
	Baseline int64
	Industry IndustryBaseline
	// Threshold is the least count that is a burst.
	Threshold int64
}

// Raised reports whether the count reaches the bar.
func (b Burst) Raised() bool { return b.Count >= b.Threshold }

// OwnWindowMean returns the enterprise's own mean complaints per window before the window.
func (b Burst) OwnWindowMean() float64 {
	return float64(b.Baseline) * BurstWindowDays / BurstBaselineDays
}

// CheckBurst applies the burst rule to an enterprise's daily series as of now, against its
// industry's baseline.
func CheckBurst(daily map[string]int64, now time.Time, industry IndustryBaseline) Burst {
	b := Burst{
		Window: DetectionWindow(now), Count: detectionCount(daily, now), Baseline: baselineCount(daily, now),
		Industry: industry, Threshold: BurstMinComplaints,
	}
	// count ≥ factor × baseline × window / baseline days, rounded up, in whole numbers.
	b.Threshold = max(b.Threshold, ceilDiv(BurstFactor*BurstWindowDays*b.Baseline, BurstBaselineDays))
	if industry.Enterprises > 0 {
		b.Threshold = max(b.Threshold, ceilDiv(BurstFactor*BurstWindowDays*industry.Complaints,
			BurstBaselineDays*industry.Enterprises))
	}
	return b
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func (b Burst) severity() WarningSeverity {
	switch {
	case b.Count >= burstCriticalMultiple*b.Threshold:
		return SeverityCritical
	case b.Count >= burstHighMultiple*b.Threshold:
		return SeverityHigh
	}
	return SeverityMedium
}

func (b Burst) summary(industry Industry) string {
	return fmt.Sprintf("近%d日（%s）收到投诉%d件，达到预警线%d件；该企业此前%d日平均每%d日%.1f件，"+
		"同行业（%s）企业平均每%d日%.1f件。", BurstWindowDays, b.Window.days(), b.Count, b.Threshold,
		BurstBaselineDays, BurstWindowDays, b.OwnWindowMean(), industryName(industry), BurstWindowDays,
		b.Industry.WindowMean())
}

// days names the window's first and last day, as "11月14日至11月20日".
func (w WarningWindow) days() string {
	const layout = "1月2日"
	return w.From.In(shanghai).Format(layout) + "至" + w.To.Add(-time.Nanosecond).In(shanghai).Format(layout)
}

func industryName(i Industry) string {
	if l := i.Label(); l != "" {
		return l
	}
	return "未填写"
}

// SevereJump is what the severe-jump rule found among an enterprise's recent complaints.
type SevereJump struct {
	Window WarningWindow
	// Complaints counts the complaints of the category closed_unreachable in the window, and
	// Complainants the different people who made them.
	Complaints   int
	Complainants int
	// Evidence lists those complaints' ids, newest first.
	Evidence []string
}

// Raised reports whether enough different complainants report the enterprise gone.
func (j SevereJump) Raised() bool { return j.Complainants >= SevereMinComplainants }

// CheckSevereJump applies the severe-jump rule to an enterprise's complaints as of now: only
// complaints of the category closed_unreachable received in the window count, and several from
// one complainant count once.
func CheckSevereJump(complaints []Complaint, now time.Time) SevereJump {
	j := SevereJump{Window: DetectionWindow(now)}
	people := map[string]bool{}
	for _, c := range newestFirst(complaints) {
		if c.Category != CategoryClosed || !j.Window.contains(c.ReceivedAt) {
			continue
		}
		j.Complaints++
		j.Evidence = append(j.Evidence, c.ID)
		people[complainantKey(c)] = true
	}
	j.Complainants = len(people)
	return j
}

func (w WarningWindow) contains(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// complainantKey tells complainants apart: by phone number, else by name. A complaint that
// gives neither counts as a complainant of its own, so that anonymous reports of a closure
// are not lost.
func complainantKey(c Complaint) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, c.ComplainantPhone)
	switch {
	case digits != "":
		return "phone:" + digits
	case strings.TrimSpace(c.ComplainantName) != "":
		return "name:" + strings.TrimSpace(c.ComplainantName)
	}
	return "complaint:" + c.ID
}

func (j SevereJump) severity() WarningSeverity {
	if j.Complainants >= severeCriticalComplainants {
		return SeverityCritical
	}
	return SeverityHigh
}

func (j SevereJump) summary() string {
	return fmt.Sprintf("近%d日（%s）有%d位不同投诉人反映该企业停业跑路（共%d件投诉），达到%d人的预警线。",
		BurstWindowDays, j.Window.days(), j.Complainants, j.Complaints, SevereMinComplainants)
}

// newestFirst returns the complaints sorted by time received, the newest first.
func newestFirst(cs []Complaint) []Complaint {
	out := slices.Clone(cs)
	slices.SortFunc(out, func(a, b Complaint) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return out
}

// finding is one rule's result for one enterprise, before it is merged into the open warning
// of its kind or raised as a new one.
type finding struct {
	USCC     USCC
	Name     string
	Kind     WarningKind
	Severity WarningSeverity
	Summary  string
	Evidence []string
	Window   WarningWindow
}

func (f finding) key() string { return warningKey(f.USCC, f.Kind) }

// newWarning opens a warning on f. Its id is deterministic: the enterprise, the kind and the
// day it was opened, so that two runs racing to open the same warning collide on the id.
func newWarning(f finding, now time.Time) *Warning {
	return &Warning{
		ID:   fmt.Sprintf("%s-%s-%s", f.USCC, f.Kind, now.In(shanghai).Format("20060102")),
		USCC: f.USCC, EnterpriseName: f.Name, Kind: f.Kind, Severity: f.Severity, Summary: f.Summary,
		Evidence: boundEvidence(f.Evidence), Window: f.Window, State: WarningNew,
		History:   []WarningEvent{{At: now, By: "system", To: WarningNew, Note: "系统自动检测"}},
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}
}

func boundEvidence(ids []string) []string {
	out := slices.Clone(ids[:min(len(ids), MaxWarningEvidence)])
	if out == nil {
		out = []string{}
	}
	return out
}

// merge folds a later finding into this open warning, the "one warning, not one per
// complaint" rule: the evidence gains the new complaints, the summary and name are the
// latest, the window spans both, and the severity never falls while the warning is open. It
// returns the complaints added, and whether anything changed.
func (w *Warning) merge(f finding) (added []string, changed bool) {
	known := map[string]bool{}
	for _, id := range w.Evidence {
		known[id] = true
	}
	for _, id := range f.Evidence {
		if !known[id] {
			added = append(added, id)
		}
	}
	evidence := boundEvidence(append(slices.Clone(f.Evidence), w.removeAll(f.Evidence)...))
	severity := w.Severity
	if f.Severity.rank() > severity.rank() {
		severity = f.Severity
	}
	window := w.Window
	if f.Window.From.Before(window.From) {
		window.From = f.Window.From
	}
	if f.Window.To.After(window.To) {
		window.To = f.Window.To
	}
	changed = !slices.Equal(evidence, w.Evidence) || severity != w.Severity || f.Summary != w.Summary ||
		!window.From.Equal(w.Window.From) || !window.To.Equal(w.Window.To) ||
		(f.Name != "" && f.Name != w.EnterpriseName)
	if f.Name != "" {
		w.EnterpriseName = f.Name
	}
	w.Evidence, w.Severity, w.Summary, w.Window = evidence, severity, f.Summary, window
	return added, changed
}

// removeAll returns the warning's evidence without the ids given.
func (w *Warning) removeAll(ids []string) []string {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	var out []string
	for _, id := range w.Evidence {
		if !drop[id] {
			out = append(out, id)
		}
	}
	return out
}

// levelRank orders the risk levels; an unknown level ranks below low.
func levelRank(l RiskLevel) int {
	return slices.Index([]RiskLevel{RiskLow, RiskMedium, RiskHigh, RiskCritical}, l)
}

// riskFinding is the finding of an enterprise whose level rose from from to to.
func riskFinding(e *Enterprise, from, to RiskLevel, evidence []string, window WarningWindow) finding {
	f := finding{USCC: e.USCC, Name: e.Name, Kind: WarningRiskLevel, Severity: SeverityHigh,
		Evidence: evidence, Window: window}
	if to == RiskCritical {
		f.Severity = SeverityCritical
	}
	f.Summary = fmt.Sprintf("风险等级由%s升至%s。", from.Label(), to.Label())
	if from.Label() == "" {
		f.Summary = fmt.Sprintf("风险等级评定为%s。", to.Label())
	}
	return f
}

// warningStore is what early warnings need of the storage. MongoStore keeps them; Store does
// not name them yet (service.go belongs to the registry's core), so the service asks its store
// for them by assertion.
type warningStore interface {
	// warningSubjects reads the enterprises' names, industries and counters in one query.
	warningSubjects(ctx context.Context, codes []USCC) ([]warningSubject, error)
	// industrySeries reads the daily series of every enterprise in the industries in one query.
	industrySeries(ctx context.Context, industries []Industry) ([]warningSubject, error)
	// recentComplaints reads the enterprises' complaints received in the window in one query,
	// with the fields the rules look at only.
	recentComplaints(ctx context.Context, codes []USCC, w WarningWindow) ([]Complaint, error)
	// OpenWarnings returns the enterprises' open warnings in one query.
	OpenWarnings(ctx context.Context, codes []USCC) ([]Warning, error)
	// InsertWarning stores a new warning; an id already on file is a Conflict.
	InsertWarning(ctx context.Context, w *Warning) error
	// UpdateWarning writes w if the stored version is still w.Version-1; otherwise Stale.
	UpdateWarning(ctx context.Context, w *Warning) error
	GetWarning(ctx context.Context, id string) (*Warning, error)
	ListWarnings(ctx context.Context, q WarningQuery) ([]Warning, error)
}

// warningSubject is an enterprise as the warning rules read it.
type warningSubject struct {
	USCC       USCC              `bson:"_id"`
	Name       string            `bson:"name"`
	Industry   Industry          `bson:"industry"`
	Complaints ComplaintCounters `bson:"complaints"`
}

func (s *Service) warnings() (warningStore, error) {
	ws, ok := s.store.(warningStore)
	if !ok {
		return nil, errs.E(errs.Internal, "registry.warnings", "the store keeps no warnings")
	}
	return ws, nil
}

// maxWarningAttempts bounds the retries of a warning write that lost a race.
const maxWarningAttempts = 5

// detectWarnings runs the burst and severe-jump rules for the enterprises whose complaint
// counts just changed, and raises or updates their warnings. Its store round trips do not
// depend on how many complaints arrived: one read of the enterprises' counters, then, only
// when some enterprise had enough complaints in the window, one read of its industries'
// baselines, one of the recent complaints and one of the open warnings, and a write and an
// audit record per warning raised or changed.
func (s *Service) detectWarnings(ctx context.Context, codes []USCC) error {
	if len(codes) == 0 {
		return nil
	}
	ws, err := s.warnings()
	if err != nil {
		return err
	}
	now := s.now()
	subjects, err := ws.warningSubjects(ctx, codes)
	if err != nil {
		return err
	}
	bursting, severe := detectionCandidates(subjects, now)
	if len(bursting)+len(severe) == 0 {
		return nil
	}
	baselines, err := s.industryBaselines(ctx, ws, bursting, now)
	if err != nil {
		return err
	}
	candidates := subjectCodes(append(slices.Clone(bursting), severe...))
	recent, err := ws.recentComplaints(ctx, candidates, DetectionWindow(now))
	if err != nil {
		return err
	}
	findings := burstFindings(bursting, baselines, recent, now)
	findings = append(findings, severeFindings(severe, recent, now)...)
	return s.raise(ctx, ws, findings)
}

// detectionCandidates picks the enterprises that may pass a rule, from their counters alone:
// a burst even against an industry with no complaints, or enough complaints of the category
// closed_unreachable on file and in the window for the severe-jump rule.
func detectionCandidates(subjects []warningSubject, now time.Time) (bursting, severe []warningSubject) {
	for _, sub := range subjects {
		daily := sub.Complaints.Daily
		if CheckBurst(daily, now, IndustryBaseline{}).Raised() {
			bursting = append(bursting, sub)
		}
		if detectionCount(daily, now) >= SevereMinComplainants &&
			sub.Complaints.ByCategory[string(CategoryClosed)] >= SevereMinComplainants {
			severe = append(severe, sub)
		}
	}
	return bursting, severe
}

// industryBaselines reads the baselines of the candidates' industries, each once per run.
func (s *Service) industryBaselines(
	ctx context.Context,
	ws warningStore,
	bursting []warningSubject,
	now time.Time,
) (map[Industry]IndustryBaseline, error) {
	out := map[Industry]IndustryBaseline{}
	if len(bursting) == 0 {
		return out, nil
	}
	var industries []Industry
	for _, sub := range bursting {
		if !slices.Contains(industries, sub.Industry) {
			industries = append(industries, sub.Industry)
		}
	}
	series, err := ws.industrySeries(ctx, industries)
	if err != nil {
		return nil, err
	}
	byIndustry := map[Industry][]map[string]int64{}
	for _, sub := range series {
		byIndustry[sub.Industry] = append(byIndustry[sub.Industry], sub.Complaints.Daily)
	}
	for _, i := range industries {
		out[i] = IndustryBaselineOf(byIndustry[i], now)
	}
	return out, nil
}

func subjectCodes(subjects []warningSubject) []USCC {
	var codes []USCC
	for _, sub := range subjects {
		if !slices.Contains(codes, sub.USCC) {
			codes = append(codes, sub.USCC)
		}
	}
	return codes
}

// burstFindings applies the burst rule with the industries' baselines; the evidence is the
// enterprise's complaints in the window.
func burstFindings(
	bursting []warningSubject,
	baselines map[Industry]IndustryBaseline,
	recent []Complaint,
	now time.Time,
) []finding {
	var out []finding
	for _, sub := range bursting {
		b := CheckBurst(sub.Complaints.Daily, now, baselines[sub.Industry])
		if !b.Raised() {
			continue
		}
		var evidence []string
		for _, c := range recent {
			if c.USCC == sub.USCC && b.Window.contains(c.ReceivedAt) {
				evidence = append(evidence, c.ID)
			}
		}
		out = append(out, finding{USCC: sub.USCC, Name: sub.Name, Kind: WarningBurst, Severity: b.severity(),
			Summary: b.summary(sub.Industry), Evidence: evidence, Window: b.Window})
	}
	return out
}

// severeFindings applies the severe-jump rule to each candidate's recent complaints.
func severeFindings(severe []warningSubject, recent []Complaint, now time.Time) []finding {
	var out []finding
	for _, sub := range severe {
		var own []Complaint
		for _, c := range recent {
			if c.USCC == sub.USCC {
				own = append(own, c)
			}
		}
		j := CheckSevereJump(own, now)
		if !j.Raised() {
			continue
		}
		out = append(out, finding{USCC: sub.USCC, Name: sub.Name, Kind: WarningSevereJump, Severity: j.severity(),
			Summary: j.summary(), Evidence: j.Evidence, Window: j.Window})
	}
	return out
}

// raise merges each finding into the open warning of its enterprise and kind, or opens one.
func (s *Service) raise(ctx context.Context, ws warningStore, findings []finding) error {
	if len(findings) == 0 {
		return nil
	}
	var codes []USCC
	for _, f := range findings {
		if !slices.Contains(codes, f.USCC) {
			codes = append(codes, f.USCC)
		}
	}
	open, err := ws.OpenWarnings(ctx, codes)
	if err != nil {
		return err
	}
	byKey := map[string]*Warning{}
	for i := range open {
		byKey[open[i].key()] = &open[i]
	}
	for _, f := range findings {
		if err := s.raiseOne(ctx, ws, byKey[f.key()], f); err != nil {
			return err
		}
	}
	return nil
}

// raiseOne merges f into open, the open warning of its enterprise and kind, or opens a new
// one when there is none. Every write is guarded (the version of the warning, the uniqueness
// of a new warning's id), so that a run that lost a race reads the winner's warning and
// merges into it rather than adding a second.
func (s *Service) raiseOne(ctx context.Context, ws warningStore, open *Warning, f finding) error {
	for range maxWarningAttempts {
		if open == nil {
			raced, err := s.openWarning(ctx, ws, f)
			if err != nil || raced == nil {
				return err
			}
			open = raced
			continue
		}
		err := s.updateWarning(ctx, ws, open, f)
		if !errs.Is(err, errs.Stale) {
			return err
		}
		if open, err = ws.GetWarning(ctx, open.ID); err != nil {
			return err
		}
		if !open.State.Open() {
			open = nil
		}
	}
	return errs.E(errs.Internal, "registry.raiseWarning", "too many concurrent changes to one warning")
}

// maxWarningsPerDay bounds the warnings of one enterprise and kind opened on one day: a
// warning closed and raised again the same day takes the next number.
const maxWarningsPerDay = 20

// openWarning stores a new warning on f and records it. When its id turns out to be taken by
// an open warning, raised meanwhile by another run, it returns that warning to merge into.
func (s *Service) openWarning(ctx context.Context, ws warningStore, f finding) (raced *Warning, err error) {
	w := newWarning(f, s.now().UTC().Truncate(time.Millisecond))
	base := w.ID
	for n := 1; n <= maxWarningsPerDay; n++ {
		if n > 1 {
			w.ID = fmt.Sprintf("%s-%d", base, n)
		}
		err := ws.InsertWarning(ctx, w)
		if errs.Is(err, errs.Conflict) {
			existing, err := ws.GetWarning(ctx, w.ID)
			if err != nil || existing.State.Open() {
				return existing, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		return nil, s.auditWarning(ctx, audit.System, "warning.raise", w, map[string]any{
			"kind": w.Kind, "severity": w.Severity, "summary": w.Summary, "evidence": w.Evidence,
		})
	}
	return nil, errs.E(errs.Internal, "registry.openWarning", "too many warnings of one kind opened today")
}

// updateWarning merges f into the open warning w and records the change; a finding that adds
// nothing writes nothing.
func (s *Service) updateWarning(ctx context.Context, ws warningStore, w *Warning, f finding) error {
	next := *w
	next.Evidence = slices.Clone(w.Evidence)
	added, changed := next.merge(f)
	if !changed {
		return nil
	}
	next.Version++
	next.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := ws.UpdateWarning(ctx, &next); err != nil {
		return err
	}
	change := map[string]any{"evidence_added": added, "summary": FieldChange{From: w.Summary, To: next.Summary}}
	if next.Severity != w.Severity {
		change["severity"] = FieldChange{From: w.Severity, To: next.Severity}
	}
	return s.auditWarning(ctx, audit.System, "warning.update", &next, change)
}

func (s *Service) auditWarning(ctx context.Context, actor audit.Actor, action string, w *Warning, change any) error {
	_, err := s.audit.Append(ctx, audit.Entry{Actor: actor, Action: action, Target: w.target(), Version: w.Version,
		Change: change})
	return errs.Wrap(errs.Internal, "registry."+action, err)
}

// RiskLevelReached raises a risk-level warning when an enterprise's level rises to high or
// critical (DESIGN.md, "Risk score": high 60–79, critical ≥ 80), listing its complaints of
// the last 90 days as evidence. Any other change (a fall, a rise that stays below high) raises
// nothing, so it can serve as the service's RiskLevelHook as it is. An open risk-level
// warning of the enterprise is updated instead of adding another.
func (s *Service) RiskLevelReached(ctx context.Context, uscc USCC, from, to RiskLevel) error {
	if !to.AtLeastHigh() || levelRank(to) <= levelRank(from) {
		return nil
	}
	ws, err := s.warnings()
	if err != nil {
		return err
	}
	e, err := s.store.GetEnterprise(ctx, uscc)
	if err != nil {
		return err
	}
	today := shanghaiMidnight(s.now())
	window := WarningWindow{From: today.AddDate(0, 0, -riskEvidenceDays).UTC(), To: today.AddDate(0, 0, 1).UTC()}
	recent, err := s.complaints.ListComplaints(ctx, ComplaintQuery{USCC: uscc, From: window.From,
		Limit: MaxWarningEvidence})
	if err != nil {
		return err
	}
	evidence := make([]string, len(recent))
	for i, c := range recent {
		evidence[i] = c.ID
	}
	return s.raise(ctx, ws, []finding{riskFinding(e, from, to, evidence, window)})
}

// Warning returns one warning.
func (s *Service) Warning(ctx context.Context, id string) (*Warning, error) {
	ws, err := s.warnings()
	if err != nil {
		return nil, err
	}
	if len(id) > 100 {
		return nil, errNoWarning
	}
	return ws.GetWarning(ctx, id)
}

var errNoWarning = errs.E(errs.NotFound, "registry.Warning", "没有这条预警 (no such warning)")

// WarningCursor is where a page of warnings ended.
type WarningCursor struct {
	CreatedAt time.Time
	ID        string
}

// WarningQuery selects warnings, newest first. Empty fields select all.
type WarningQuery struct {
	States   []WarningState
	Kind     WarningKind
	Severity WarningSeverity
	USCC     USCC
	After    *WarningCursor
	// Limit is the page size, 1 to 200; 0 means 50.
	Limit int
}

// WarningPage is one page of warnings.
type WarningPage struct {
	Items []Warning
	Next  *WarningCursor
}

// ListWarnings returns one page of the warnings queue.
func (s *Service) ListWarnings(ctx context.Context, q WarningQuery) (WarningPage, error) {
	ws, err := s.warnings()
	if err != nil {
		return WarningPage{}, err
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	want := q.Limit
	q.Limit++
	items, err := ws.ListWarnings(ctx, q)
	if err != nil {
		return WarningPage{}, err
	}
	page := WarningPage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		last := page.Items[want-1]
		page.Next = &WarningCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return page, nil
}

// maxWarningNote is the longest note or reason kept with a change of state.
const maxWarningNote = 500

// AcknowledgeWarning records that a regulator has taken up a new warning. With ifMatch other
// than 0 the warning must still be at that version.
func (s *Service) AcknowledgeWarning(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	note string,
) (*Warning, error) {
	return s.moveWarning(ctx, actor, id, ifMatch, WarningAcknowledged, note)
}

// HandleWarning closes an open warning as handled, with an optional note of what was done.
func (s *Service) HandleWarning(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	note string,
) (*Warning, error) {
	return s.moveWarning(ctx, actor, id, ifMatch, WarningHandled, note)
}

// DismissWarning closes an open warning as unfounded; the reason is required and kept.
func (s *Service) DismissWarning(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	reason string,
) (*Warning, error) {
	return s.moveWarning(ctx, actor, id, ifMatch, WarningDismissed, reason)
}

// moveWarning changes a warning's state, adds the step to its history and records it. A
// detection run may add evidence meanwhile; without ifMatch the change is then made on the
// warning as it now is.
func (s *Service) moveWarning(
	ctx context.Context,
	actor audit.Actor,
	id string,
	ifMatch int64,
	to WarningState,
	note string,
) (*Warning, error) {
	op := "registry.Warning." + string(to)
	note = strings.TrimSpace(note)
	if fe := checkWarningNote(to, note); fe != nil {
		return nil, errs.Fields(op, *fe)
	}
	ws, err := s.warnings()
	if err != nil {
		return nil, err
	}
	for range maxWarningAttempts {
		w, err := s.Warning(ctx, id)
		if err != nil {
			return nil, err
		}
		if ifMatch != 0 && w.Version != ifMatch {
			return nil, errs.E(errs.Stale, op, "预警已被他人修改，请刷新后重试 (the warning changed since you read it)")
		}
		if err := checkWarningMove(op, w.State, to); err != nil {
			return nil, err
		}
		from, now := w.State, s.now().UTC().Truncate(time.Millisecond)
		w.State, w.StateReason, w.UpdatedAt = to, note, now
		w.History = append(w.History, WarningEvent{At: now, By: actor.Username, From: from, To: to, Note: note})
		w.Version++
		err = ws.UpdateWarning(ctx, w)
		if errs.Is(err, errs.Stale) && ifMatch == 0 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return w, s.auditWarning(ctx, actor, "warning."+string(to), w, map[string]any{
			"state": FieldChange{From: from, To: to}, "note": note,
		})
	}
	return nil, errs.E(errs.Stale, op, "预警正被频繁更新，请稍后重试 (the warning keeps changing; try again)")
}

// checkWarningNote requires a reason to dismiss, and bounds every note.
func checkWarningNote(to WarningState, note string) *errs.FieldError {
	field := "note"
	if to == WarningDismissed {
		field = "reason"
	}
	switch {
	case to == WarningDismissed && note == "":
		return &errs.FieldError{Field: field, Message: "请填写排除理由 (a reason is required to dismiss a warning)"}
	case utf8.RuneCountInString(note) > maxWarningNote:
		return &errs.FieldError{Field: field, Message: fmt.Sprintf("最多%d个字 (at most %d characters)",
			maxWarningNote, maxWarningNote)}
	}
	return nil
}

// checkWarningMove allows acknowledging a new warning, and handling or dismissing an open one.
func checkWarningMove(op string, from, to WarningState) error {
	switch {
	case !from.Open():
		return errs.E(errs.Conflict, op, "预警已"+from.Label()+"，不能再更改 (the warning is closed)")
	case to == WarningAcknowledged && from != WarningNew:
		return errs.E(errs.Conflict, op, "预警已确认 (the warning is already acknowledged)")
	}
	return nil
}
