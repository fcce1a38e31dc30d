package api

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
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

// clashProblem is the problem answer to an interview that would take a room, an official or
// an enterprise another interview holds: it names that interview, so a client can show it.
type clashProblem struct {
	problem
	ClashesWith string `json:"clashes_with"`
	// Resource is "room", "official" or "enterprise"; Name the room, official id or USCC.
	Resource string `json:"resource"`
	Name     string `json:"name"`
}

// answerClash writes a 409 naming the clashing interview when err is a clash; any other error
// goes to the error handler unchanged.
func answerClash(c *fiber.Ctx, err error) error {
	var clash *enforcement.ClashError
	if !errors.As(err, &clash) {
		return err
	}
	p := clashProblem{
		problem: problem{Type: "about:blank", Title: http.StatusText(http.StatusConflict), Status: http.StatusConflict,
			Detail: errs.MessageOf(err), Instance: c.Path(), RequestID: requestID(c)},
		ClashesWith: clash.InterviewID, Resource: clash.Resource, Name: clash.Name,
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Status(http.StatusConflict).JSON(p, "application/problem+json")
}

func (s *server) scheduleInterview(c *fiber.Ctx) error {
	var in enforcement.InterviewInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	iv, err := s.Enforcement.ScheduleInterview(c.UserContext(), actor(c), in)
	if err != nil {
		return answerClash(c, err)
	}
	c.Location("/api/v1/interviews/" + iv.ID)
	return writeInterview(c.Status(http.StatusCreated), iv)
}

func (s *server) getInterview(c *fiber.Ctx) error {
	iv, err := s.Enforcement.Interview(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return writeInterview(c, iv)
}

// writeInterview answers with the interview and its version.
func writeInterview(c *fiber.Ctx, iv *enforcement.Interview) error {
	setETag(c, iv.Version)
	return c.JSON(iv)
}

// interviewList is a page of interviews by start time.
type interviewList struct {
	Items      []enforcement.Interview `json:"items"`
	NextCursor string                  `json:"next_cursor,omitempty"`
}

func (s *server) listInterviews(c *fiber.Ctx) error {
	q, after, err := parseInterviewQuery(c)
	if err != nil {
		return err
	}
	items, next, err := s.interviewPage(c.UserContext(), q, after)
	if err != nil {
		return err
	}
	return c.JSON(interviewList{Items: items, NextCursor: next})
}

// interviewCursor is where a page of interviews ended: its last start time and id.
type interviewCursor struct {
	startsAt time.Time
	id       string
}

// interviewPage reads one page after the cursor. The service pages by start time only, so
// the page is read from the cursor's start time on and the interviews of that time already
// shown are dropped; when they crowd out the page, it is read again, twice as long.
func (s *server) interviewPage(
	ctx context.Context,
	q enforcement.InterviewQuery,
	after *interviewCursor,
) ([]enforcement.Interview, string, error) {
	want := q.Limit
	if after != nil {
		q.From = after.startsAt
	}
	var items []enforcement.Interview
	for q.Limit = want + 1; ; q.Limit *= 2 {
		got, err := s.Enforcement.ListInterviews(ctx, q)
		if err != nil {
			return nil, "", err
		}
		items = make([]enforcement.Interview, 0, len(got))
		for _, iv := range got {
			if after == nil || !iv.StartsAt.Equal(after.startsAt) || iv.ID > after.id {
				items = append(items, iv)
			}
		}
		if len(items) > want || len(got) < q.Limit || q.Limit >= maxInterviewLimit {
			break
		}
	}
	if len(items) <= want {
		return items, "", nil
	}
	last := items[want-1]
	return items[:want], encodeTimeCursor(last.StartsAt, last.ID), nil
}

// interviewStates are the states the list may be filtered by.
var interviewStates = []enforcement.State{
	enforcement.StateScheduled, enforcement.StateNotified, enforcement.StateHeld, enforcement.StateNoShow,
	enforcement.StateCancelled, enforcement.StateRectificationDue, enforcement.StateRectified,
	enforcement.StateNotRectified,
}

// Page sizes of the interview list: the calendar reads up to a month at once.
const (
	defaultInterviewLimit = 200
	maxInterviewLimit     = 1000
)

// parseInterviewQuery reads from, to, room, official, uscc, state, limit and cursor. A date
// without a time is a whole day in Asia/Shanghai: from its start, to its end.
func parseInterviewQuery(c *fiber.Ctx) (enforcement.InterviewQuery, *interviewCursor, error) {
	p, err := queryParams(c, "from", "to", "room", "official", "uscc", "state", "limit", "cursor")
	if err != nil {
		return enforcement.InterviewQuery{}, nil, err
	}
	q := enforcement.InterviewQuery{Room: p["room"], Official: p["official"], State: enforcement.State(p["state"]),
		Limit: defaultInterviewLimit}
	var bad []errs.FieldError
	fail := func(field, msg string) { bad = append(bad, errs.FieldError{Field: field, Message: msg}) }

	if q.From, err = parseInstant(p["from"], false); err != nil {
		fail("from", err.Error())
	}
	if q.To, err = parseInstant(p["to"], true); err != nil {
		fail("to", err.Error())
	}
	if v := p["uscc"]; v != "" {
		if q.USCC, err = registry.ParseUSCC(v); err != nil {
			fail("uscc", err.Error())
		}
	}
	if q.State != "" && !slices.Contains(interviewStates, q.State) {
		fail("state", "状态应为 scheduled、notified、held、no_show、cancelled、rectification_due、rectified、"+
			"not_rectified 之一 (unknown state)")
	}
	if v := p["limit"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxInterviewLimit {
			fail("limit", "应为1至1000的整数 (an integer from 1 to 1000)")
		}
		q.Limit = n
	}
	if len(bad) > 0 {
		return q, nil, newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)", bad...)
	}
	at, id, ok, err := decodeTimeCursor(p["cursor"])
	if !ok {
		return q, nil, err
	}
	return q, &interviewCursor{startsAt: at, id: id}, nil
}

// parseInstant reads a day ("2006-01-02", in Asia/Shanghai) or an RFC 3339 time. A day read as
// an end stands for the midnight after it, so that to=2026-09-28 takes in that day.
func parseInstant(v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, v, workday.Zone); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errors.New("应为日期 2006-01-02 或 RFC 3339 时间 (a date or an RFC 3339 time)")
	}
	return t.UTC(), nil
}

// interviewNote is the body of notify and no-show: an optional note.
type interviewNote struct {
	Note string `json:"note"`
}

// interviewOutcome is the body of hold: what came of the interview.
type interviewOutcome struct {
	Outcome string `json:"outcome"`
}

// interviewCancellation is the body of cancel: the reason, required.
type interviewCancellation struct {
	Reason string `json:"reason"`
}

// interviewFinding is the body of rectified and not-rectified: what the check found, required
// when the enterprise did not rectify.
type interviewFinding struct {
	Finding string `json:"finding"`
}

// decodeOptional reads a JSON body into v; an empty body leaves v as it is.
func decodeOptional(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

// interviewChange is one of the service's changes of an interview, bound to its input.
type interviewChange func(ctx context.Context, a audit.Actor, id string, ifMatch int64) (*enforcement.Interview, error)

// changeInterview makes a change at the version the client sent in If-Match and answers with
// the interview as it now is.
func (s *server) changeInterview(c *fiber.Ctx, change interviewChange) error {
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	iv, err := change(c.UserContext(), actor(c), c.Params("id"), version)
	if err != nil {
		return answerClash(c, err)
	}
	return writeInterview(c, iv)
}

func (s *server) notifyInterview(c *fiber.Ctx) error {
	var in interviewNote
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.NotifyInterview(ctx, a, id, v, in.Note)
		})
}

func (s *server) rescheduleInterview(c *fiber.Ctx) error {
	var in enforcement.RescheduleInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.RescheduleInterview(ctx, a, id, v, in)
		})
}

func (s *server) holdInterview(c *fiber.Ctx) error {
	var in interviewOutcome
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.HoldInterview(ctx, a, id, v, in.Outcome)
		})
}

func (s *server) noShowInterview(c *fiber.Ctx) error {
	var in interviewNote
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.RecordNoShow(ctx, a, id, v, in.Note)
		})
}

func (s *server) cancelInterview(c *fiber.Ctx) error {
	var in interviewCancellation
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.CancelInterview(ctx, a, id, v, in.Reason)
		})
}

func (s *server) requireRectification(c *fiber.Ctx) error {
	var in enforcement.RectificationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.RequireRectification(ctx, a, id, v, in)
		})
}

func (s *server) interviewRectified(c *fiber.Ctx) error {
	var in interviewFinding
	if err := decodeOptional(c, &in); err != nil {
		return err
	}
	return s.checkRectification(c, true, in.Finding)
}

func (s *server) interviewNotRectified(c *fiber.Ctx) error {
	var in interviewFinding
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	return s.checkRectification(c, false, in.Finding)
}

func (s *server) checkRectification(c *fiber.Ctx, rectified bool, finding string) error {
	return s.changeInterview(c,
		func(ctx context.Context, a audit.Actor, id string, v int64) (*enforcement.Interview, error) {
			return s.Enforcement.CheckRectification(ctx, a, id, v, rectified, finding)
		})
}

// interviewParties reads the enterprises and officials the documents of ivs name: the
// enterprises with one read, the officials with another. The service offers no read of
// officials by id, so all of them are read; there are tens, not thousands.
func (s *server) interviewParties(
	ctx context.Context,
	ivs []enforcement.Interview,
) ([]registry.Enterprise, []enforcement.Official, error) {
	var codes []registry.USCC
	seen := map[registry.USCC]bool{}
	for _, iv := range ivs {
		for _, code := range iv.Enterprises {
			if !seen[code] {
				seen[code] = true
				codes = append(codes, code)
			}
		}
	}
	ents, _, err := s.Registry.EnterprisesByUSCC(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	officials, err := s.Enforcement.Officials(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	return ents, officials, nil
}

func (s *server) interviewNoticePDF(c *fiber.Ctx) error {
	if _, err := queryParams(c); err != nil {
		return err
	}
	iv, err := s.Enforcement.Interview(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	ents, officials, err := s.interviewParties(c.UserContext(), []enforcement.Interview{*iv})
	if err != nil {
		return err
	}
	out, err := enforcement.NoticePDF(enforcement.Notice{Interview: iv, Enterprises: ents, Officials: officials,
		Bureau: s.Enforcement.Bureau()})
	if err != nil {
		return err
	}
	attachment(c, "notice-"+iv.ID+".pdf", "约谈通知书_"+cmp.Or(iv.NoticeNumber, iv.ID)+".pdf")
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(out)
}

func (s *server) interviewInviteICS(c *fiber.Ctx) error {
	p, err := queryParams(c, "official")
	if err != nil {
		return err
	}
	iv, err := s.Enforcement.Interview(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	ents, officials, err := s.interviewParties(c.UserContext(), []enforcement.Interview{*iv})
	if err != nil {
		return err
	}
	out, err := enforcement.InviteICS(iv, officials, ents, s.Enforcement.Bureau(), p["official"])
	if err != nil {
		return err
	}
	name := "interview-" + iv.ID
	if p["official"] != "" {
		name += "-" + fileSafe(p["official"])
	}
	attachment(c, name+".ics", "")
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	return c.Send(out)
}

// campaignCreated answers the planning of a campaign: its id and the interviews it made.
type campaignCreated struct {
	ID         string                  `json:"id"`
	Interviews []enforcement.Interview `json:"interviews"`
}

// campaignView is a campaign as read back: the request as given and its interviews.
type campaignView struct {
	Campaign   *enforcement.Campaign   `json:"campaign"`
	Interviews []enforcement.Interview `json:"interviews"`
}

func (s *server) planCampaign(c *fiber.Ctx) error {
	var in enforcement.CampaignRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	planned, err := s.Enforcement.PlanCampaign(c.UserContext(), actor(c), in)
	if err != nil {
		return err
	}
	_, ivs, err := s.Enforcement.Campaign(c.UserContext(), planned.ID)
	if err != nil {
		return err
	}
	c.Location("/api/v1/interviews/campaigns/" + planned.ID)
	setETag(c, planned.Version)
	return c.Status(http.StatusCreated).JSON(campaignCreated{ID: planned.ID, Interviews: nonNil(ivs)})
}

func (s *server) getCampaign(c *fiber.Ctx) error {
	camp, ivs, err := s.Enforcement.Campaign(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	setETag(c, camp.Version)
	return c.JSON(campaignView{Campaign: camp, Interviews: nonNil(ivs)})
}

// campaignNotices reads a campaign's interviews that still have a notice, by start time, with
// the facts their documents are made from.
func (s *server) campaignNotices(c *fiber.Ctx, keepCancelled bool) (string, []enforcement.Notice, error) {
	if _, err := queryParams(c); err != nil {
		return "", nil, err
	}
	camp, ivs, err := s.Enforcement.Campaign(c.UserContext(), c.Params("id"))
	if err != nil {
		return "", nil, err
	}
	ents, officials, err := s.interviewParties(c.UserContext(), ivs)
	if err != nil {
		return "", nil, err
	}
	var out []enforcement.Notice
	for i := range ivs {
		if keepCancelled || ivs[i].State != enforcement.StateCancelled {
			out = append(out, enforcement.Notice{Interview: &ivs[i], Enterprises: ents, Officials: officials,
				Bureau: s.Enforcement.Bureau()})
		}
	}
	if len(out) == 0 {
		return "", nil, errs.E(errs.Conflict, "api.campaignNotices",
			"该批约谈均已取消，没有约谈通知书 (every interview of the campaign was cancelled: no notices)")
	}
	return camp.ID, out, nil
}

func (s *server) campaignNoticesPDF(c *fiber.Ctx) error {
	id, notices, err := s.campaignNotices(c, false)
	if err != nil {
		return err
	}
	out, err := enforcement.NoticesPDF(notices)
	if err != nil {
		return err
	}
	attachment(c, "notices-"+id+".pdf", "约谈通知书_"+id+".pdf")
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(out)
}

func (s *server) campaignNoticesZip(c *fiber.Ctx) error {
	// The bundle keeps cancelled interviews: their folders carry the cancellations of the
	// officials' invitations.
	id, notices, err := s.campaignNotices(c, true)
	if err != nil {
		return err
	}
	items := make([]enforcement.ZipItem, len(notices))
	for i, n := range notices {
		items[i] = enforcement.ZipItem{Notice: n}
	}
	// Written to memory first, so that a failure half way is still a problem answer rather
	// than a broken download.
	var buf bytes.Buffer
	if err := enforcement.NoticesZip(&buf, items); err != nil {
		return err
	}
	attachment(c, "notices-"+id+".zip", "约谈文书_"+id+".zip")
	c.Set(fiber.HeaderContentType, "application/zip")
	return c.Send(buf.Bytes())
}

// reminderFeed is the reminders due on one day: the interviews of the next working day.
type reminderFeed struct {
	Date  string         `json:"date"`
	Items []reminderItem `json:"items"`
}

// reminderItem is one interview to remind its officials and enterprises of.
type reminderItem struct {
	InterviewID  string                 `json:"interview_id"`
	NoticeNumber string                 `json:"notice_number"`
	State        enforcement.State      `json:"state"`
	StartsAt     time.Time              `json:"starts_at"`
	EndsAt       time.Time              `json:"ends_at"`
	Room         string                 `json:"room"`
	VideoLink    string                 `json:"video_link,omitempty"`
	Enterprises  []reminderFirm         `json:"enterprises"`
	Officials    []reminderPerson       `json:"officials"`
	Due          time.Time              `json:"due"`
	Attendees    []enforcement.Attendee `json:"attendees"`
}

// reminderFirm is an enterprise a reminder goes to.
type reminderFirm struct {
	USCC registry.USCC `json:"uscc"`
	Name string        `json:"name"`
}

// reminderPerson is an official a reminder goes to.
type reminderPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

func (s *server) interviewReminders(c *fiber.Ctx) error {
	p, err := queryParams(c, "date")
	if err != nil {
		return err
	}
	// The service keeps its clock to itself; today is the server's day in Asia/Shanghai.
	day := workday.Day(s.Enforcement.Now())
	if v := p["date"]; v != "" {
		if day, err = time.ParseInLocation(time.DateOnly, v, workday.Zone); err != nil {
			return newHTTPError(http.StatusBadRequest, "查询参数有误 (invalid query)",
				errs.FieldError{Field: "date", Message: "应为日期 2006-01-02 (a date, 2006-01-02)"})
		}
	}
	rs, err := s.Enforcement.Reminders(c.UserContext(), day)
	if err != nil {
		return err
	}
	var ivs []enforcement.Interview
	for _, r := range rs {
		ivs = append(ivs, r.Interview)
	}
	names, err := s.enterpriseNames(c.UserContext(), ivs)
	if err != nil {
		return err
	}
	feed := reminderFeed{Date: day.Format(time.DateOnly), Items: make([]reminderItem, 0, len(rs))}
	for _, r := range rs {
		feed.Items = append(feed.Items, reminderOf(r, names))
	}
	return c.JSON(feed)
}

// enterpriseNames returns the names of the enterprises of ivs by USCC.
func (s *server) enterpriseNames(ctx context.Context, ivs []enforcement.Interview) (map[registry.USCC]string, error) {
	var codes []registry.USCC
	for _, iv := range ivs {
		codes = append(codes, iv.Enterprises...)
	}
	names := map[registry.USCC]string{}
	if len(codes) == 0 {
		return names, nil
	}
	ents, _, err := s.Registry.EnterprisesByUSCC(ctx, codes)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		names[e.USCC] = e.Name
	}
	return names, nil
}

func reminderOf(r enforcement.Reminder, names map[registry.USCC]string) reminderItem {
	iv := r.Interview
	item := reminderItem{InterviewID: iv.ID, NoticeNumber: iv.NoticeNumber, State: iv.State,
		StartsAt: iv.StartsAt, EndsAt: iv.EndsAt, Room: iv.Room, VideoLink: iv.VideoLink, Due: r.Due,
		Attendees: iv.Attendees, Enterprises: []reminderFirm{}, Officials: []reminderPerson{}}
	for _, code := range iv.Enterprises {
		item.Enterprises = append(item.Enterprises, reminderFirm{USCC: code, Name: names[code]})
	}
	for _, o := range r.Officials {
		item.Officials = append(item.Officials, reminderPerson{ID: o.ID, Name: o.Name, Phone: o.Phone, Email: o.Email})
	}
	return item
}

func nonNil(ivs []enforcement.Interview) []enforcement.Interview {
	if ivs == nil {
		return []enforcement.Interview{}
	}
	return ivs
}

// attachment names a download: an ASCII name for every client and, when utf8Name is given,
// the UTF-8 one (RFC 6266, RFC 8187) for those that read it.
func attachment(c *fiber.Ctx, ascii, utf8Name string) {
	v := `attachment; filename="` + ascii + `"`
	if utf8Name != "" {
		v += "; filename*=UTF-8''" + rfc8187(utf8Name)
	}
	c.Set(fiber.HeaderContentDisposition, v)
}

// rfc8187 percent-encodes s as an ext-value: every byte but attr-char.
func rfc8187(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' ||
			strings.IndexByte(attrChar, ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}
