package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// defaultAuthority is the deciding authority a new proposal starts with: the bureau itself.
const defaultAuthority = "北京市朝阳区市场监督管理局"

// Words the list-decision pages show for the registry's codes.
var (
	entryStepLabels = map[string]string{
		"propose": "提议列入", "approve": "批准公示", "reject": "驳回提议", "withdraw": "撤回提议",
		"propose_removal": "申请移出", "approve_removal": "批准移出", "reject_removal": "驳回移出申请",
		"record_objection": "登记异议", "decide_objection": "作出异议结论",
	}
	evidenceKindLabels = map[string]string{
		"complaint": "投诉", "interview": "约谈", "inspection": "检查", "assessment": "风险评估",
		"document": "文书",
	}
	objectionOutcomeLabels = map[string]string{
		registry.ObjectionUpheld: "异议成立", registry.ObjectionDismissed: "异议不成立",
	}
	// basisLabels are short names of the legal bases for the select; the full texts are shown
	// beneath it.
	basisLabels = map[string]string{
		registry.BasisAbsconded:    "收取预付款后停业、迁址逃避义务且无法联系（第八条）",
		registry.BasisTwicePenal:   "一年内两次因预付式消费违法行为受到行政处罚",
		registry.BasisGreyHighRisk: "风险评估为高或极高风险",
	}
	removalKinds = []registry.RemovalKind{
		registry.RemovalCreditRepair, registry.RemovalEndOfPeriod, registry.RemovalObjectionUpheld,
		registry.RemovalOther,
	}
	entryStates = []registry.EntryState{
		registry.EntryProposed, registry.EntryPublished, registry.EntryRemovalProposed, registry.EntryRemoved,
		registry.EntryRejected, registry.EntryWithdrawn,
	}
)

// basisText marks the legal-basis choice "written in the proposal's own words".
const basisText = "text"

// entryPath is the console address of one list entry.
func entryPath(id string) string { return "/console/list-entries/" + url.PathEscape(id) }

// isSupervisor reports whether the signed-in user signs list decisions.
func isSupervisor(c *fiber.Ctx) bool {
	u := currentUser(c)
	return u != nil && u.Role == user.Supervisor
}

// viewerName is the signed-in user's name, or "" when nobody is signed in.
func viewerName(c *fiber.Ctx) string {
	if u := currentUser(c); u != nil {
		return u.Username
	}
	return ""
}

// entryRow is one entry as the decisions queue and the entry list show it.
type entryRow struct {
	registry.ListEntry
	Path string
	// Pending names the step that awaits a decision ("列入" or "移出"), with who asked and when.
	Pending     string
	RequestedBy string
	RequestedAt time.Time
	// Mine says the viewer asked for the pending step and so may not decide it; CanDecide says
	// the viewer may.
	Mine      bool
	CanDecide bool
}

// entryRowOf shows e to viewer, who may decide when supervisor is true.
func entryRowOf(e registry.ListEntry, viewer string, supervisor bool) entryRow {
	r := entryRow{ListEntry: e, Path: entryPath(e.ID)}
	switch e.State {
	case registry.EntryProposed:
		r.Pending, r.RequestedBy, r.RequestedAt = "列入", e.ProposedBy, e.CreatedAt
	case registry.EntryRemovalProposed:
		r.Pending, r.RequestedBy, r.RequestedAt = "移出", e.RemovalProposedBy, lastStepAt(e, "propose_removal")
	default:
		return r
	}
	r.Mine = r.RequestedBy == viewer
	r.CanDecide = supervisor && !r.Mine
	return r
}

// lastStepAt is when the entry last took the step, or its last change when the history does
// not hold it.
func lastStepAt(e registry.ListEntry, action string) time.Time {
	for i := len(e.History) - 1; i >= 0; i-- {
		if e.History[i].Action == action {
			return e.History[i].At
		}
	}
	return e.UpdatedAt
}

// entriesView is what the decisions page shows besides the filter form's values.
type entriesView struct {
	// Awaiting are the proposals and removals awaiting a decision, the longest waiting first;
	// MoreAwaiting says there are more than the queue shows.
	Awaiting     []entryRow
	MoreAwaiting bool
	ShowQueue    bool
	Rows         []entryRow
	States       []option
	Kinds        []option
	// Tabs are the list's ready-made views, their address in Value; Tab names the one shown.
	Tabs    []option
	Tab     string
	NextURL string
}

// entryFilters are the query parameters that filter the entry list.
var entryFilters = []string{"state", "kind", "uscc", "review_due"}

// entryFilterInputs names the filter input each query parameter is shown beside.
var entryFilterInputs = map[string]string{
	"state": "state", "kind": "kind", "uscc": "uscc", "review_due": "review_due",
}

func entriesViewOf(form map[string]string) *entriesView {
	v := &entriesView{Tab: "all"}
	for _, st := range entryStates {
		v.States = append(v.States, option{Value: string(st), Label: st.Label(),
			Selected: string(st) == form["state"]})
	}
	v.Kinds = kindOptions(form["kind"])
	switch {
	case form["review_due"] == "true":
		v.Tab = "review"
	case form["state"] != "" && form["kind"] == "" && form["uscc"] == "":
		v.Tab = form["state"]
	}
	for _, tab := range entryTabs {
		v.Tabs = append(v.Tabs, option{Value: tab.path, Label: tab.label, Selected: tab.key == v.Tab})
	}
	return v
}

// entryTabs are the entry list's ready-made views.
var entryTabs = []struct{ key, path, label string }{
	{"all", "/console/list-entries", "全部"},
	{"proposed", "/console/list-entries?state=proposed", "待审批"},
	{"published", "/console/list-entries?state=published", "已公示"},
	{"removal_proposed", "/console/list-entries?state=removal_proposed", "移出待审批"},
	{"review", "/console/list-entries?review_due=true", "待复核"},
}

func (s *server) entriesPage(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range entryFilters {
		form[k] = c.Query(k)
	}
	view := entriesViewOf(form)
	d := pageData{Title: "名单决定", Form: form, Data: view}

	q, err := parseEntryQuery(c)
	var page registry.ListEntryPage
	if err == nil {
		page, err = s.Registry.ListEntries(c.UserContext(), q)
	}
	if fields, ok := filterErrors(err); ok {
		d.FieldErrors, d.Error = placeErrors(fields, entryFilterInputs, nil)
		c.Status(http.StatusBadRequest)
		return s.render(c, "entries", d)
	}
	if err != nil {
		return err
	}
	s.fillEntryRows(c, view, page)

	// The queue heads the first page only.
	view.ShowQueue = q.After == nil
	if view.ShowQueue {
		if view.Awaiting, view.MoreAwaiting, err = s.awaitingDecision(c); err != nil {
			return err
		}
	}
	return s.render(c, "entries", d)
}

// filterErrors returns the field messages of a refused filter, from the query's parsing or
// from the registry's check of it; false for any other error.
func filterErrors(err error) ([]errs.FieldError, bool) {
	if err == nil {
		return nil, false
	}
	if errs.Is(err, errs.Invalid) {
		return errs.FieldsOf(err), true
	}
	return queryErrors(err)
}

// fillEntryRows puts a page of the list into the view, with the link to the next page.
func (s *server) fillEntryRows(c *fiber.Ctx, view *entriesView, page registry.ListEntryPage) {
	viewer, supervisor := viewerName(c), isSupervisor(c)
	for _, e := range page.Items {
		view.Rows = append(view.Rows, entryRowOf(e, viewer, supervisor))
	}
	if page.Next != nil {
		view.NextURL = entriesNextURL(c, page.Next)
	}
}

// awaitingQueueLimit is how many proposals, and how many removals, the queue shows.
const awaitingQueueLimit = 50

// awaitingDecision reads the proposals and removals that await a supervisor, the longest
// waiting first, and whether there are more than the queue shows.
func (s *server) awaitingDecision(c *fiber.Ctx) ([]entryRow, bool, error) {
	viewer, supervisor := viewerName(c), isSupervisor(c)
	var rows []entryRow
	more := false
	for _, st := range []registry.EntryState{registry.EntryProposed, registry.EntryRemovalProposed} {
		page, err := s.Registry.ListEntries(c.UserContext(), registry.ListEntryQuery{
			State: st, Limit: awaitingQueueLimit,
		})
		if err != nil {
			return nil, false, err
		}
		for _, e := range page.Items {
			rows = append(rows, entryRowOf(e, viewer, supervisor))
		}
		more = more || page.Next != nil
	}
	slices.SortStableFunc(rows, func(a, b entryRow) int { return a.RequestedAt.Compare(b.RequestedAt) })
	return rows, more, nil
}

// entriesNextURL repeats the list's filters with the cursor of the next page.
func entriesNextURL(c *fiber.Ctx, next *registry.EntryCursor) string {
	v := url.Values{}
	for _, k := range append([]string{"limit"}, entryFilters...) {
		if c.Query(k) != "" {
			v.Set(k, c.Query(k))
		}
	}
	v.Set("cursor", encodeCursor(next.CreatedAt.UTC().Format(time.RFC3339Nano)+"|"+next.ID))
	return "/console/list-entries?" + v.Encode()
}

// entryFormView is what the proposal form shows besides the typed values.
type entryFormView struct {
	// Dossier is the file of the enterprise the form is about, when the code names one.
	Dossier   *registry.Dossier
	RiskLevel string
	// Open are the enterprise's entries still open; another of the same kind is refused.
	Open   []registry.ListStatusEntry
	Kinds  []option
	Bases  []basisGroup
	Texts  []registry.LegalBasis
	Manual bool
	// Existing is the address of the open entry a refused proposal collided with.
	Existing string
}

// basisGroup is the legal bases of one list, for an optgroup of the select.
type basisGroup struct {
	Label   string
	Options []option
}

// entryFormFields are the proposal form's inputs; each is also the registry's field name.
var entryFormFields = []string{
	"uscc", "kind", "legal_basis_code", "legal_basis", "reason", "evidence", "authority", "decision_number",
	"manual_judgement",
}

// entryFormInputs names the form input each registry field is shown beside.
var entryFormInputs = func() map[string]string {
	m := map[string]string{}
	for _, f := range entryFormFields {
		m[f] = f
	}
	return m
}()

func (s *server) newEntryPage(c *fiber.Ctx) error {
	form := map[string]string{
		"uscc": strings.TrimSpace(c.Query("uscc")), "kind": string(registry.ListGrey),
		"legal_basis_code": registry.BasisGreyHighRisk, "authority": defaultAuthority,
	}
	d := pageData{Form: form, FieldErrors: map[string]string{}}
	if form["uscc"] == "" {
		return s.renderEntryForm(c, d, nil, "")
	}
	if _, err := registry.ParseUSCC(form["uscc"]); err != nil {
		d.FieldErrors["uscc"] = err.Error()
		c.Status(http.StatusBadRequest)
		return s.renderEntryForm(c, d, nil, "")
	}
	dossier, err := s.Registry.Dossier(c.UserContext(), form["uscc"])
	if errs.Is(err, errs.NotFound) {
		d.FieldErrors["uscc"] = errs.MessageOf(err)
		c.Status(http.StatusNotFound)
		return s.renderEntryForm(c, d, nil, "")
	}
	if err != nil {
		return err
	}

	// A grey entry is entered on a high or critical risk assessment (DESIGN.md, "Grey list"):
	// the current one is cited when it is at that level.
	form["uscc"] = dossier.Enterprise.USCC.String()
	if r := dossier.Risk; r.AssessmentID != "" && registry.RiskLevel(r.Level).AtLeastHigh() {
		form["evidence"] = "assessment:" + r.AssessmentID
	}
	return s.renderEntryForm(c, d, dossier, "")
}

func (s *server) proposeEntryForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range entryFormFields {
		form[k] = strings.ToValidUTF8(c.FormValue(k), "\uFFFD")
	}
	in, conv := proposalInput(form)
	e, err := s.Registry.ProposeEntry(c.UserContext(), actor(c), in)
	if err == nil {
		return c.Redirect(entryPath(e.ID), http.StatusSeeOther)
	}
	return s.proposalFailed(c, form, in, conv, err)
}

// proposalFailed shows the form again after a refused proposal, with what was typed: field
// messages beside their inputs (400), an open entry of the same kind at the top (409).
func (s *server) proposalFailed(
	c *fiber.Ctx,
	form map[string]string,
	in registry.ProposalInput,
	conv evidenceConversion,
	err error,
) error {
	d := pageData{Form: form, FieldErrors: map[string]string{}}
	dossier, derr := s.proposalSubject(c.UserContext(), form["uscc"])
	if derr != nil {
		return derr
	}
	var existing string
	switch {
	case errs.Is(err, errs.Invalid):
		fields := conv.messages(errs.FieldsOf(err))
		d.FieldErrors, d.Error = placeErrors(fields, entryFormInputs, nil)
		c.Status(http.StatusBadRequest)
	case errs.Is(err, errs.Conflict):
		d.Error = errs.MessageOf(err)
		existing = openEntryPath(dossier, in.Kind)
		c.Status(http.StatusConflict)
	default:
		return err
	}
	return s.renderEntryForm(c, d, dossier, existing)
}

// proposalSubject reads the file of the enterprise a typed code names, or nil when it names
// none.
func (s *server) proposalSubject(ctx context.Context, uscc string) (*registry.Dossier, error) {
	if _, err := registry.ParseUSCC(uscc); err != nil {
		return nil, nil
	}
	d, err := s.Registry.Dossier(ctx, uscc)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return d, err
}

// openEntryPath is the address of the enterprise's open entry of the kind, or "".
func openEntryPath(d *registry.Dossier, kind registry.ListKind) string {
	if d == nil {
		return ""
	}
	for _, e := range d.ListStatus.Entries {
		if e.Kind == kind && e.State.Open() {
			return entryPath(e.ID)
		}
	}
	return ""
}

// renderEntryForm shows the proposal form about the enterprise of dossier, if any; existing
// links the open entry a refused proposal collided with.
func (s *server) renderEntryForm(c *fiber.Ctx, d pageData, dossier *registry.Dossier, existing string) error {
	d.Title = "提议列入名单"
	v := entryFormView{
		Dossier: dossier, Kinds: kindOptions(d.Form["kind"]), Bases: basisGroups(d.Form["legal_basis_code"]),
		Texts: registry.LegalBases, Manual: d.Form["manual_judgement"] != "", Existing: existing,
	}
	if dossier != nil {
		v.RiskLevel = labelOr(riskLevelLabels, dossier.Risk.Level)
		for _, e := range dossier.ListStatus.Entries {
			if e.State.Open() {
				v.Open = append(v.Open, e)
			}
		}
	}
	d.Data = v
	return s.render(c, "entry_form", d)
}

func kindOptions(selected string) []option {
	var out []option
	for _, k := range []registry.ListKind{registry.ListGrey, registry.ListBlack} {
		out = append(out, option{Value: string(k), Label: k.Label(), Selected: string(k) == selected})
	}
	return out
}

// basisGroups offers the legal bases by list, the grey list's own words last.
func basisGroups(selected string) []basisGroup {
	groups := []basisGroup{{Label: registry.ListBlack.Label()}, {Label: registry.ListGrey.Label()}}
	for _, b := range registry.LegalBases {
		i := 1
		if b.Kind == registry.ListBlack {
			i = 0
		}
		groups[i].Options = append(groups[i].Options, option{Value: b.Code, Label: labelOr(basisLabels, b.Code),
			Selected: b.Code == selected})
	}
	groups[1].Options = append(groups[1].Options, option{Value: basisText, Label: "其他依据（在下方自行填写）",
		Selected: selected == basisText})
	return groups
}

// proposalInput turns the typed form into the registry's input.
func proposalInput(form map[string]string) (registry.ProposalInput, evidenceConversion) {
	in := registry.ProposalInput{
		USCC: form["uscc"], Kind: registry.ListKind(form["kind"]), Reason: form["reason"],
		LegalBasisCode: form["legal_basis_code"], LegalBasis: form["legal_basis"],
		ManualJudgement: form["manual_judgement"] != "", Authority: form["authority"],
		DecisionNumber: form["decision_number"],
	}
	if in.LegalBasisCode == basisText {
		in.LegalBasisCode = ""
	}
	var conv evidenceConversion
	in.Evidence, conv = parseEvidence(form["evidence"])
	return in, conv
}

// evidenceConversion is what reading the evidence box learnt besides the evidence itself.
type evidenceConversion struct {
	// lines holds the line of the box each piece of evidence was read from.
	lines []int
	// unreadable holds the pieces, by index, whose line was not written as kind:id.
	unreadable map[int]bool
}

// parseEvidence reads one piece of evidence a line, written 类型:编号 with an optional note
// after a space; the kind may be given by its code or its Chinese name, and a full-width colon
// does as well. A line without a colon is kept with no kind, so that the registry refuses the
// proposal and the form says which line it was.
func parseEvidence(text string) ([]registry.Evidence, evidenceConversion) {
	out := []registry.Evidence{}
	conv := evidenceConversion{unreadable: map[int]bool{}}
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		kind, rest, ok := cutColon(l)
		if !ok {
			conv.unreadable[len(out)] = true
			kind, rest = "", l
		}
		id, note := rest, ""
		if at := strings.IndexFunc(rest, unicode.IsSpace); at >= 0 {
			id, note = rest[:at], strings.TrimSpace(rest[at:])
		}
		out = append(out, registry.Evidence{Kind: evidenceKindCode(kind), ID: strings.TrimSpace(id), Note: note})
		conv.lines = append(conv.lines, i+1)
	}
	return out, conv
}

// cutColon splits a line at its first colon, half- or full-width.
func cutColon(l string) (string, string, bool) {
	i := strings.IndexAny(l, ":：")
	if i < 0 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(l[i:])
	return strings.TrimSpace(l[:i]), strings.TrimSpace(l[i+size:]), true
}

// evidenceKindCode reads an evidence kind given by its code or its Chinese name.
func evidenceKindCode(kind string) string {
	for code, label := range evidenceKindLabels {
		if kind == label {
			return code
		}
	}
	return strings.ToLower(kind)
}

// messages words the registry's findings about the proposal for the form: messages about
// single pieces of evidence become one message, a line each, that says which line of the box
// each is about; a line that was not written as kind:id gets the form's own message instead
// of the registry's.
func (conv evidenceConversion) messages(fields []errs.FieldError) []errs.FieldError {
	var out []errs.FieldError
	var lines []string
	told := map[int]bool{}
	for _, f := range fields {
		i, ok := evidenceIndex(f.Field)
		if !ok || i >= len(conv.lines) {
			out = append(out, f)
			continue
		}
		msg := f.Message
		if conv.unreadable[i] {
			if told[i] {
				continue
			}
			told[i] = true
			msg = "应写作“类型:编号”，如 complaint:12345:T1"
		}
		lines = append(lines, "第"+strconv.Itoa(conv.lines[i])+"行："+msg)
	}
	if len(lines) > 0 {
		out = append(out, errs.FieldError{Field: "evidence", Message: strings.Join(lines, "\n")})
	}
	return out
}

// evidenceIndex reads the index of a field such as evidence[2].id.
func evidenceIndex(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "evidence[")
	if !ok {
		return 0, false
	}
	n, _, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n)
	return i, err == nil
}

// entryView is one entry in full with the forms the viewer may use.
type entryView struct {
	Entry        *registry.ListEntry
	Path         string
	DossierPath  string
	DistrictName string
	Evidence     []evidenceView
	History      []entryEventView
	Objections   []objectionView
	RemovalKinds []option
	Can          entryPermissions
	// Waiting says who must act next when the viewer may not.
	Waiting string
	// Refused is the id of the part of the page whose form was refused, for a link to it.
	Refused string
	// form and errors are what a refused form held and what was wrong with it, by input.
	form   map[string]string
	errors map[string]string
}

// formField is one text box of the entry page's forms, with what was typed and what was wrong.
type formField struct {
	ID    string
	Name  string
	Label string
	Value string
	Error string
	// Max is the most characters the registry takes: 2,000 for an objection, 1,000 for a note.
	Max int
}

// Field returns the text box name of the form prefix: an action, or for an objection's
// decision the action and the objection's id.
func (v entryView) Field(prefix, name, label string) formField {
	key := prefix + "." + name
	f := formField{ID: strings.ReplaceAll(key, ".", "-"), Name: name, Label: label, Value: v.form[key],
		Error: v.errors[key], Max: 1000}
	if name == "text" {
		f.Max = 2000
	}
	return f
}

// evidenceView is one piece of evidence, with a link where the console has a page for it.
type evidenceView struct {
	registry.Evidence
	KindLabel string
	Path      string
}

// entryEventView is one step of the entry's history in words.
type entryEventView struct {
	registry.EntryEvent
	ActionLabel string
	FromLabel   string
	ToLabel     string
}

// objectionView is one objection with its outcome in words.
type objectionView struct {
	registry.Objection
	OutcomeLabel string
	CanDecide    bool
}

// entryPermissions says which of the entry's forms the viewer is shown. The registry still
// checks every rule when a form is sent.
type entryPermissions struct {
	Decide          bool
	Withdraw        bool
	ProposeRemoval  bool
	DecideRemoval   bool
	RecordObjection bool
	DecideObjection bool
}

// permissionsFor works out the forms of e that viewer may use (DESIGN.md, "Four eyes": a
// supervisor who is not the proposer decides).
func permissionsFor(e *registry.ListEntry, viewer string, supervisor bool) entryPermissions {
	return entryPermissions{
		Decide:          e.State == registry.EntryProposed && supervisor && viewer != e.ProposedBy,
		Withdraw:        e.State == registry.EntryProposed && viewer == e.ProposedBy,
		ProposeRemoval:  e.State == registry.EntryPublished,
		DecideRemoval:   e.State == registry.EntryRemovalProposed && supervisor && viewer != e.RemovalProposedBy,
		RecordObjection: e.State.Listed(),
		DecideObjection: supervisor,
	}
}

// waitingText says who must act next on e, when the viewer may not.
func waitingText(e *registry.ListEntry, can entryPermissions) string {
	switch {
	case e.State == registry.EntryProposed && !can.Decide:
		return "等待审核负责人审批；提议人 " + e.ProposedBy + " 不能审批自己的提议。"
	case e.State == registry.EntryRemovalProposed && !can.DecideRemoval:
		return "等待审核负责人审批移出申请；申请人 " + e.RemovalProposedBy + " 不能审批自己的申请。"
	}
	return ""
}

func (s *server) entryConsolePage(c *fiber.Ctx) error {
	e, err := s.Registry.Entry(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return s.renderEntry(c, pageData{}, e, "")
}

// renderEntry shows the entry with its history and the forms the viewer may use; the forms
// keep what d.Form holds, and refused names the part whose form was refused.
func (s *server) renderEntry(c *fiber.Ctx, d pageData, e *registry.ListEntry, refused string) error {
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	d.Title = "名单条目 " + e.ID
	v := s.entryViewOf(e, viewerName(c), isSupervisor(c), d.Form["removal.reason"])
	v.form, v.errors, v.Refused = d.Form, d.FieldErrors, refused
	d.Data = v
	return s.render(c, "entry_console", d)
}

// entryViewOf shows e to viewer, with the removal ground removal chosen in its form.
func (s *server) entryViewOf(e *registry.ListEntry, viewer string, supervisor bool, removal string) entryView {
	v := entryView{
		Entry: e, Path: entryPath(e.ID), DossierPath: dossierPath(e.USCC),
		DistrictName: s.Registry.Areas().DistrictName(e.District),
		Can:          permissionsFor(e, viewer, supervisor),
	}
	v.Waiting = waitingText(e, v.Can)
	for _, k := range removalKinds {
		v.RemovalKinds = append(v.RemovalKinds, option{Value: string(k), Label: k.Label(),
			Selected: string(k) == removal})
	}
	for _, ev := range e.Evidence {
		v.Evidence = append(v.Evidence, evidenceViewOf(ev, e.USCC))
	}
	for _, ev := range e.History {
		v.History = append(v.History, entryEventView{EntryEvent: ev,
			ActionLabel: labelOr(entryStepLabels, ev.Action),
			FromLabel:   ev.From.Label(), ToLabel: labelOrCode(ev.To.Label(), string(ev.To))})
	}
	for _, o := range e.Objections {
		v.Objections = append(v.Objections, objectionView{Objection: o,
			OutcomeLabel: labelOr(objectionOutcomeLabels, o.Outcome),
			CanDecide:    v.Can.DecideObjection && o.Outcome == ""})
	}
	return v
}

// evidenceViewOf links a piece of evidence to its page: a complaint's own, an assessment's
// in the dossier's risk section.
func evidenceViewOf(ev registry.Evidence, uscc registry.USCC) evidenceView {
	v := evidenceView{Evidence: ev, KindLabel: labelOr(evidenceKindLabels, ev.Kind)}
	switch ev.Kind {
	case "complaint":
		v.Path = complaintPath(ev.ID)
	case "assessment":
		v.Path = dossierPath(uscc) + "#risk"
	}
	return v
}

// entryAction is one of the forms of the entry page: the fields it sends, whether only a
// supervisor may send it, and the registry's step it takes.
type entryAction struct {
	fields     []string
	supervisor bool
	do         entryStepFunc
}

// entryStepFunc takes a step on the entry id with what its form holds.
type entryStepFunc func(
	ctx context.Context,
	a audit.Actor,
	id string,
	form map[string]string,
) (*registry.ListEntry, error)

// noteFunc is a registry step that takes a note.
type noteFunc func(ctx context.Context, a audit.Actor, id, note string) (*registry.ListEntry, error)

// noteStep adapts a step that takes a note.
func noteStep(step noteFunc) entryStepFunc {
	return func(ctx context.Context, a audit.Actor, id string, form map[string]string) (*registry.ListEntry, error) {
		return step(ctx, a, id, form["note"])
	}
}

// entryActions are the entry page's forms by the last segment of their address.
func (s *server) entryActions() map[string]entryAction {
	r := s.Registry
	note := []string{"note"}
	return map[string]entryAction{
		"approve":         {fields: note, supervisor: true, do: noteStep(r.Approve)},
		"reject":          {fields: note, supervisor: true, do: noteStep(r.Reject)},
		"withdraw":        {fields: note, do: noteStep(r.Withdraw)},
		"removal":         {fields: []string{"reason", "note"}, do: s.proposeRemovalStep},
		"removal-approve": {fields: note, supervisor: true, do: noteStep(r.ApproveRemoval)},
		"removal-reject":  {fields: note, supervisor: true, do: noteStep(r.RejectRemoval)},
		"objection":       {fields: []string{"text", "received_at"}, do: s.recordObjectionStep},
		"objection-decide": {fields: []string{"objection", "outcome", "note"}, supervisor: true,
			do: s.decideObjectionStep},
	}
}

// proposeRemovalStep asks for the entry's removal on the form's ground.
func (s *server) proposeRemovalStep(
	ctx context.Context,
	a audit.Actor,
	id string,
	form map[string]string,
) (*registry.ListEntry, error) {
	in := registry.RemovalInput{Reason: registry.RemovalKind(form["reason"]), Note: form["note"]}
	return s.Registry.ProposeRemoval(ctx, a, id, in)
}

// decideObjectionStep records the outcome of the objection the form names.
func (s *server) decideObjectionStep(
	ctx context.Context,
	a audit.Actor,
	id string,
	form map[string]string,
) (*registry.ListEntry, error) {
	in := registry.ObjectionDecision{Outcome: form["outcome"], Note: form["note"]}
	return s.Registry.DecideObjection(ctx, a, id, form["objection"], in)
}

// recordObjectionStep records an objection received on the form's date. A date names no
// hour: the objection is taken as received at the start of that day in Asia/Shanghai, or at
// publication when it came on the day of publication, which it cannot have preceded.
func (s *server) recordObjectionStep(
	ctx context.Context,
	a audit.Actor,
	id string,
	form map[string]string,
) (*registry.ListEntry, error) {
	const op = "api.recordObjectionForm"
	in := registry.ObjectionInput{Text: form["text"]}
	if v := strings.TrimSpace(form["received_at"]); v != "" {
		day, err := time.ParseInLocation(time.DateOnly, v, shanghai)
		if err != nil {
			return nil, errs.Fields(op, errs.FieldError{Field: "received_at",
				Message: "日期格式应为 年-月-日，如 2026-12-04 (a date such as 2026-12-04)"})
		}
		e, err := s.Registry.Entry(ctx, id)
		if err != nil {
			return nil, err
		}
		if e.ListedAt != nil && day.Before(*e.ListedAt) && localDay(day) == localDay(*e.ListedAt) {
			day = *e.ListedAt
		}
		in.ReceivedAt = &day
	}
	return s.Registry.RecordObjection(ctx, a, id, in)
}

// localDay is t's day in Asia/Shanghai.
func localDay(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }

// errNotSupervisor refuses a decision to a regulator: the route lets every regulator post to
// the entry page, and only supervisors sign list decisions (DESIGN.md, "Who uses it").
var errNotSupervisor = errs.E(errs.Forbidden, "api.entryActionForm",
	"您的角色无权审批名单决定，须由审核负责人决定 (only a supervisor may decide)")

// entryRefusals are the kinds of error a refused form is shown with on the entry page; any
// other is not the user's to fix.
var entryRefusals = []errs.Kind{errs.Invalid, errs.Conflict, errs.Forbidden, errs.NotFound, errs.Stale}

func (s *server) entryActionForm(c *fiber.Ctx) error {
	name := c.Params("action")
	act, ok := s.entryActions()[name]
	if !ok {
		return fiber.ErrNotFound
	}
	if err := checkFormSize(c); err != nil {
		return err
	}
	id := c.Params("id")
	form := map[string]string{}
	for _, f := range act.fields {
		form[f] = strings.ToValidUTF8(c.FormValue(f), "\uFFFD")
	}

	var err error
	if act.supervisor && !isSupervisor(c) {
		err = errNotSupervisor
	} else {
		_, err = act.do(c.UserContext(), actor(c), id, form)
	}
	if err == nil {
		return c.Redirect(entryPath(id), http.StatusSeeOther)
	}
	return s.refusedEntryAction(c, id, name, form, err)
}

// refusedEntryAction shows the entry as it now is after a refused form, with the reason at
// the top and field messages beside the inputs of the form that was sent, which keeps what
// the user typed.
func (s *server) refusedEntryAction(
	c *fiber.Ctx,
	id, action string,
	form map[string]string,
	refusal error,
) error {
	kind := errs.KindOf(refusal)
	if !slices.Contains(entryRefusals, kind) {
		return refusal
	}
	e, err := s.Registry.Entry(c.UserContext(), id)
	if err != nil {
		return err
	}
	prefix := action + "."
	if action == "objection-decide" {
		prefix += form["objection"] + "."
	}
	d := pageData{Form: map[string]string{}, FieldErrors: map[string]string{}}
	inputs := map[string]string{}
	for k, v := range form {
		d.Form[prefix+k] = v
		inputs[k] = prefix + k
	}
	c.Status(kindStatus[kind])
	if kind != errs.Invalid {
		d.Error = errs.MessageOf(refusal)
		return s.renderEntry(c, d, e, "")
	}

	// Field messages go beside the inputs of the form that was sent, and the top links to it.
	var top string
	d.FieldErrors, top = placeErrors(errs.FieldsOf(refusal), inputs, nil)
	d.Error = "未保存：请按表单中的红字说明修改后重新提交。"
	if top != "" {
		d.Error = "未保存：" + top
	}
	return s.renderEntry(c, d, e, refusedPart(action, form["objection"]))
}

// actionParts names the part of the entry page that holds each action's form.
var actionParts = map[string]string{
	"approve": "decide", "reject": "decide", "withdraw": "withdraw-card", "removal": "removal-card",
	"removal-approve": "decide-removal", "removal-reject": "decide-removal", "objection": "objection-form",
}

// refusedPart is the id of the part of the page that holds the action's form.
func refusedPart(action, objection string) string {
	if action == "objection-decide" {
		return "objection-" + objection
	}
	return actionParts[action]
}
