package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

func interviewPath(id string) string { return "/console/interviews/" + url.PathEscape(id) }

func campaignPath(id string) string { return "/console/interviews/campaigns/" + url.PathEscape(id) }

// Words the interview pages show for the service's codes.
var (
	attendeeLabels = map[string]string{
		string(enforcement.AttendeeLegalRepresentative): "法定代表人",
		string(enforcement.AttendeeManager):             "经营负责人",
		string(enforcement.AttendeeFinance):             "财务负责人",
		string(enforcement.AttendeeOther):               "其他人员",
	}
	// attendeeRoles are the roles the forms offer, in order.
	attendeeRoles = []enforcement.AttendeeRole{
		enforcement.AttendeeLegalRepresentative, enforcement.AttendeeManager, enforcement.AttendeeFinance,
	}
)

// badQuery refuses a malformed query parameter of a console page.
func badQuery(field, msg string) error {
	return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
		errs.FieldError{Field: field, Message: msg})
}

// parseDay reads a "2006-01-02" query parameter as a day in Asia/Shanghai; "" is today by the
// enforcement service's clock.
func (s *server) parseDay(field, v string) (time.Time, error) {
	if v == "" {
		return workday.Day(s.Enforcement.Now()), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, workday.Zone)
	if err != nil {
		return time.Time{}, badQuery(field, "日期格式应为 年-月-日，如 2026-09-28 (a date such as 2026-09-28)")
	}
	return d, nil
}

// interviewNames reads the names of the enterprises the interviews concern, by USCC, and of every
// official, by id.
func (s *server) interviewNames(
	ctx context.Context,
	ivs []enforcement.Interview,
) (enterprises, officials map[string]string, err error) {
	var codes []registry.USCC
	for _, iv := range ivs {
		for _, u := range iv.Enterprises {
			if !slices.Contains(codes, u) {
				codes = append(codes, u)
			}
		}
	}
	enterprises = map[string]string{}
	if len(codes) > 0 {
		found, _, err := s.Registry.EnterprisesByUSCC(ctx, codes)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range found {
			enterprises[string(e.USCC)] = e.Name
		}
	}
	all, err := s.Enforcement.Officials(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	officials = map[string]string{}
	for _, o := range all {
		officials[o.ID] = o.Name
	}
	return enterprises, officials, nil
}

// interviewsPageView is the calendar page: the calendar, its links and the reminders box.
type interviewsPageView struct {
	Cal calendarView
	// Links to the previous and next span, today, and the other views of the same span.
	PrevURL, NextURL, TodayURL  string
	WeekURL, MonthURL           string
	ByRoomURL, ByOfficialURL    string
	Reminders                   []reminderRow
	RemindersDay, RemindersURL  string
	ShowingToday, HasInterviews bool
}

// reminderRow is one reminder as the box and the reminders page show it.
type reminderRow struct {
	ID, Path, Day, Time, Room, Enterprises, Officials, State string
}

// calendarURL is the calendar's address for a view, rows and day.
func calendarURL(span calendarSpan, by calendarBy, day time.Time) string {
	v := url.Values{"view": {string(span)}, "by": {string(by)}, "date": {day.Format(time.DateOnly)}}
	return "/console/interviews?" + v.Encode()
}

func (s *server) interviewsPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "view", "date", "by")
	if err != nil {
		return err
	}
	span, by := calendarSpan(q["view"]), calendarBy(q["by"])
	switch span {
	case "":
		span = spanWeek
	case spanWeek, spanMonth:
	default:
		return badQuery("view", "应为 week 或 month (week or month)")
	}
	switch by {
	case "":
		by = byRoom
	case byRoom, byOfficial:
	default:
		return badQuery("by", "应为 room 或 official (room or official)")
	}
	anchor, err := s.parseDay("date", q["date"])
	if err != nil {
		return err
	}

	ctx := c.UserContext()
	from, to := calendarRange(span, anchor)
	ivs, err := s.Enforcement.ListInterviews(ctx,
		enforcement.InterviewQuery{From: from.UTC(), To: to.UTC(), Limit: 1000})
	if err != nil {
		return err
	}
	today := workday.Day(s.Enforcement.Now())
	reminders, err := s.Enforcement.Reminders(ctx, today)
	if err != nil {
		return err
	}
	all := slices.Clone(ivs)
	for _, r := range reminders {
		all = append(all, r.Interview)
	}
	enterprises, officials, err := s.interviewNames(ctx, all)
	if err != nil {
		return err
	}

	cal := buildCalendar(span, by, anchor, s.Enforcement.Now(), ivs, enterprises, officials, s.Enforcement.Calendar())
	v := interviewsPageView{
		Cal: cal, PrevURL: calendarURL(span, by, cal.Prev), NextURL: calendarURL(span, by, cal.Next),
		TodayURL: calendarURL(span, by, today),
		WeekURL:  calendarURL(spanWeek, by, anchor), MonthURL: calendarURL(spanMonth, by, anchor),
		ByRoomURL: calendarURL(span, byRoom, anchor), ByOfficialURL: calendarURL(span, byOfficial, anchor),
		Reminders:     reminderRows(reminders, enterprises),
		RemindersDay:  today.Format(time.DateOnly),
		RemindersURL:  "/console/interviews/reminders?date=" + today.Format(time.DateOnly),
		ShowingToday:  !today.Before(cal.From) && today.Before(cal.To),
		HasInterviews: len(ivs) > 0,
	}
	return s.render(c, "interviews", pageData{Title: "行政约谈 · " + cal.Title, Data: v})
}

// reminderRows shows reminders with the enterprises' names.
func reminderRows(reminders []enforcement.Reminder, enterprises map[string]string) []reminderRow {
	out := make([]reminderRow, 0, len(reminders))
	for _, r := range reminders {
		iv := r.Interview
		var names, officials []string
		for _, u := range iv.Enterprises {
			names = append(names, nameOr(enterprises, string(u)))
		}
		for _, o := range r.Officials {
			officials = append(officials, o.Name)
		}
		out = append(out, reminderRow{
			ID: iv.ID, Path: interviewPath(iv.ID), Day: r.Day.Format("1月2日") + " " + weekdayLabels[r.Day.Weekday()],
			Time: iv.StartsAt.In(workday.Zone).Format("15:04") + "–" + iv.EndsAt.In(workday.Zone).Format("15:04"),
			Room: textOr(iv.Room, "视频约谈"), Enterprises: strings.Join(names, "、"),
			Officials: strings.Join(officials, "、"), State: iv.State.Label(),
		})
	}
	return out
}

// textOr is v, or fallback when v is empty.
func textOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

// remindersView is the reminders page.
type remindersView struct {
	Day, Prev, Next string
	Reminders       []reminderRow
	// InterviewDay is the working day the reminders are about.
	InterviewDay string
}

func (s *server) interviewRemindersPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "date")
	if err != nil {
		return err
	}
	day, err := s.parseDay("date", q["date"])
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	reminders, err := s.Enforcement.Reminders(ctx, day)
	if err != nil {
		return err
	}
	ivs := make([]enforcement.Interview, 0, len(reminders))
	for _, r := range reminders {
		ivs = append(ivs, r.Interview)
	}
	enterprises, _, err := s.interviewNames(ctx, ivs)
	if err != nil {
		return err
	}
	next := s.Enforcement.Calendar().NextWorkday(day)
	v := remindersView{
		Day: day.Format(time.DateOnly), Reminders: reminderRows(reminders, enterprises),
		Prev:         day.AddDate(0, 0, -1).Format(time.DateOnly),
		Next:         day.AddDate(0, 0, 1).Format(time.DateOnly),
		InterviewDay: next.Format("2006年1月2日") + " " + weekdayLabels[next.Weekday()],
	}
	return s.render(c, "interview_reminders", pageData{Title: "约谈提醒 · " + v.Day, Data: v})
}

// interviewView is one interview in full, with the forms its state allows.
type interviewView struct {
	IV           *enforcement.Interview
	Path         string
	Day          string
	Time         string
	CalendarURL  string
	CampaignPath string
	NoticePDF    string
	Enterprises  []interviewParty
	Officials    []interviewParty
	Departments  []string
	Attendees    []string
	History      []interviewStep
	Can          interviewPermissions
	// Done names the action that was just taken, for the message at the top.
	Done string
	// Refused is the id of the form that was refused.
	Refused string
	// form and errors are what a refused form held and what was wrong with it, by
	// action.input.
	form, errors map[string]string
}

// interviewBox is one text box of the interview page's forms.
type interviewBox struct {
	ID, Name, Label, Value, Error string
	Rows                          int
}

// Box returns the text box name of the action's form, with what a refused form held in it.
func (v *interviewView) Box(action, name, label string, rows int) interviewBox {
	key := action + "." + name
	return interviewBox{ID: action + "-" + name, Name: name, Label: label, Value: v.form[key],
		Error: v.errors[key], Rows: rows}
}

// interviewParty is an enterprise or an official of the interview, with its link.
type interviewParty struct {
	ID, Name, Note, Path, ICS string
}

// interviewStep is one change of state in words.
type interviewStep struct {
	enforcement.Step
	Label string
}

// interviewPermissions are the forms the interview's state allows. The service still checks
// every rule, the time of the interview included, when a form is sent.
type interviewPermissions struct {
	Notify, Reschedule, Cancel, Hold, NoShow, Rectify, Check bool
}

func permissionsOf(st enforcement.State) interviewPermissions {
	return interviewPermissions{
		Notify:     st == enforcement.StateScheduled,
		Reschedule: st.Active(),
		Cancel:     st.Active(),
		Hold:       st == enforcement.StateNotified,
		NoShow:     st == enforcement.StateNotified,
		Rectify:    st == enforcement.StateHeld,
		Check:      st == enforcement.StateRectificationDue,
	}
}

// doneMessages confirm an action that was taken.
var doneMessages = map[string]string{
	"schedule": "约谈已安排。请在通知企业后登记“已通知”。",
	"notify":   "已登记通知。", "reschedule": "约谈已改期，请重新通知企业。", "cancel": "约谈已取消。",
	"hold": "已登记约谈情况。", "no-show": "已登记企业未到场。", "rectify": "已责令整改。",
	"rectified": "已登记整改完成。", "not-rectified": "已登记逾期未整改。",
}

func (s *server) interviewConsolePage(c *fiber.Ctx) error {
	q, err := queryParams(c, "done")
	if err != nil {
		return err
	}
	if _, ok := doneMessages[q["done"]]; q["done"] != "" && !ok {
		return badQuery("done", "未知的操作 (unknown action)")
	}
	iv, err := s.Enforcement.Interview(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return s.renderInterview(c, pageData{}, iv, q["done"], "")
}

// renderInterview shows the interview; d.Form and d.FieldErrors hold a refused form's values
// and messages, keyed by action and input ("hold.outcome").
func (s *server) renderInterview(c *fiber.Ctx, d pageData, iv *enforcement.Interview, done, refused string) error {
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	v, err := s.interviewViewOf(c.UserContext(), iv)
	if err != nil {
		return err
	}
	v.Done, v.Refused = doneMessages[done], refused
	v.form, v.errors = d.Form, d.FieldErrors
	d.Title = "行政约谈 " + iv.NoticeNumber
	d.Data = v
	return s.render(c, "interview_console", d)
}

func (s *server) interviewViewOf(ctx context.Context, iv *enforcement.Interview) (*interviewView, error) {
	enterprises, officials, err := s.interviewNames(ctx, []enforcement.Interview{*iv})
	if err != nil {
		return nil, err
	}
	start, end := iv.StartsAt.In(workday.Zone), iv.EndsAt.In(workday.Zone)
	v := &interviewView{
		IV: iv, Path: interviewPath(iv.ID),
		Day:         start.Format("2006年1月2日") + " " + weekdayLabels[start.Weekday()],
		Time:        start.Format("15:04") + "–" + end.Format("15:04"),
		CalendarURL: calendarURL(spanWeek, byRoom, workday.Day(start)),
		NoticePDF:   "/api/v1/interviews/" + url.PathEscape(iv.ID) + "/notice.pdf",
		Can:         permissionsOf(iv.State),
	}
	if iv.CampaignID != "" {
		v.CampaignPath = campaignPath(iv.CampaignID)
	}
	for _, u := range iv.Enterprises {
		p := interviewParty{ID: string(u), Name: enterprises[string(u)], Path: dossierPath(u)}
		if p.Name == "" {
			p.Name, p.Note = string(u), "档案中没有这家企业"
		}
		v.Enterprises = append(v.Enterprises, p)
	}
	for _, id := range iv.Officials {
		v.Officials = append(v.Officials, interviewParty{ID: id, Name: nameOr(officials, id),
			ICS: "/api/v1/interviews/" + url.PathEscape(iv.ID) + "/invite.ics?official=" + url.QueryEscape(id)})
	}
	for _, dep := range iv.Departments {
		v.Departments = append(v.Departments, dep.Name())
	}
	for _, a := range iv.Attendees {
		label := labelOr(attendeeLabels, string(a.Role))
		if a.Name != "" {
			label += "（" + a.Name + "）"
		}
		v.Attendees = append(v.Attendees, label)
	}
	for _, st := range iv.History {
		v.History = append(v.History, interviewStep{Step: st, Label: st.State.Label()})
	}
	return v, nil
}

// interviewAction is one of the interview page's forms: its inputs and the service's step.
type interviewAction struct {
	fields []string
	do     func(ctx context.Context, c *fiber.Ctx, id string, version int64, form map[string]string) error
}

func (s *server) interviewActions() map[string]interviewAction {
	e := s.Enforcement
	note := func(step func(context.Context, audit.Actor, string, int64, string) (*enforcement.Interview, error),
		field string) interviewAction {
		return interviewAction{fields: []string{field},
			do: func(ctx context.Context, c *fiber.Ctx, id string, version int64, form map[string]string) error {
				_, err := step(ctx, actor(c), id, version, form[field])
				return err
			}}
	}
	check := func(rectified bool) interviewAction {
		return interviewAction{fields: []string{"finding"},
			do: func(ctx context.Context, c *fiber.Ctx, id string, version int64, form map[string]string) error {
				_, err := e.CheckRectification(ctx, actor(c), id, version, rectified, form["finding"])
				return err
			}}
	}
	return map[string]interviewAction{
		"notify":        note(e.NotifyInterview, "note"),
		"hold":          note(e.HoldInterview, "outcome"),
		"no-show":       note(e.RecordNoShow, "note"),
		"cancel":        note(e.CancelInterview, "reason"),
		"rectify":       {fields: []string{"commitments", "deadline", "note"}, do: s.rectifyStep},
		"rectified":     check(true),
		"not-rectified": check(false),
	}
}

// rectifyStep requires rectification: the commitments one a line, by the end of the deadline
// day in Asia/Shanghai.
func (s *server) rectifyStep(
	ctx context.Context,
	c *fiber.Ctx,
	id string,
	version int64,
	form map[string]string,
) error {
	in := enforcement.RectificationInput{Commitments: textLines(form["commitments"]), Note: form["note"]}
	if v := strings.TrimSpace(form["deadline"]); v != "" {
		day, err := time.ParseInLocation(time.DateOnly, v, workday.Zone)
		if err != nil {
			return errs.Fields("api.rectifyStep", errs.FieldError{Field: "deadline",
				Message: "日期格式应为 年-月-日，如 2026-10-30 (a date such as 2026-10-30)"})
		}
		in.Deadline = day.AddDate(0, 0, 1).Add(-time.Second)
	}
	_, err := s.Enforcement.RequireRectification(ctx, actor(c), id, version, in)
	return err
}

// interviewRefusals are the kinds of error a refused form is shown with on its page.
var interviewRefusals = []errs.Kind{errs.Invalid, errs.Conflict, errs.Stale}

func (s *server) interviewActionForm(c *fiber.Ctx) error {
	name := c.Params("action")
	if name == "reschedule" {
		return s.rescheduleForm(c)
	}
	act, ok := s.interviewActions()[name]
	if !ok {
		return fiber.ErrNotFound
	}
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := map[string]string{}
	for _, f := range act.fields {
		form[f] = strings.ToValidUTF8(c.FormValue(f), "\uFFFD")
	}

	err = act.do(c.UserContext(), c, id, version, form)
	if err == nil {
		return c.Redirect(interviewPath(id)+"?done="+name, http.StatusSeeOther)
	}
	if !slices.Contains(interviewRefusals, errs.KindOf(err)) {
		return err
	}
	return s.refusedInterviewAction(c, id, name, form, err)
}

// refusedInterviewAction shows the interview as it now is after a refused form: the reason at
// the top, field messages beside the inputs of the form that was sent, which keeps what was
// typed.
func (s *server) refusedInterviewAction(c *fiber.Ctx, id, action string, form map[string]string, refusal error) error {
	iv, err := s.Enforcement.Interview(c.UserContext(), id)
	if err != nil {
		return err
	}
	d := pageData{Form: map[string]string{}, FieldErrors: map[string]string{}}
	inputs := map[string]string{}
	for k, v := range form {
		d.Form[action+"."+k] = v
		inputs[k] = action + "." + k
	}
	kind := errs.KindOf(refusal)
	c.Status(kindStatus[kind])
	if kind != errs.Invalid {
		d.Error = errs.MessageOf(refusal)
		return s.renderInterview(c, d, iv, "", "")
	}
	var top string
	d.FieldErrors, top = placeErrors(errs.FieldsOf(refusal), inputs, nil)
	d.Error = "未保存：请按表单中的红字说明修改后重新提交。"
	if top != "" {
		d.Error = "未保存：" + top
	}
	return s.renderInterview(c, d, iv, "", "act-"+action)
}

// formVersion reads the version the form was made from: the If-Match of a console form.
func formVersion(c *fiber.Ctx) (int64, error) {
	version, err := strconv.ParseInt(c.FormValue("version"), 10, 64)
	if err != nil || version < 1 {
		return 0, newHTTPError(http.StatusBadRequest, "表单缺少版本号，请刷新页面后重试 (the form has no version)")
	}
	return version, nil
}

// formValues returns every value of a repeated form input (checkboxes), trimmed, blanks left
// out.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		if s := strings.TrimSpace(strings.ToValidUTF8(string(v), "\uFFFD")); s != "" {
			out = append(out, s)
		}
	}
	return out
}
