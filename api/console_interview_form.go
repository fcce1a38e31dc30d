package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
)

// interviewFormView is what the schedule and reschedule forms show besides the typed values.
type interviewFormView struct {
	// IV is the interview being rescheduled; nil on the schedule form.
	IV          *enforcement.Interview
	Action      string
	Departments []option
	Officials   []option
	Attendees   []attendeeOption
	// Clash links the interview that holds the room, an official or an enterprise.
	Clash, ClashID string
	Hours          string
	Contact        string
	Basis          string
}

// attendeeOption is one role the enterprise may be asked to send, with the name typed for it.
type attendeeOption struct {
	Role, Label, Name string
	Checked           bool
}

// interviewTextFields are the schedule form's text inputs.
var interviewTextFields = []string{
	"enterprises", "reason", "legal_basis", "date", "start", "duration", "room", "video_link", "materials", "contact",
}

// rescheduleFields are the reschedule form's text inputs.
var rescheduleFields = []string{"date", "start", "duration", "room", "video_link", "note"}

// interviewInputs names the form input each of the service's fields is shown beside.
var interviewInputs = map[string]string{
	"enterprises": "enterprises", "reason": "reason", "legal_basis": "legal_basis", "starts_at": "when",
	"ends_at": "duration", "duration_minutes": "duration", "room": "room", "video_link": "video_link",
	"departments": "departments", "officials": "officials", "attendees": "attendees", "materials": "materials",
	"contact": "contact", "note": "note",
}

func (s *server) newInterviewPage(c *fiber.Ctx) error {
	q, err := queryParams(c, "uscc")
	if err != nil {
		return err
	}
	next := s.Enforcement.Calendar().NextWorkday(s.Enforcement.Now())
	form := map[string]string{
		"enterprises": strings.TrimSpace(q["uscc"]), "legal_basis": enforcement.DefaultLegalBasis,
		"date": next.Format(time.DateOnly), "start": "09:30", "duration": "60",
		"attendee." + string(enforcement.AttendeeLegalRepresentative): "on",
	}
	return s.renderInterviewForm(c, pageData{Form: form}, nil)
}

func (s *server) scheduleInterviewForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, interviewTextFields)
	form["departments"] = strings.Join(formValues(c, "departments"), "\n")
	form["officials"] = strings.Join(formValues(c, "officials"), "\n")
	for _, r := range attendeeRoles {
		form["attendee_name."+string(r)] = strings.TrimSpace(c.FormValue("attendee_name." + string(r)))
	}
	for _, r := range formValues(c, "attendees") {
		form["attendee."+r] = "on"
	}

	in, local := interviewInputOf(form)
	iv, err := s.Enforcement.ScheduleInterview(c.UserContext(), actor(c), in)
	if err == nil {
		return c.Redirect(interviewPath(iv.ID)+"?done=schedule", http.StatusSeeOther)
	}
	return s.interviewFormFailed(c, form, nil, local, err)
}

// readForm reads the named text inputs of a posted form.
func readForm(c *fiber.Ctx, names []string) map[string]string {
	form := map[string]string{}
	for _, k := range names {
		form[k] = strings.ToValidUTF8(c.FormValue(k), "\uFFFD")
	}
	return form
}

// interviewInputOf turns the typed form into the service's input; what cannot be read is
// returned as messages by input, to be shown instead of the service's.
func interviewInputOf(form map[string]string) (enforcement.InterviewInput, map[string]string) {
	start, duration, local := parseWhen(form)
	in := enforcement.InterviewInput{
		Enterprises: textLines(form["enterprises"]), Reason: form["reason"], LegalBasis: form["legal_basis"],
		StartsAt: start, DurationMinutes: duration, Room: form["room"], VideoLink: form["video_link"],
		Officials: textLines(form["officials"]), Materials: textLines(form["materials"]), Contact: form["contact"],
	}
	for _, d := range textLines(form["departments"]) {
		in.Departments = append(in.Departments, enforcement.Department(d))
	}
	for _, r := range attendeeRoles {
		if form["attendee."+string(r)] != "" {
			in.Attendees = append(in.Attendees, enforcement.Attendee{Role: r, Name: form["attendee_name."+string(r)]})
		}
	}
	return in, local
}

// parseWhen reads the date, start time and duration boxes.
func parseWhen(form map[string]string) (time.Time, int, map[string]string) {
	local := map[string]string{}
	date, clock := strings.TrimSpace(form["date"]), strings.TrimSpace(form["start"])
	var start time.Time
	switch {
	case date == "" || clock == "":
		local["when"] = "须填写日期和开始时间 (give the date and the start time)"
	default:
		t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, workday.Zone)
		if err != nil {
			local["when"] = "日期应为 年-月-日，时间应为 时:分，如 2026-09-28 09:30 (a date and a time such as 09:30)"
		}
		start = t
	}
	duration := 0
	if v := strings.TrimSpace(form["duration"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			local["duration"] = "时长应为分钟数，如 60 (minutes, such as 60)"
		}
		duration = n
	}
	return start, duration, local
}

// interviewFormFailed shows the schedule or reschedule form again after a refusal, with what
// was typed: messages beside their inputs (400) or, for a clash, the clashing interview at the
// top with a link to it (409).
func (s *server) interviewFormFailed(
	c *fiber.Ctx,
	form map[string]string,
	iv *enforcement.Interview,
	local map[string]string,
	err error,
) error {
	d := pageData{Form: form, FieldErrors: map[string]string{}}
	var clash *enforcement.ClashError
	switch kind := errs.KindOf(err); {
	case errors.As(err, &clash):
		d.Error = errs.MessageOf(err)
		c.Status(http.StatusConflict)
	case kind == errs.Invalid:
		fields := numberLines(errs.FieldsOf(err), "enterprises", form["enterprises"])
		var top string
		d.FieldErrors, top = placeErrors(fields, interviewInputs, nil)
		for k, v := range local {
			d.FieldErrors[k] = v
		}
		d.Error = "未保存：请按各栏下方的红字说明修改后重新提交。"
		if top != "" {
			d.Error = "未保存：" + top
		}
		c.Status(http.StatusBadRequest)
	case kind == errs.Conflict || kind == errs.Stale:
		d.Error = errs.MessageOf(err)
		c.Status(kindStatus[kind])
	default:
		return err
	}
	return s.renderInterviewForm(c, d, iv, clash)
}

// numberLines says which line of a one-per-line box a message about its i-th item is about.
func numberLines(fields []errs.FieldError, name, text string) []errs.FieldError {
	var lines []int
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, i+1)
		}
	}
	out := make([]errs.FieldError, 0, len(fields))
	for _, f := range fields {
		rest, ok := strings.CutPrefix(f.Field, name+"[")
		if ok {
			n, _, _ := strings.Cut(rest, "]")
			if i, err := strconv.Atoi(n); err == nil && i < len(lines) {
				f = errs.FieldError{Field: name, Message: fmt.Sprintf("第%d行：%s", lines[i], f.Message)}
			}
		}
		out = append(out, f)
	}
	return out
}

// renderInterviewForm shows the schedule form, or the reschedule form of iv.
func (s *server) renderInterviewForm(
	c *fiber.Ctx,
	d pageData,
	iv *enforcement.Interview,
	clash ...*enforcement.ClashError,
) error {
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	b := s.Enforcement.Bureau()
	v := interviewFormView{IV: iv, Action: "/console/interviews", Hours: "09:00–17:30",
		Contact: b.Contact + " " + b.Phone, Basis: enforcement.DefaultLegalBasis}
	d.Title = "安排约谈"
	if iv != nil {
		v.Action = interviewPath(iv.ID) + "/reschedule"
		d.Title = "约谈改期 " + iv.NoticeNumber
	}
	if len(clash) > 0 && clash[0] != nil {
		v.Clash, v.ClashID = interviewPath(clash[0].InterviewID), clash[0].InterviewID
	}
	chosen := textLines(d.Form["departments"])
	for _, dep := range enforcement.Departments {
		v.Departments = append(v.Departments, option{Value: string(dep.Code), Label: dep.Name,
			Selected: dep.Code == "market" || slices.Contains(chosen, string(dep.Code))})
	}
	officials, err := s.officialOptions(c, textLines(d.Form["officials"]))
	if err != nil {
		return err
	}
	v.Officials = officials
	for _, r := range attendeeRoles {
		v.Attendees = append(v.Attendees, attendeeOption{Role: string(r), Label: attendeeLabels[string(r)],
			Name: d.Form["attendee_name."+string(r)], Checked: d.Form["attendee."+string(r)] != ""})
	}
	d.Data = v
	return s.render(c, "interview_form", d)
}

// officialOptions offers the active officials, and any chosen one who is not, as checkboxes.
func (s *server) officialOptions(c *fiber.Ctx, chosen []string) ([]option, error) {
	all, err := s.Enforcement.Officials(c.UserContext(), true)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, o := range all {
		picked := slices.Contains(chosen, o.ID)
		if !o.Active && !picked {
			continue
		}
		label := o.Name + "（" + o.Department.Name() + optionalTitle(o.Title) + "）"
		if !o.Active {
			label += " 已停用"
		}
		out = append(out, option{Value: o.ID, Label: label, Selected: picked})
	}
	return out, nil
}

func optionalTitle(t string) string {
	if t == "" {
		return ""
	}
	return " " + t
}

func (s *server) rescheduleInterviewPage(c *fiber.Ctx) error {
	iv, err := s.Enforcement.Interview(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	start := iv.StartsAt.In(workday.Zone)
	form := map[string]string{
		"date": start.Format(time.DateOnly), "start": start.Format("15:04"),
		"duration": strconv.Itoa(iv.DurationMinutes), "room": iv.Room, "video_link": iv.VideoLink,
		"officials": strings.Join(iv.Officials, "\n"), "version": strconv.FormatInt(iv.Version, 10),
	}
	d := pageData{Form: form}
	if !iv.State.Active() {
		d.Error = "本次约谈当前状态为“" + iv.State.Label() + "”，不能改期。"
	}
	return s.renderInterviewForm(c, d, iv)
}

// rescheduleForm moves the interview to the time, place and officials of the form.
func (s *server) rescheduleForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	version, err := formVersion(c)
	if err != nil {
		return err
	}
	id := c.Params("id")
	form := readForm(c, rescheduleFields)
	form["officials"] = strings.Join(formValues(c, "officials"), "\n")
	form["version"] = strconv.FormatInt(version, 10)

	start, duration, local := parseWhen(form)
	room, link := strings.TrimSpace(form["room"]), strings.TrimSpace(form["video_link"])
	in := enforcement.RescheduleInput{StartsAt: start, DurationMinutes: duration, Room: &room, VideoLink: &link,
		Officials: textLines(form["officials"]), Note: form["note"]}
	if len(local) > 0 {
		err = errs.Fields("api.rescheduleForm")
	} else {
		_, err = s.Enforcement.RescheduleInterview(c.UserContext(), actor(c), id, version, in)
	}
	if err == nil {
		return c.Redirect(interviewPath(id)+"?done=reschedule", http.StatusSeeOther)
	}
	if errs.KindOf(err) == errs.NotFound {
		return err
	}
	iv, gerr := s.Enforcement.Interview(c.UserContext(), id)
	if gerr != nil {
		return gerr
	}
	return s.interviewFormFailed(c, form, iv, local, err)
}
