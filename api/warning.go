package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// warningFilters are the query parameters that filter the warnings queue.
var warningFilters = []string{"state", "kind", "severity", "uscc"}

// stateOpen is the state filter that selects the warnings still waiting: new and acknowledged.
const stateOpen = "open"

// parseWarningQuery reads the queue's filters, limit and cursor into typed values.
func parseWarningQuery(c *fiber.Ctx) (registry.WarningQuery, error) {
	p, err := queryParams(c, append(slices.Clone(warningFilters), "limit", "cursor")...)
	if err != nil {
		return registry.WarningQuery{}, err
	}
	var q registry.WarningQuery
	var bad []errs.FieldError
	fail := func(field, msg string) { bad = append(bad, errs.FieldError{Field: field, Message: msg}) }

	switch st := registry.WarningState(p["state"]); {
	case st == "":
	case st == stateOpen:
		q.States = []registry.WarningState{registry.WarningNew, registry.WarningAcknowledged}
	case st.Valid():
		q.States = []registry.WarningState{st}
	default:
		fail("state", "状态应为 open、new、acknowledged、handled、dismissed 之一 (unknown state)")
	}
	if q.Kind = registry.WarningKind(p["kind"]); q.Kind != "" && !q.Kind.Valid() {
		fail("kind", "类型应为 burst、severe_jump、risk_level 之一 (unknown kind)")
	}
	if q.Severity = registry.WarningSeverity(p["severity"]); q.Severity != "" && !q.Severity.Valid() {
		fail("severity", "级别应为 medium、high、critical 之一 (unknown severity)")
	}
	if v := p["uscc"]; v != "" {
		u, err := registry.ParseUSCC(v)
		if err != nil {
			fail("uscc", err.Error())
		}
		q.USCC = u
	}
	if len(bad) > 0 {
		return q, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	if q.Limit, err = parseLimit(p["limit"]); err != nil {
		return q, err
	}
	q.After, err = warningCursor(p["cursor"])
	return q, err
}

// warningCursorText is the opaque cursor of the page after next.
func warningCursorText(next *registry.WarningCursor) string {
	return encodeTimeCursor(next.CreatedAt, next.ID)
}

func warningCursor(s string) (*registry.WarningCursor, error) {
	at, id, ok, err := decodeTimeCursor(s)
	if !ok {
		return nil, err
	}
	return &registry.WarningCursor{CreatedAt: at, ID: id}, nil
}

// warningList is a page of the warnings queue, newest first.
type warningList struct {
	Items      []registry.Warning `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

func (s *server) listWarnings(c *fiber.Ctx) error {
	q, err := parseWarningQuery(c)
	if err != nil {
		return err
	}
	page, err := s.Registry.ListWarnings(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := warningList{Items: page.Items}
	if page.Next != nil {
		out.NextCursor = warningCursorText(page.Next)
	}
	return c.JSON(out)
}

func (s *server) getWarning(c *fiber.Ctx) error {
	w, err := s.Registry.Warning(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	setETag(c, w.Version)
	return c.JSON(w)
}

// warningNote is the body of acknowledge and handle: an optional note. The body may be left
// out altogether.
type warningNote struct {
	Note string `json:"note"`
}

// warningDismissal is the body of dismiss: the reason, required.
type warningDismissal struct {
	Reason string `json:"reason"`
}

// optionalIfMatch reads If-Match when the client sends one, else 0: a detection run only adds
// evidence to a warning, so a change of state may be made on whatever version is current.
func optionalIfMatch(c *fiber.Ctx) (int64, error) {
	if strings.TrimSpace(c.Get(fiber.HeaderIfMatch)) == "" {
		return 0, nil
	}
	return ifMatch(c)
}

// readWarningNote reads an optional note body.
func readWarningNote(c *fiber.Ctx) (string, error) {
	var in warningNote
	if len(c.Body()) == 0 {
		return "", nil
	}
	err := decodeJSON(c, &in)
	return in.Note, err
}

// warningMove is one of the registry's changes of a warning's state.
type warningMove func(
	ctx context.Context,
	a audit.Actor,
	id string,
	ifMatch int64,
	note string,
) (*registry.Warning, error)

func (s *server) acknowledgeWarning(c *fiber.Ctx) error {
	note, err := readWarningNote(c)
	if err != nil {
		return err
	}
	return s.moveWarning(c, s.Registry.AcknowledgeWarning, note)
}

func (s *server) handleWarning(c *fiber.Ctx) error {
	note, err := readWarningNote(c)
	if err != nil {
		return err
	}
	return s.moveWarning(c, s.Registry.HandleWarning, note)
}

func (s *server) dismissWarning(c *fiber.Ctx) error {
	var in warningDismissal
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	return s.moveWarning(c, s.Registry.DismissWarning, in.Reason)
}

// moveWarning makes the change with the If-Match the client sent, if any, and answers with
// the warning as it now is.
func (s *server) moveWarning(c *fiber.Ctx, move warningMove, note string) error {
	version, err := optionalIfMatch(c)
	if err != nil {
		return err
	}
	w, err := move(c.UserContext(), actor(c), c.Params("id"), version, note)
	if err != nil {
		return err
	}
	setETag(c, w.Version)
	return c.JSON(w)
}

// warningRow is one warning as the queue and the start page show it, its codes turned into
// words.
type warningRow struct {
	*registry.Warning
	KindLabel     string
	SeverityLabel string
	StateLabel    string
	DossierPath   string
	// LastDay is the last day of the warning's window, whose end is the midnight after it.
	LastDay        time.Time
	Evidence       []evidenceLink
	History        []warningEventRow
	Open           bool
	CanAcknowledge bool
	// Error, FieldErrors and Form belong to a refused form about this warning.
	Error       string
	FieldErrors map[string]string
	Form        map[string]string
}

// evidenceLink is one complaint a warning rests on.
type evidenceLink struct {
	ID   string
	Path string
}

// warningEventRow is one step of a warning's history.
type warningEventRow struct {
	At        time.Time
	By        string
	FromLabel string
	ToLabel   string
	Note      string
}

func warningRowOf(w *registry.Warning) warningRow {
	r := warningRow{
		Warning:        w,
		KindLabel:      labelOrCode(w.Kind.Label(), string(w.Kind)),
		SeverityLabel:  labelOrCode(w.Severity.Label(), string(w.Severity)),
		StateLabel:     labelOrCode(w.State.Label(), string(w.State)),
		DossierPath:    dossierPath(w.USCC),
		LastDay:        w.Window.To.Add(-time.Nanosecond),
		Open:           w.State.Open(),
		CanAcknowledge: w.State == registry.WarningNew,
		FieldErrors:    map[string]string{},
		Form:           map[string]string{},
	}
	for _, id := range w.Evidence {
		r.Evidence = append(r.Evidence, evidenceLink{ID: id, Path: complaintPath(id)})
	}
	for _, ev := range w.History {
		r.History = append(r.History, warningEventRow{At: ev.At, By: ev.By, FromLabel: ev.From.Label(),
			ToLabel: labelOrCode(ev.To.Label(), string(ev.To)), Note: ev.Note})
	}
	return r
}

func labelOrCode(label, code string) string {
	if label != "" {
		return label
	}
	return code
}

// warningsView is what the queue shows besides the filter form's values.
type warningsView struct {
	Rows       []warningRow
	States     []option
	Kinds      []option
	Severities []option
	NextURL    string
	// Back is this page's address, where its forms come back to.
	Back string
	// Refused says the page shows only the warning whose form was refused.
	Refused bool
}

// warningFilterInputs names the filter input each query parameter is shown beside.
var warningFilterInputs = map[string]string{"state": "state", "kind": "kind", "severity": "severity", "uscc": "uscc"}

func warningsViewOf(form map[string]string) *warningsView {
	v := &warningsView{States: []option{
		{Value: stateOpen, Label: "待处理（新预警和已确认）", Selected: form["state"] == stateOpen},
	}}
	for _, st := range registry.WarningStates {
		v.States = append(v.States, option{Value: string(st), Label: st.Label(),
			Selected: string(st) == form["state"]})
	}
	for _, k := range registry.WarningKinds {
		v.Kinds = append(v.Kinds, option{Value: string(k), Label: k.Label(), Selected: string(k) == form["kind"]})
	}
	for _, sv := range registry.WarningSeverities {
		v.Severities = append(v.Severities, option{Value: string(sv), Label: sv.Label(),
			Selected: string(sv) == form["severity"]})
	}
	return v
}

func (s *server) warningsPage(c *fiber.Ctx) error {
	form := map[string]string{}
	for _, k := range warningFilters {
		form[k] = c.Query(k)
	}
	view := warningsViewOf(form)
	view.Back = safeWarningsBack(c.OriginalURL())
	d := pageData{Title: "预警队列", Form: form, Data: view}

	q, err := parseWarningQuery(c)
	if err != nil {
		fields, ok := queryErrors(err)
		if !ok {
			return err
		}
		d.FieldErrors, d.Error = placeErrors(fields, warningFilterInputs, nil)
		c.Status(http.StatusBadRequest)
		return s.render(c, "warnings", d)
	}
	page, err := s.Registry.ListWarnings(c.UserContext(), q)
	if err != nil {
		return err
	}
	for i := range page.Items {
		view.Rows = append(view.Rows, warningRowOf(&page.Items[i]))
	}
	if page.Next != nil {
		view.NextURL = warningsNextURL(c, page.Next)
	}
	return s.render(c, "warnings", d)
}

// warningsNextURL repeats the queue's filters with the cursor of the next page.
func warningsNextURL(c *fiber.Ctx, next *registry.WarningCursor) string {
	v := url.Values{}
	for _, k := range append([]string{"limit"}, warningFilters...) {
		if c.Query(k) != "" {
			v.Set(k, c.Query(k))
		}
	}
	v.Set("cursor", warningCursorText(next))
	return "/console/warnings?" + v.Encode()
}

// safeWarningsBack keeps the address a form returns to on the warnings queue.
func safeWarningsBack(back string) string {
	if !strings.HasPrefix(back, "/console/warnings") || strings.ContainsAny(back, "\\\r\n") {
		return "/console/warnings"
	}
	return back
}

// warningActions are the form's actions and the field each one's text is read from.
var warningActions = map[string]string{"acknowledge": "note", "handle": "note", "dismiss": "reason"}

func (s *server) warningForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	id, action := c.Params("id"), c.FormValue("action")
	field, ok := warningActions[action]
	if !ok {
		return newHTTPError(http.StatusBadRequest, "未知的操作，应为确认、处置或排除 (unknown action)")
	}
	text := c.FormValue(field)
	moves := map[string]warningMove{"acknowledge": s.Registry.AcknowledgeWarning,
		"handle": s.Registry.HandleWarning, "dismiss": s.Registry.DismissWarning}

	_, err := moves[action](c.UserContext(), actor(c), id, 0, text)
	if err == nil {
		return c.Redirect(safeWarningsBack(c.FormValue("back")), http.StatusSeeOther)
	}
	if !slices.Contains([]errs.Kind{errs.Invalid, errs.Conflict, errs.Stale}, errs.KindOf(err)) {
		return err
	}
	return s.refusedWarning(c, id, action, text, err)
}

// refusedWarning shows the warning, as it now is, with the reason its form was refused and
// what the user typed.
func (s *server) refusedWarning(c *fiber.Ctx, id, action, text string, refusal error) error {
	w, err := s.Registry.Warning(c.UserContext(), id)
	if err != nil {
		return err
	}
	row := warningRowOf(w)
	row.Form[action] = text
	row.FieldErrors = fieldErrorMap(refusal)
	if len(row.FieldErrors) == 0 {
		row.Error = errs.MessageOf(refusal)
	}
	view := warningsViewOf(map[string]string{})
	view.Rows, view.Refused, view.Back = []warningRow{row}, true, safeWarningsBack(c.FormValue("back"))
	c.Status(kindStatus[errs.KindOf(refusal)])
	return s.render(c, "warnings", pageData{Title: "预警处理未保存", Form: map[string]string{}, Data: view})
}

// startWarningsLimit is how many new warnings the console start page lists.
const startWarningsLimit = 10

// startWarnings is the start page's warnings section: the newest new warnings.
type startWarnings struct {
	Rows []warningRow
	More bool
}

// startPageWarnings reads the newest new warnings for a user who works the queue; for any
// other role it returns nil and the start page shows no section.
func (s *server) startPageWarnings(c *fiber.Ctx) (*startWarnings, error) {
	u := currentUser(c)
	if u == nil || !slices.Contains(regulators, u.Role) {
		return nil, nil
	}
	page, err := s.Registry.ListWarnings(c.UserContext(), registry.WarningQuery{
		States: []registry.WarningState{registry.WarningNew}, Limit: startWarningsLimit,
	})
	if err != nil {
		return nil, err
	}
	v := &startWarnings{More: page.Next != nil}
	for i := range page.Items {
		v.Rows = append(v.Rows, warningRowOf(&page.Items[i]))
	}
	return v, nil
}
