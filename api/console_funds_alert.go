package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/funds"
	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// Words the alerts queue shows for the states, and its filter in order.
var (
	alertStateLabels = map[string]string{
		string(funds.AlertNew): "待处理", string(funds.AlertAcknowledged): "已确认",
		string(funds.AlertClosed): "已关闭", string(funds.AlertOpen): "未关闭",
	}
	alertStateOrder = []funds.AlertState{funds.AlertOpen, funds.AlertNew, funds.AlertAcknowledged, funds.AlertClosed}
)

// alertsView is the alerts queue: one page of alerts, newest raised first.
type alertsView struct {
	State   string
	States  []option
	Rows    []alertRow
	NextURL string
	Done    string
	// Refused is the alert whose form was refused, so that its note is kept.
	Refused, Note string
}

// alertRow is one alert with its codes in words and the links of its account and enterprise.
type alertRow struct {
	funds.Alert
	KindLabel, StateLabel, AccountPath, EnterprisePath, Enterprise string
}

var alertsDone = map[string]string{"acknowledge": "预警已确认。", "close": "预警已关闭。"}

func (s *server) fundAlertsPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "state", "cursor", "done")
	if err != nil {
		return err
	}
	if _, ok := alertsDone[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	state := q["state"]
	if state == "" {
		state = string(funds.AlertOpen)
	}
	v, err := s.alertsViewOf(c, state, q["cursor"])
	if err != nil {
		return err
	}
	v.Done = alertsDone[q["done"]]
	return s.renderAlerts(c, pageData{}, v)
}

// alertsViewOf reads one page of the queue in the state asked for.
func (s *server) alertsViewOf(c *fiber.Ctx, state, cursor string) (*alertsView, error) {
	ctx := c.UserContext()
	page, err := s.Funds.Alerts(ctx, funds.AlertQuery{State: funds.AlertState(state), Cursor: cursor})
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			f := errs.FieldsOf(err)
			if len(f) > 0 {
				return nil, badQuery(f[0].Field, f[0].Message)
			}
		}
		return nil, err
	}
	v := &alertsView{State: state}
	for _, st := range alertStateOrder {
		v.States = append(v.States,
			option{Value: string(st), Label: alertStateLabels[string(st)], Selected: string(st) == state})
	}
	names := map[registry.USCC]string{}
	officer := fundOfficer(c)
	for _, a := range page.Items {
		if _, ok := names[a.USCC]; !ok {
			names[a.USCC] = s.enterpriseName(ctx, a.USCC)
		}
		r := alertRow{Alert: a, KindLabel: labelOrCode(a.Kind.Label(), string(a.Kind)),
			StateLabel: labelOr(alertStateLabels, string(a.State)), AccountPath: fundAccountPath(a.AccountID),
			Enterprise: names[a.USCC], EnterprisePath: "/console/funds?uscc=" + url.QueryEscape(a.USCC.String())}
		if !officer {
			// Regulators and supervisors keep the dossiers; the link is theirs.
			r.EnterprisePath = dossierPath(a.USCC)
		}
		v.Rows = append(v.Rows, r)
	}
	if page.NextCursor != "" {
		v.NextURL = "/console/funds/alerts?state=" + url.QueryEscape(state) +
			"&cursor=" + url.QueryEscape(page.NextCursor)
	}
	return v, nil
}

func (s *server) renderAlerts(c *fiber.Ctx, d pageData, v *alertsView) error {
	d.Title, d.Data = "资金预警", v
	return s.render(c, "funds_alerts", d)
}

func (s *server) acknowledgeFundAlertForm(c *fiber.Ctx) error {
	return s.alertForm(c, "acknowledge")
}

func (s *server) closeFundAlertForm(c *fiber.Ctx) error {
	return s.alertForm(c, "close")
}

// alertForm acknowledges or closes the alert read at the form's version, then shows the
// queue the form was sent from.
func (s *server) alertForm(c *fiber.Ctx, action string) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, []string{"note", "state"})
	state := form["state"]
	if !slices.Contains(alertStateOrder, funds.AlertState(state)) {
		state = string(funds.AlertOpen)
	}
	if action == "close" {
		_, err = s.Funds.CloseAlert(c.UserContext(), actor(c), id, version, form["note"])
	} else {
		_, err = s.Funds.AcknowledgeAlert(c.UserContext(), actor(c), id, version)
	}
	if err == nil {
		return c.Redirect("/console/funds/alerts?state="+url.QueryEscape(state)+"&done="+action, http.StatusSeeOther)
	}

	// Refused: the queue as it now is, the reason at the top, the note typed kept.
	kind := errs.KindOf(err)
	if !slices.Contains(caseRefusals, kind) {
		return err
	}
	v, verr := s.alertsViewOf(c, state, "")
	if verr != nil {
		return verr
	}
	v.Refused, v.Note = id, form["note"]
	msg := errs.MessageOf(err)
	if f := errs.FieldsOf(err); len(f) > 0 {
		parts := make([]string, 0, len(f))
		for _, fe := range f {
			parts = append(parts, fe.Message)
		}
		msg = strings.Join(parts, "；")
	}
	c.Status(kindStatus[kind])
	return s.renderAlerts(c, pageData{Error: "未保存：" + msg}, v)
}
