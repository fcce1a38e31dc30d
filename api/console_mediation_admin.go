package api

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/internal/chart"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// outcomeLabels name the outcomes of the statistics, in the order the table shows them.
var outcomeLabels = []struct {
	Outcome mediation.Outcome
	Label   string
}{
	{mediation.OutcomeAgreement, "达成协议"}, {mediation.OutcomeNoAgreement, "终止调解"},
	{mediation.OutcomeWithdrawn, "撤回"}, {mediation.OutcomeReferred, "移送"}, {mediation.OutcomeClosed, "其他结案"},
}

// mediationStatsView is the statistics page.
type mediationStatsView struct {
	From, To       string
	Stats          []mediation.BodyStat
	Outcomes       []string
	OutcomeCounts  [][]int
	RateChart      template.HTML
	CountChart     template.HTML
	TotalCases     int
	TotalFinished  int
	TotalAgreement int
}

func (s *server) mediationStatsPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "from", "to")
	if err != nil {
		return err
	}
	today := workday.Day(s.mediationNow())
	from, err := statsDay("from", q["from"], time.Date(today.Year(), 1, 1, 0, 0, 0, 0, workday.Zone))
	if err != nil {
		return err
	}
	to, err := statsDay("to", q["to"], today)
	if err != nil {
		return err
	}
	if to.Before(from) {
		return badQuery("to", "结束日期不能早于开始日期 (to is before from)")
	}
	stats, err := s.Mediation.BodyStats(c.UserContext(), from.UTC(), to.AddDate(0, 0, 1).UTC())
	if err != nil {
		return err
	}
	v := mediationStatsView{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Stats: stats}
	for _, o := range outcomeLabels {
		v.Outcomes = append(v.Outcomes, o.Label)
	}
	for _, st := range stats {
		row := make([]int, len(outcomeLabels))
		for i, o := range outcomeLabels {
			row[i] = st.Outcomes[o.Outcome]
		}
		v.OutcomeCounts = append(v.OutcomeCounts, row)
		v.TotalCases += st.Cases
		v.TotalFinished += st.Finished
		v.TotalAgreement += st.Agreements
	}
	if len(stats) > 0 {
		v.RateChart = chart.HBars("各调解组织调解成功率", mediation.AgreementRateBars(stats), 1)
		v.CountChart = chart.Bars("各调解组织受理案件数", mediation.CaseCountPoints(stats), 1)
	}
	return s.render(c, "mediation_stats", pageData{Title: "调解统计 " + v.From + " 至 " + v.To, Data: v})
}

// statsDay reads a "2006-01-02" query parameter; "" is fallback.
func statsDay(field, v string, fallback time.Time) (time.Time, error) {
	if v == "" {
		return fallback, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, workday.Zone)
	if err != nil {
		return time.Time{}, badQuery(field, "日期格式应为 年-月-日，如 2026-09-14 (a date such as 2026-09-14)")
	}
	return d, nil
}

// mediatorRow is one mediator on the bodies page.
type mediatorRow struct {
	mediation.Mediator
	BodyName, Industries, Districts, Path string
}

// mediationBodiesView is the page of bodies and mediators.
type mediationBodiesView struct {
	Bodies     []mediation.Body
	BodyNames  map[string]string
	Kinds      []option
	BodyOpts   []option
	Industries []option
	Mediators  []mediatorRow
	Done       string
	Refused    string
}

var bodiesDone = map[string]string{
	"body": "调解组织已添加。", "mediator": "调解员已登记。",
	"conflict": "已登记利益冲突，该调解员不再办理该企业的案件。", "deactivate": "调解员已停用。",
}

func (s *server) mediationBodiesPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "done")
	if err != nil {
		return err
	}
	if _, ok := bodiesDone[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	return s.renderBodies(c, pageData{Form: map[string]string{"body.kind": string(mediation.BodyPeoples)}},
		q["done"], "")
}

func (s *server) renderBodies(c *fiber.Ctx, d pageData, done, refused string) error {
	ctx := c.UserContext()
	bodies, err := s.Mediation.Bodies(ctx)
	if err != nil {
		return err
	}
	mediators, err := s.Mediation.Mediators(ctx, "")
	if err != nil {
		return err
	}
	v := mediationBodiesView{Bodies: bodies, BodyNames: map[string]string{}, Done: bodiesDone[done], Refused: refused}
	for _, b := range bodies {
		v.BodyNames[b.ID] = b.Name
		v.BodyOpts = append(v.BodyOpts, option{Value: b.ID, Label: b.Name, Selected: d.Form["mediator.body"] == b.ID})
	}
	for _, k := range bodyKindOrder {
		v.Kinds = append(v.Kinds,
			option{Value: string(k), Label: k.Label(), Selected: d.Form["body.kind"] == string(k)})
	}
	chosen := strings.Split(d.Form["mediator.industries"], "\n")
	for _, ind := range registry.Industries {
		v.Industries = append(v.Industries, option{Value: string(ind), Label: ind.Label(),
			Selected: slices.Contains(chosen, string(ind))})
	}
	for _, m := range mediators {
		r := mediatorRow{Mediator: m, BodyName: nameOr(v.BodyNames, m.Body), Districts: strings.Join(m.Districts, "、"),
			Path: mediatorPath(m.Username)}
		var inds []string
		for _, ind := range m.Industries {
			inds = append(inds, ind.Label())
		}
		r.Industries = strings.Join(inds, "、")
		v.Mediators = append(v.Mediators, r)
	}
	d.Title, d.Data = "调解组织和调解员", v
	return s.render(c, "mediation_bodies", d)
}

// bodiesRefused shows the bodies page after a refused form, keeping what was typed under
// prefix ("body.name").
func (s *server) bodiesRefused(c *fiber.Ctx, prefix string, form map[string]string, refusal error) error {
	kind := errs.KindOf(refusal)
	if kind != errs.Invalid && kind != errs.Conflict && kind != errs.Stale && kind != errs.NotFound {
		return refusal
	}
	d := pageData{Form: map[string]string{}, FieldErrors: map[string]string{}}
	for k, v := range form {
		d.Form[prefix+"."+k] = v
	}
	for _, f := range errs.FieldsOf(refusal) {
		base, _, _ := strings.Cut(f.Field, "[")
		d.FieldErrors[prefix+"."+base] = f.Message
	}
	d.Error = "未保存：" + errs.MessageOf(refusal)
	if len(d.FieldErrors) > 0 {
		d.Error = "未保存：请按表单中的红字说明修改后重新提交。"
	}
	c.Status(kindStatus[kind])
	return s.renderBodies(c, d, "", "form-"+strings.ReplaceAll(prefix, ".", "-"))
}

func bodiesDoneRedirect(c *fiber.Ctx, done string) error {
	return c.Redirect("/console/mediation/bodies?done="+done, http.StatusSeeOther)
}

func (s *server) createBodyForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, []string{"name", "kind"})
	_, err := s.Mediation.CreateBody(c.UserContext(), actor(c), mediation.BodyInput{Name: form["name"],
		Kind: mediation.BodyKind(form["kind"])})
	if err != nil {
		return s.bodiesRefused(c, "body", form, err)
	}
	return bodiesDoneRedirect(c, "body")
}

func (s *server) registerMediatorForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, []string{"username", "name", "body", "districts"})
	form["industries"] = strings.Join(formValues(c, "industries"), "\n")
	in := mediation.MediatorInput{Username: strings.TrimSpace(form["username"]), Name: form["name"], Body: form["body"],
		Districts: strings.FieldsFunc(form["districts"],
			func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' })}
	for _, ind := range formValues(c, "industries") {
		in.Industries = append(in.Industries, registry.Industry(ind))
	}
	if err := s.checkMediatorAccount(c, in.Username); err != nil {
		return s.bodiesRefused(c, "mediator", form, err)
	}
	if _, err := s.Mediation.RegisterMediator(c.UserContext(), actor(c), in); err != nil {
		return s.bodiesRefused(c, "mediator", form, err)
	}
	return bodiesDoneRedirect(c, "mediator")
}

func (s *server) recordConflictForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	username := c.Params("username")
	form := readForm(c, []string{"uscc", "reason"})
	_, err = s.Mediation.RecordConflict(c.UserContext(), actor(c), username, version,
		registry.USCC(strings.ToUpper(strings.TrimSpace(form["uscc"]))), form["reason"])
	if err != nil {
		return s.bodiesRefused(c, "conflict."+username, form, err)
	}
	return bodiesDoneRedirect(c, "conflict")
}

func (s *server) deactivateMediatorForm(c *fiber.Ctx) error {
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	username := c.Params("username")
	if _, err := s.Mediation.DeactivateMediator(c.UserContext(), actor(c), username, version); err != nil {
		return s.bodiesRefused(c, "deactivate."+username, map[string]string{}, err)
	}
	return bodiesDoneRedirect(c, "deactivate")
}

// mediatorPath is where a mediator's forms post.
func mediatorPath(username string) string {
	return "/console/mediation/mediators/" + url.PathEscape(username)
}
