package api_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/enforcement"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
)

// ivEnv is a test environment whose interview clock can be moved; it starts on Monday
// 2026-09-21 at 09:00 in Beijing, before 中秋 (9-25..27) and 国庆 (10-01..07).
type ivEnv struct {
	*testEnv
	now atomic.Pointer[time.Time]
}

func newIvEnv(t *testing.T) *ivEnv {
	env := &ivEnv{testEnv: newTestEnv(t)}
	env.setNow(shanghai(t, "2026-09-21", "09:00"))
	env.enforcement.SetClock(func() time.Time { return *env.now.Load() })
	return env
}

func (e *ivEnv) setNow(t time.Time) { e.now.Store(&t) }

// shanghai returns a day and time of day in Asia/Shanghai.
func shanghai(t testing.TB, day, clock string) time.Time {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", day+" "+clock, workday.Zone)
	require.NoError(t, err)
	return at
}

// createOfficial registers an official of the market bureau and returns its id.
func (e *ivEnv) createOfficial(t *testing.T, name string) string {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/officials", map[string]any{"name": name, "department": "market",
		"title": "科员", "phone": "010-84761234", "email": "zhang@example.cn"})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var o enforcement.Official
	r.JSON(t, &o)
	return o.ID
}

// interviewBody is a valid request to interview the enterprise at start for an hour.
func interviewBody(uscc string, officials []string, start time.Time, room string) map[string]any {
	return map[string]any{
		"enterprises": []string{uscc}, "reason": "近30日退费难投诉12件，涉及金额8.6万元",
		"starts_at": start.Format(time.RFC3339), "duration_minutes": 60, "room": room,
		"officials": officials, "departments": []string{"sports"}, "materials": []string{"预付卡销售台账"},
	}
}

// schedule books an interview and returns it with its ETag.
func (e *ivEnv) schedule(t *testing.T, body map[string]any) (enforcement.Interview, string) {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/interviews", body)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var iv enforcement.Interview
	r.JSON(t, &iv)
	assert.Equal(t, "/api/v1/interviews/"+iv.ID, r.Header.Get("Location"))
	return iv, r.Header.Get("ETag")
}

// change posts an action on an interview with If-Match and returns the answer.
func (e *ivEnv) change(t *testing.T, id, action, etag string, body any) (enforcement.Interview, response) {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/interviews/"+id+"/"+action, body, "If-Match", etag)
	var iv enforcement.Interview
	if r.Status == http.StatusOK {
		r.JSON(t, &iv)
		assert.Equal(t, strconv.Quote(strconv.FormatInt(iv.Version, 10)), r.Header.Get("ETag"))
	}
	return iv, r
}

// list reads the interview list with a query and returns the ids.
func (e *ivEnv) list(t *testing.T, query string) []string {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/interviews?"+query, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got struct {
		Items []enforcement.Interview `json:"items"`
	}
	r.JSON(t, &got)
	ids := []string{}
	for _, iv := range got.Items {
		ids = append(ids, iv.ID)
	}
	return ids
}

func TestInterviewAPI_Lifecycle(t *testing.T) {
	env := newIvEnv(t)
	uscc := env.createEnterprise("MA01KW001", nil)
	other := env.createEnterprise("MA01KW002", map[string]any{"name": "北京朝阳美丽人生美容有限公司"})
	zhang, li := env.createOfficial(t, "张明"), env.createOfficial(t, "李华")

	iv, etag := env.schedule(t, interviewBody(uscc, []string{zhang}, shanghai(t, "2026-09-22", "10:00"), "第一约谈室"))
	assert.Equal(t, `"1"`, etag)
	assert.Equal(t, enforcement.StateScheduled, iv.State)
	assert.Regexp(t, `^京朝市监约〔2026〕第\d{4}号$`, iv.NoticeNumber)
	assert.Equal(t, []enforcement.Department{"market", "sports"}, iv.Departments)
	second, _ := env.schedule(t, interviewBody(other, []string{li}, shanghai(t, "2026-09-28", "14:00"), "第二约谈室"))

	t.Run("read with its version", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"1"`, r.Header.Get("ETag"))
		assert.Contains(t, string(r.Body), `"starts_at":"2026-09-22T02:00:00Z"`, "times are RFC 3339 in UTC")
		assert.Equal(t, http.StatusNotFound, env.do(user.Regulator, "GET", "/api/v1/interviews/IV-nothing", nil).Status)
	})

	t.Run("list by range, room, official, enterprise, state", func(t *testing.T) {
		assert.Equal(t, []string{iv.ID, second.ID}, env.list(t, ""))
		assert.Equal(t, []string{iv.ID}, env.list(t, "from=2026-09-21&to=2026-09-22"))
		assert.Equal(t, []string{second.ID}, env.list(t, "from=2026-09-28T14:00:00%2B08:00"))
		assert.Equal(t, []string{second.ID}, env.list(t, "room="+urlEscape("第二约谈室")))
		assert.Equal(t, []string{iv.ID}, env.list(t, "official="+zhang))
		assert.Equal(t, []string{second.ID}, env.list(t, "uscc="+other))
		assert.Equal(t, []string{iv.ID, second.ID}, env.list(t, "state=scheduled"))
		assert.Empty(t, env.list(t, "state=held"))
	})

	t.Run("pages with a cursor", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews?limit=1", nil)
		require.Equal(t, http.StatusOK, r.Status)
		var page struct {
			Items      []enforcement.Interview `json:"items"`
			NextCursor string                  `json:"next_cursor"`
		}
		r.JSON(t, &page)
		require.Len(t, page.Items, 1)
		require.NotEmpty(t, page.NextCursor)
		assert.Equal(t, []string{second.ID}, env.list(t, "limit=1&cursor="+page.NextCursor))
	})

	t.Run("notify, hold, rectification, rectified", func(t *testing.T) {
		_, r := env.change(t, iv.ID, "notify", `"1"`, map[string]string{"note": "已当面送达"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)

		_, r = env.change(t, iv.ID, "notify", `"2"`, nil)
		assert.Equal(t, http.StatusConflict, r.Status, "notified twice")
		assert.Contains(t, r.Problem(t).Detail, "只有已安排")

		_, r = env.change(t, iv.ID, "hold", `"1"`, map[string]string{"outcome": "企业承认问题"})
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "stale If-Match")
		assert.Contains(t, r.Problem(t).Detail, "版本")

		_, r = env.change(t, iv.ID, "hold", "", map[string]string{"outcome": "企业承认问题"})
		assert.Equal(t, http.StatusPreconditionRequired, r.Status, "no If-Match")

		_, r = env.change(t, iv.ID, "hold", `"2"`, map[string]string{"outcome": "企业承认问题"})
		assert.Equal(t, http.StatusConflict, r.Status, "held before it started")
		assert.Contains(t, r.Problem(t).Detail, "尚未开始")

		env.setNow(shanghai(t, "2026-09-22", "11:05"))
		held, r := env.change(t, iv.ID, "hold", `"2"`, map[string]string{"outcome": "企业承认问题，同意整改"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, enforcement.StateHeld, held.State)

		due, r := env.change(t, iv.ID, "rectification", `"3"`, map[string]any{
			"commitments": []string{"7日内办结全部退费申请"}, "deadline": "2026-10-12T17:00:00+08:00"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, enforcement.StateRectificationDue, due.State)

		_, r = env.change(t, iv.ID, "not-rectified", `"4"`, map[string]string{"finding": "仍有退费未办结"})
		assert.Equal(t, http.StatusConflict, r.Status, "deadline not passed")
		assert.Contains(t, r.Problem(t).Detail, "整改期限")

		done, r := env.change(t, iv.ID, "rectified", `"4"`, map[string]string{"finding": "已全部退费"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, enforcement.StateRectified, done.State)
		assert.Equal(t, int64(5), done.Version)
		assert.Len(t, done.History, 5)
	})

	t.Run("holding a cancelled interview", func(t *testing.T) {
		_, r := env.change(t, second.ID, "cancel", `"1"`, map[string]string{})
		assert.Equal(t, http.StatusBadRequest, r.Status, "cancel needs a reason")
		assert.Contains(t, r.Problem(t).fieldNames(), "reason")

		_, r = env.change(t, second.ID, "cancel", `"1"`, map[string]string{"reason": "企业已停业"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		_, r = env.change(t, second.ID, "hold", `"2"`, nil)
		assert.Equal(t, http.StatusConflict, r.Status)
		p := r.Problem(t)
		assert.Contains(t, p.Detail, "只有已通知的约谈可以登记为已约谈")
		assert.Contains(t, p.Detail, "已取消")
	})
}

func TestInterviewAPI_Clash(t *testing.T) {
	env := newIvEnv(t)
	a := env.createEnterprise("MA01CL001", nil)
	b := env.createEnterprise("MA01CL002", nil)
	zhang, li := env.createOfficial(t, "张明"), env.createOfficial(t, "李华")
	first, _ := env.schedule(t, interviewBody(a, []string{zhang}, shanghai(t, "2026-09-22", "10:00"), "第一约谈室"))

	tests := []struct {
		name     string
		body     map[string]any
		resource string
	}{
		{"same room", interviewBody(b, []string{li}, shanghai(t, "2026-09-22", "10:30"), "第一约谈室"), "room"},
		{"same official",
			interviewBody(b, []string{zhang}, shanghai(t, "2026-09-22", "09:30"), "第二约谈室"), "official"},
		{"same enterprise", interviewBody(a, []string{li}, shanghai(t, "2026-09-22", "10:00"), "第二约谈室"),
			"enterprise"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.do(user.Regulator, "POST", "/api/v1/interviews", tt.body)
			require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
			p := r.Problem(t)
			assert.Contains(t, p.Detail, first.ID)
			var clash struct {
				ClashesWith string `json:"clashes_with"`
				Resource    string `json:"resource"`
			}
			r.JSON(t, &clash)
			assert.Equal(t, first.ID, clash.ClashesWith)
			assert.Equal(t, tt.resource, clash.Resource)
		})
	}
	assert.Equal(t, []string{first.ID}, env.list(t, ""), "nothing written")

	t.Run("reschedule onto another", func(t *testing.T) {
		next, _ := env.schedule(t, interviewBody(b, []string{li}, shanghai(t, "2026-09-22", "14:00"), "第二约谈室"))
		_, r := env.change(t, next.ID, "reschedule", `"1"`, map[string]any{
			"starts_at": "2026-09-22T10:00:00+08:00", "room": "第一约谈室"})
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		assert.Contains(t, string(r.Body), `"clashes_with":"`+first.ID+`"`)
	})
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// overlap says whether two interviews share some time.
func overlap(a, b enforcement.Interview) bool {
	return a.StartsAt.Before(b.EndsAt) && b.StartsAt.Before(a.EndsAt)
}

// campaignBody asks for the year's campaign: over the ten working days from Tuesday 9-22 to
// Monday 10-12 (中秋 and 国庆 in between, Saturday 10-10 worked), three rooms of three
// officials, 60-minute slots from 09:00 to 17:30: 8 a day in each room, 240 in all.
func campaignBody(codes, officials []string, to string) map[string]any {
	rooms := []string{"第一约谈室", "第二约谈室", "第三约谈室"}
	byRoom := map[string][]string{}
	for i, room := range rooms {
		byRoom[room] = officials[3*i : 3*i+3]
	}
	return map[string]any{"enterprises": codes, "from": "2026-09-22", "to": to, "rooms": rooms,
		"officials": byRoom, "slot_minutes": 60, "day_start": "09:00", "day_end": "17:30",
		"reason": "预付式消费专项约谈", "departments": []string{"commerce", "sports"},
		"materials": []string{"预付卡销售台账"}}
}

// createEnterprises registers n enterprises and returns their codes.
func (e *ivEnv) createEnterprises(t *testing.T, n int) []string {
	t.Helper()
	codes := make([]string, n)
	for i := range codes {
		codes[i] = e.createEnterprise(fmt.Sprintf("MA%07d", i+1), map[string]any{
			"name": fmt.Sprintf("北京朝阳第%d健身有限公司", i+1)})
	}
	return codes
}

func TestInterviewAPI_Campaign(t *testing.T) {
	env := newIvEnv(t)
	codes := env.createEnterprises(t, 221)
	var officials []string
	for i := range 9 {
		officials = append(officials, env.createOfficial(t, fmt.Sprintf("工作人员%d", i+1)))
	}

	t.Run("too large: nothing written", func(t *testing.T) {
		// Three working days (9-22, 9-23, 9-24) give 72 slots.
		r := env.do(user.Regulator, "POST", "/api/v1/interviews/campaigns",
			campaignBody(codes[:100], officials, "2026-09-27"))
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		p := r.Problem(t)
		require.NotEmpty(t, p.Errors)
		assert.Contains(t, p.Errors[0].Message, "空闲时段只有72个")
		assert.Len(t, p.Errors, 1+28)
		assert.Contains(t, p.Errors[len(p.Errors)-1].Message, codes[99])
		assert.Empty(t, env.list(t, ""))
	})

	r := env.do(user.Regulator, "POST", "/api/v1/interviews/campaigns",
		campaignBody(codes[:220], officials, "2026-10-12"))
	require.Equal(t, http.StatusCreated, r.Status, "body: %.500s", r.Body)
	var planned struct {
		ID         string                  `json:"id"`
		Interviews []enforcement.Interview `json:"interviews"`
	}
	r.JSON(t, &planned)
	require.NotEmpty(t, planned.ID)
	ivs := planned.Interviews
	require.Len(t, ivs, 220)

	t.Run("no room or official taken twice", func(t *testing.T) {
		for i := range ivs {
			a := ivs[i]
			assert.True(t, env.enforcement.Calendar().IsWorkday(a.StartsAt), "%s on a day off", a.StartsAt)
			for j := i + 1; j < len(ivs); j++ {
				b := ivs[j]
				if !overlap(a, b) {
					continue
				}
				assert.NotEqual(t, a.Room, b.Room, "%s and %s share a room", a.ID, b.ID)
				for _, o := range a.Officials {
					assert.NotContains(t, b.Officials, o, "%s and %s share official %s", a.ID, b.ID, o)
				}
			}
		}
	})

	t.Run("read back", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/campaigns/"+planned.ID, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %.300s", r.Body)
		var got struct {
			Campaign   enforcement.Campaign    `json:"campaign"`
			Interviews []enforcement.Interview `json:"interviews"`
		}
		r.JSON(t, &got)
		assert.Equal(t, planned.ID, got.Campaign.ID)
		assert.Len(t, got.Campaign.InterviewIDs, 220)
		assert.Len(t, got.Interviews, 220)
		assert.Len(t, env.list(t, "limit=1000"), 220)
	})

	// One interview is cancelled: the PDF leaves it out, the zip keeps its cancellations.
	cancelled := ivs[5]
	_, cr := env.change(t, cancelled.ID, "cancel", `"1"`, map[string]string{"reason": "企业已注销"})
	require.Equal(t, http.StatusOK, cr.Status, "body: %s", cr.Body)

	t.Run("notices.pdf", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/campaigns/"+planned.ID+"/notices.pdf", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %.300s", r.Body)
		assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Header.Get("Content-Disposition"), "attachment")
		text := pdftest.Squash(pdftest.Text(t, r.Body))
		for _, iv := range ivs {
			if iv.ID == cancelled.ID {
				assert.NotContains(t, text, iv.NoticeNumber, "a cancelled interview has no notice")
				continue
			}
			assert.Contains(t, text, iv.NoticeNumber)
		}
	})

	t.Run("notices.zip", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/campaigns/"+planned.ID+"/notices.zip", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %.300s", r.Body)
		assert.Equal(t, "application/zip", r.Header.Get("Content-Type"))
		zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
		require.NoError(t, err)
		pdfs, ics := map[string]bool{}, 0
		for _, f := range zr.File {
			switch {
			case strings.HasSuffix(f.Name, ".pdf"):
				pdfs[strings.Split(f.Name, "/")[0]] = true
			case strings.HasSuffix(f.Name, ".ics"):
				ics++
			}
		}
		assert.Len(t, pdfs, 219)
		assert.Equal(t, 220*3, ics)
		for _, iv := range ivs {
			assert.Equal(t, iv.ID != cancelled.ID, pdfs[iv.NoticeNumber], "PDF of %s", iv.NoticeNumber)
		}
	})

	t.Run("unknown campaign", func(t *testing.T) {
		for _, p := range []string{"", "/notices.pdf", "/notices.zip"} {
			r := env.do(user.Regulator, "GET", "/api/v1/interviews/campaigns/IC-nothing"+p, nil)
			assert.Equal(t, http.StatusNotFound, r.Status, "%s: %s", p, r.Body)
		}
	})
}

// parseICS parses an invitation with go-ical and returns its calendar and only event.
func parseICS(t *testing.T, data []byte) (*ical.Calendar, ical.Event) {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	require.NoError(t, err, "ics:\n%s", data)
	events := cal.Events()
	require.Len(t, events, 1)
	return cal, events[0]
}

func TestInterviewAPI_Documents(t *testing.T) {
	env := newIvEnv(t)
	uscc := env.createEnterprise("MA01DKC01", nil)
	zhang, li := env.createOfficial(t, "张明"), env.createOfficial(t, "李华")
	body := interviewBody(uscc, []string{zhang, li}, shanghai(t, "2026-09-22", "10:00"), "第一约谈室")
	iv, _ := env.schedule(t, body)

	t.Run("notice.pdf", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/notice.pdf", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
		cd := r.Header.Get("Content-Disposition")
		assert.Contains(t, cd, `attachment; filename="notice-`+iv.ID+`.pdf"`)
		assert.Contains(t, cd, "filename*=UTF-8''"+urlEscape("约谈通知书_"+iv.NoticeNumber)+".pdf")
		text := pdftest.Squash(pdftest.Text(t, r.Body))
		for _, want := range []string{"北京朝阳悦动健身有限公司", uscc, body["reason"].(string), iv.NoticeNumber} {
			assert.Contains(t, text, pdftest.Squash(want))
		}
	})

	t.Run("invite.ics", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/invite.ics", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "text/calendar; charset=utf-8", r.Header.Get("Content-Type"))
		cal, ev := parseICS(t, r.Body)
		assert.Equal(t, "REQUEST", cal.Props.Get(ical.PropMethod).Value)
		assert.Equal(t, iv.ID+"@prepaidreg", ev.Props.Get(ical.PropUID).Value)
		assert.Len(t, ev.Props.Values(ical.PropAttendee), 2)
		seq, err := ev.Props.Get(ical.PropSequence).Int()
		require.NoError(t, err)
		assert.Equal(t, 0, seq)

		r = env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/invite.ics?official="+li, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		_, ev = parseICS(t, r.Body)
		require.Len(t, ev.Props.Values(ical.PropAttendee), 1)
		assert.Equal(t, "李华", ev.Props.Values(ical.PropAttendee)[0].Params.Get(ical.ParamCommonName))

		r = env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/invite.ics?official=OF-nobody", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})

	t.Run("sequence raised after reschedule", func(t *testing.T) {
		moved, r := env.change(t, iv.ID, "reschedule", `"1"`, map[string]any{
			"starts_at": "2026-09-23T14:00:00+08:00", "note": "企业申请改期"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, 1, moved.Sequence)
		r = env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/invite.ics", nil)
		require.Equal(t, http.StatusOK, r.Status)
		_, ev := parseICS(t, r.Body)
		seq, err := ev.Props.Get(ical.PropSequence).Int()
		require.NoError(t, err)
		assert.Equal(t, 1, seq)
		start, err := ev.DateTimeStart(workday.Zone)
		require.NoError(t, err)
		assert.True(t, start.Equal(shanghai(t, "2026-09-23", "14:00")), "DTSTART %s", start)
	})

	t.Run("METHOD:CANCEL after cancel", func(t *testing.T) {
		_, r := env.change(t, iv.ID, "cancel", `"2"`, map[string]string{"reason": "企业已停业"})
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		r = env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/invite.ics", nil)
		require.Equal(t, http.StatusOK, r.Status)
		cal, ev := parseICS(t, r.Body)
		assert.Equal(t, "CANCEL", cal.Props.Get(ical.PropMethod).Value)
		assert.Equal(t, "CANCELLED", ev.Props.Get(ical.PropStatus).Value)
		seq, err := ev.Props.Get(ical.PropSequence).Int()
		require.NoError(t, err)
		assert.Equal(t, 2, seq)

		r = env.do(user.Regulator, "GET", "/api/v1/interviews/"+iv.ID+"/notice.pdf", nil)
		assert.Equal(t, http.StatusConflict, r.Status, "a cancelled interview has no notice")
		assert.Contains(t, r.Problem(t).Detail, "已取消")
	})
}

// reminderFeedBody is the reminders feed as a client reads it.
type reminderFeedBody struct {
	Date  string `json:"date"`
	Items []struct {
		InterviewID  string    `json:"interview_id"`
		NoticeNumber string    `json:"notice_number"`
		StartsAt     time.Time `json:"starts_at"`
		Room         string    `json:"room"`
		Due          time.Time `json:"due"`
		Enterprises  []struct {
			USCC string `json:"uscc"`
			Name string `json:"name"`
		} `json:"enterprises"`
		Officials []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"officials"`
	} `json:"items"`
}

func TestInterviewAPI_Reminders(t *testing.T) {
	env := newIvEnv(t)
	uscc := env.createEnterprise("MA01REM01", nil)
	other := env.createEnterprise("MA01REM02", nil)
	zhang := env.createOfficial(t, "张明")
	monday, _ := env.schedule(t, interviewBody(uscc, []string{zhang}, shanghai(t, "2026-09-28", "09:30"), "第一约谈室"))
	friday, _ := env.schedule(t,
		interviewBody(other, []string{zhang}, shanghai(t, "2026-09-24", "15:00"), "第一约谈室"))

	feed := func(t *testing.T, date string) reminderFeedBody {
		t.Helper()
		r := env.do(user.Regulator, "GET", "/api/v1/interviews/reminders?date="+date, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var got reminderFeedBody
		r.JSON(t, &got)
		return got
	}

	// 9-25..27 is 中秋: on Thursday 9-24 the next working day is Monday 9-28.
	got := feed(t, "2026-09-24")
	assert.Equal(t, "2026-09-24", got.Date)
	require.Len(t, got.Items, 1)
	item := got.Items[0]
	assert.Equal(t, monday.ID, item.InterviewID)
	assert.Equal(t, monday.NoticeNumber, item.NoticeNumber)
	assert.True(t, item.StartsAt.Equal(shanghai(t, "2026-09-28", "09:30")))
	assert.Equal(t, "第一约谈室", item.Room)
	assert.True(t, item.Due.Equal(shanghai(t, "2026-09-24", "00:00")))
	require.Len(t, item.Enterprises, 1)
	assert.Equal(t, uscc, item.Enterprises[0].USCC)
	assert.Equal(t, "北京朝阳悦动健身有限公司", item.Enterprises[0].Name)
	require.Len(t, item.Officials, 1)
	assert.Equal(t, zhang, item.Officials[0].ID)
	assert.Equal(t, "张明", item.Officials[0].Name)

	got = feed(t, "2026-09-23")
	require.Len(t, got.Items, 1)
	assert.Equal(t, friday.ID, got.Items[0].InterviewID)
	assert.NotNil(t, feed(t, "2026-09-29").Items, "an empty feed lists no items, not null")

	r := env.do(user.Regulator, "GET", "/api/v1/interviews/reminders", nil)
	assert.Equal(t, http.StatusOK, r.Status, "today by default")
	r = env.do(user.Regulator, "GET", "/api/v1/interviews/reminders?date=24.09.2026", nil)
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Problem(t).fieldNames(), "date")
}
