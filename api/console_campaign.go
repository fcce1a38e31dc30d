package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"prepaidreg/enforcement"
	"prepaidreg/internal/errs"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// campaignTextFields are the campaign planner's text inputs.
var campaignTextFields = []string{
	"enterprises", "from", "to", "rooms", "slot_minutes", "day_start", "day_end", "reason", "legal_basis",
	"materials", "contact",
}

// campaignInputs names the planner input each of the service's fields is shown beside.
var campaignInputs = map[string]string{
	"enterprises": "enterprises", "from": "from", "to": "to", "rooms": "rooms", "officials": "rooms",
	"slot_minutes": "slot_minutes", "day_start": "hours", "day_end": "hours", "reason": "reason",
	"legal_basis": "legal_basis", "departments": "departments", "attendees": "attendees",
	"materials": "materials", "contact": "contact",
}

// campaignFormView is what the planner shows besides the typed values.
type campaignFormView struct {
	Departments []option
	Attendees   []attendeeOption
	// Officials are the active officials, for the rooms box's help.
	Officials []enforcement.Official
	Contact   string
	// Short explains a plan that found fewer free slots than enterprises.
	Short *campaignShortage
}

// campaignShortage is a plan refused for want of slots: the service's count, and the
// enterprises left over with their names.
type campaignShortage struct {
	Summary string
	Left    []interviewParty
}

func (s *server) newCampaignPage(c *fiber.Ctx) error {
	next := s.Enforcement.Calendar().NextWorkday(s.Enforcement.Now())
	form := map[string]string{
		"from": next.Format(time.DateOnly), "to": next.AddDate(0, 0, 13).Format(time.DateOnly),
		"slot_minutes": "60", "day_start": "09:00", "day_end": "17:30",
		"legal_basis": enforcement.DefaultLegalBasis,
		"attendee." + string(enforcement.AttendeeLegalRepresentative): "on",
	}
	return s.renderCampaignForm(c, pageData{Form: form}, nil)
}

func (s *server) planCampaignForm(c *fiber.Ctx) error {
	if err := checkFormSize(c); err != nil {
		return err
	}
	form := readForm(c, campaignTextFields)
	form["departments"] = strings.Join(formValues(c, "departments"), "\n")
	for _, r := range attendeeRoles {
		form["attendee_name."+string(r)] = strings.TrimSpace(c.FormValue("attendee_name." + string(r)))
	}
	for _, r := range formValues(c, "attendees") {
		form["attendee."+r] = "on"
	}

	req, local := campaignRequestOf(form)
	var err error
	if len(local) == 0 {
		var camp *enforcement.Campaign
		camp, err = s.Enforcement.PlanCampaign(c.UserContext(), actor(c), req)
		if err == nil {
			return c.Redirect(campaignPath(camp.ID), http.StatusSeeOther)
		}
		if errs.KindOf(err) != errs.Invalid {
			return err
		}
	}

	d := pageData{Form: form, FieldErrors: map[string]string{}}
	fields := numberLines(errs.FieldsOf(err), "enterprises", form["enterprises"])
	fields = numberLines(fields, "rooms", form["rooms"])
	var top string
	d.FieldErrors, top = placeErrors(fields, campaignInputs, nil)
	for k, v := range local {
		d.FieldErrors[k] = v
	}
	d.Error = "计划未生成：请按各栏下方的红字说明修改后重新提交。"
	if top != "" {
		d.Error = "计划未生成：" + top
	}
	short, serr := s.shortageOf(c, err)
	if serr != nil {
		return serr
	}
	if short != nil {
		d.Error = "计划未生成：" + short.Summary
	}
	c.Status(http.StatusBadRequest)
	return s.renderCampaignForm(c, d, short)
}

// campaignRequestOf turns the typed planner into the service's request. The rooms box holds a
// room a line, its officials after a colon: "第一约谈室: OF-1a2b3c4d, OF-5e6f7a8b".
func campaignRequestOf(form map[string]string) (enforcement.CampaignRequest, map[string]string) {
	local := map[string]string{}
	req := enforcement.CampaignRequest{
		Enterprises: textLines(form["enterprises"]), From: strings.TrimSpace(form["from"]),
		To: strings.TrimSpace(form["to"]), Officials: map[string][]string{},
		DayStart: strings.TrimSpace(form["day_start"]), DayEnd: strings.TrimSpace(form["day_end"]),
		Reason: form["reason"], LegalBasis: form["legal_basis"], Materials: textLines(form["materials"]),
		Contact: form["contact"],
	}
	for _, line := range textLines(form["rooms"]) {
		room, ids, _ := cutColon(line)
		if room == "" {
			room = line
		}
		req.Rooms = append(req.Rooms, room)
		req.Officials[room] = append(req.Officials[room], strings.FieldsFunc(ids, isListSeparator)...)
	}
	if v := strings.TrimSpace(form["slot_minutes"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			local["slot_minutes"] = "每场时长应为分钟数，如 60 (minutes, such as 60)"
		}
		req.SlotMinutes = n
	}
	for _, d := range textLines(form["departments"]) {
		req.Departments = append(req.Departments, enforcement.Department(d))
	}
	for _, r := range attendeeRoles {
		if form["attendee."+string(r)] != "" {
			req.Attendees = append(req.Attendees, enforcement.Attendee{Role: r, Name: form["attendee_name."+string(r)]})
		}
	}
	return req, local
}

// isListSeparator splits a list of officials at commas, enumeration commas and spaces.
func isListSeparator(r rune) bool {
	return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\t' || r == '\u3000'
}

// shortageOf reads, from a refused plan, the count of slots found and the enterprises left,
// or nil when the plan was refused for another reason.
func (s *server) shortageOf(c *fiber.Ctx, err error) (*campaignShortage, error) {
	var se *enforcement.ShortageError
	if !errors.As(err, &se) {
		return nil, nil
	}
	codes := make([]string, len(se.Left))
	for i, u := range se.Left {
		codes[i] = string(u)
	}
	names, err := s.namesByCode(c, codes)
	if err != nil {
		return nil, err
	}
	short := &campaignShortage{Summary: fmt.Sprintf("空闲时段只有%d个，需要%d个，%d家企业未能安排。",
		se.Found, se.Needed, len(se.Left))}
	for _, code := range codes {
		short.Left = append(short.Left, interviewParty{ID: code, Name: nameOr(names, code),
			Path: "/console/enterprises/" + url.PathEscape(code)})
	}
	return short, nil
}

// namesByCode reads the names of the enterprises with the codes, by code.
func (s *server) namesByCode(c *fiber.Ctx, codes []string) (map[string]string, error) {
	uscc := make([]registry.USCC, 0, len(codes))
	for _, code := range codes {
		uscc = append(uscc, registry.USCC(code))
	}
	names := map[string]string{}
	found, _, err := s.Registry.EnterprisesByUSCC(c.UserContext(), uscc)
	for _, e := range found {
		names[string(e.USCC)] = e.Name
	}
	return names, err
}

// renderCampaignForm shows the planner with d's values and messages.
func (s *server) renderCampaignForm(c *fiber.Ctx, d pageData, short *campaignShortage) error {
	if d.FieldErrors == nil {
		d.FieldErrors = map[string]string{}
	}
	d.Title = "专项约谈计划"
	b := s.Enforcement.Bureau()
	v := campaignFormView{Contact: b.Contact + " " + b.Phone, Short: short}
	chosen := textLines(d.Form["departments"])
	for _, dep := range enforcement.Departments {
		v.Departments = append(v.Departments, option{Value: string(dep.Code), Label: dep.Name,
			Selected: dep.Code == "market" || slices.Contains(chosen, string(dep.Code))})
	}
	for _, r := range attendeeRoles {
		v.Attendees = append(v.Attendees, attendeeOption{Role: string(r), Label: attendeeLabels[string(r)],
			Name: d.Form["attendee_name."+string(r)], Checked: d.Form["attendee."+string(r)] != ""})
	}
	officials, err := s.Enforcement.Officials(c.UserContext(), false)
	if err != nil {
		return err
	}
	v.Officials = officials
	d.Data = v
	return s.render(c, "campaign_form", d)
}

// campaignPageView is a planned campaign with its interviews.
type campaignPageView struct {
	Campaign   *enforcement.Campaign
	Rows       []campaignRow
	NoticesPDF string
	NoticesZip string
	From, To   string
	Rooms      string
}

// campaignRow is one interview of a campaign.
type campaignRow struct {
	ID, Path, Number, Day, Time, Room, Enterprise, USCC, Officials, State string
}

func (s *server) campaignPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	camp, ivs, err := s.Enforcement.Campaign(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	enterprises, officials, err := s.interviewNames(ctx, ivs)
	if err != nil {
		return err
	}
	// By time, and at one time in the order the plan made them: the order of the rooms.
	slices.SortStableFunc(ivs, func(a, b enforcement.Interview) int {
		if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
			return c
		}
		return slices.Index(camp.InterviewIDs, a.ID) - slices.Index(camp.InterviewIDs, b.ID)
	})
	downloads := "/api/v1/interviews/campaigns/" + url.PathEscape(camp.ID)
	v := campaignPageView{Campaign: camp,
		NoticesPDF: downloads + "/notices.pdf", NoticesZip: downloads + "/notices.zip",
		From: camp.Request.From, To: camp.Request.To, Rooms: strings.Join(camp.Request.Rooms, "、")}
	for _, iv := range ivs {
		start, end := iv.StartsAt.In(workday.Zone), iv.EndsAt.In(workday.Zone)
		var names []string
		for _, id := range iv.Officials {
			names = append(names, nameOr(officials, id))
		}
		row := campaignRow{ID: iv.ID, Path: interviewPath(iv.ID), Number: iv.NoticeNumber,
			Day:  start.Format("1月2日") + " " + weekdayLabels[start.Weekday()],
			Time: start.Format("15:04") + "–" + end.Format("15:04"), Room: iv.Room,
			Officials: strings.Join(names, "、"), State: iv.State.Label()}
		if len(iv.Enterprises) > 0 {
			row.USCC = string(iv.Enterprises[0])
			row.Enterprise = nameOr(enterprises, row.USCC)
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, "campaign", pageData{Title: "专项约谈 " + camp.ID, Data: v})
}
