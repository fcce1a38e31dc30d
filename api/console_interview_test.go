package api_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/enforcement"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
)

// ivClock is the clock of the interview tests, shared by the service and the console pages.
type ivClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *ivClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to a time in Asia/Shanghai, "2006-01-02 15:04".
func (c *ivClock) Set(t *testing.T, s string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = shanghaiTime(t, s)
}

func shanghaiTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, workday.Zone)
	require.NoError(t, err)
	return v
}

// newInterviewClock sets the service's and the console's clock to Monday 2026-09-21 09:00,
// before the Mid-Autumn holiday (9-25 to 9-27) and the National Day week (10-01 to 10-07).
func newInterviewClock(t *testing.T, env *testEnv) *ivClock {
	t.Helper()
	c := &ivClock{}
	c.Set(t, "2026-09-21 09:00")
	env.enforcement.SetClock(c.Now)
	return c
}

// addOfficial registers an official behind the API and returns the id.
func (e *testEnv) addOfficial(t *testing.T, name string) string {
	t.Helper()
	o, err := e.enforcement.CreateOfficial(context.Background(), actorSystem,
		enforcement.OfficialInput{Name: name, Department: "market", Title: "科员"})
	require.NoError(t, err)
	return o.ID
}

// scheduleIV schedules an interview behind the API, an hour long.
func (e *testEnv) scheduleIV(t *testing.T, uscc, start, room string, officials ...string) *enforcement.Interview {
	t.Helper()
	iv, err := e.enforcement.ScheduleInterview(context.Background(), actorSystem, enforcement.InterviewInput{
		Enterprises: []string{uscc}, Reason: "多次被投诉退费难", StartsAt: shanghaiTime(t, start),
		DurationMinutes: 60, Room: room, Officials: officials,
	})
	require.NoError(t, err)
	return iv
}

// interviewNow reads an interview behind the API.
func (e *testEnv) interviewNow(t *testing.T, id string) *enforcement.Interview {
	t.Helper()
	iv, err := e.enforcement.Interview(context.Background(), id)
	require.NoError(t, err)
	return iv
}

// ivAction posts one of the interview page's forms with the interview's current version.
func (e *testEnv) ivAction(t *testing.T, s session, id, action string, form url.Values) response {
	t.Helper()
	posted := url.Values{"csrf": {s.csrf}, "version": {strconv.FormatInt(e.interviewNow(t, id).Version, 10)}}
	for k, v := range form {
		posted[k] = v
	}
	return e.page(t, s, "POST", "/console/interviews/"+id+"/"+action, posted)
}

// cell returns the calendar cell of a row (room or official) and day.
func cell(t *testing.T, body []byte, row, day string) string {
	t.Helper()
	tr := pagePart(t, string(body), `data-row="`+row+`"`, "</tr>")
	return pagePart(t, tr, `data-day="`+day+`"`, "</td>")
}

var ivLocation = regexp.MustCompile(`^/console/interviews/(IV-[0-9]+-[0-9a-f]+)\?done=schedule$`)

func scheduleForm(uscc, official string) url.Values {
	return url.Values{
		"enterprises": {uscc}, "reason": {"近三个月被投诉退费难12件"}, "legal_basis": {enforcement.DefaultLegalBasis},
		"date": {"2026-09-22"}, "start": {"10:00"}, "duration": {"60"}, "room": {"第一约谈室"},
		"officials": {official}, "departments": {"sports"}, "attendees": {"legal_representative", "finance"},
		"attendee_name.finance": {"李会计"}, "materials": {"营业执照副本\r\n预付卡销售台账"},
		"contact": {"预付式消费监管科 010-12345"},
	}
}

func TestConsole_ScheduleInterview(t *testing.T) {
	env := newTestEnv(t)
	newInterviewClock(t, env)
	uscc := env.createEnterprise("MA01KW001", map[string]any{"name": "北京朝阳乐跑健身有限公司"})
	other := env.createEnterprise("MA01KW002", map[string]any{"name": "北京朝阳丽人美容有限公司"})
	wang := env.addOfficial(t, "王力")
	reg := env.signIn(t, user.Regulator)

	form := env.page(t, reg, "GET", "/console/interviews/new?uscc="+uscc, nil)
	require.Equal(t, http.StatusOK, form.Status, "body: %s", form.Body)
	assert.Contains(t, fieldBlock(t, form.Body, "enterprises"), uscc, "prefilled from ?uscc=")
	assert.Contains(t, fieldBlock(t, form.Body, "officials"), `value="`+wang+`"`)
	assert.Contains(t, fieldBlock(t, form.Body, "when"), `value="2026-09-22"`, "the next working day")
	assert.Regexp(t, `value="market"\s+checked disabled`, fieldBlock(t, form.Body, "departments"))

	r := env.submit(t, reg, "/console/interviews/new", "/console/interviews", scheduleForm(uscc, wang))
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	m := ivLocation.FindStringSubmatch(r.Header.Get("Location"))
	require.NotNil(t, m, "redirected to %s", r.Header.Get("Location"))
	id := m[1]
	iv := env.interviewNow(t, id)
	assert.Equal(t, shanghaiTime(t, "2026-09-22 10:00").UTC(), iv.StartsAt)
	assert.Equal(t, []enforcement.Department{"market", "sports"}, iv.Departments)
	assert.Equal(t, []enforcement.Attendee{{Role: "legal_representative"}, {Role: "finance", Name: "李会计"}},
		iv.Attendees)
	assert.Equal(t, []string{"营业执照副本", "预付卡销售台账"}, iv.Materials)

	page := env.page(t, reg, "GET", r.Header.Get("Location"), nil)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	body := string(page.Body)
	assert.Contains(t, body, `id="done"`)
	assert.Contains(t, body, `<a href="/console/enterprises/`+uscc+`">北京朝阳乐跑健身有限公司</a>`)
	assert.Contains(t, body, `href="/api/v1/interviews/`+id+`/notice.pdf"`)
	assert.Contains(t, body, `href="/api/v1/interviews/`+id+`/invite.ics?official=`+wang+`"`)
	assert.Contains(t, pagePart(t, body, `id="iv-state"`, "</span>"), "已安排")
	assert.Contains(t, body, "9月22日 周二 10:00–11:00")

	t.Run("errors are shown beside their fields and the input is kept", func(t *testing.T) {
		bad := scheduleForm(uscc+"\r\n\r\n92110105MA01IV00X", wang)
		bad.Set("reason", "")
		bad.Set("date", "2026-09-25")
		r := env.submit(t, reg, "/console/interviews/new", "/console/interviews", bad)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "enterprises"), "第3行", "the line of the bad code")
		assert.Contains(t, fieldBlock(t, r.Body, "reason"), "须写明约谈事由")
		assert.Contains(t, fieldBlock(t, r.Body, "when"), "中秋节")
		assert.Contains(t, fieldBlock(t, r.Body, "room"), `value="第一约谈室"`)
		assert.Contains(t, fieldBlock(t, r.Body, "attendees"), `value="李会计"`)
		assert.Regexp(t, `value="finance" checked`, fieldBlock(t, r.Body, "attendees"))
		assert.Regexp(t, `value="sports"\s+checked`, fieldBlock(t, r.Body, "departments"))
	})

	t.Run("a bad time is the form's own message", func(t *testing.T) {
		bad := scheduleForm(other, wang)
		bad.Set("start", "10点")
		r := env.submit(t, reg, "/console/interviews/new", "/console/interviews", bad)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "when"), "时间应为 时:分")
	})

	t.Run("a clash names the other interview with a link", func(t *testing.T) {
		clash := scheduleForm(other, wang)
		clash.Set("start", "10:30")
		r := env.submit(t, reg, "/console/interviews/new", "/console/interviews", clash)
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		errBox := pagePart(t, string(r.Body), `id="form-error"`, "</div>")
		assert.Contains(t, errBox, "约谈室 第一约谈室 已被占用")
		assert.Contains(t, errBox, `href="/console/interviews/`+id+`"`)
		assert.Contains(t, fieldBlock(t, r.Body, "enterprises"), other, "input kept")
	})
}

func TestConsole_InterviewCalendar(t *testing.T) {
	env := newTestEnv(t)
	clock := newInterviewClock(t, env)
	a := env.createEnterprise("MA01CA001", map[string]any{"name": "北京朝阳甲健身有限公司"})
	b := env.createEnterprise("MA01CA002", map[string]any{"name": "北京朝阳乙美容有限公司"})
	wang, li := env.addOfficial(t, "王力"), env.addOfficial(t, "李娜")
	first := env.scheduleIV(t, a, "2026-09-28 09:00", "第一约谈室", wang)
	second := env.scheduleIV(t, b, "2026-10-10 14:00", "第二约谈室", li)
	reg := env.signIn(t, user.Regulator)

	t.Run("week by room", func(t *testing.T) {
		r := env.page(t, reg, "GET", "/console/interviews?date=2026-09-29", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		c := cell(t, r.Body, "第一约谈室", "2026-09-28")
		assert.Contains(t, c, `data-iv="`+first.ID+`"`)
		assert.Contains(t, c, "09:00–10:00")
		assert.Contains(t, c, "北京朝阳甲健身有限公司")
		assert.Contains(t, c, "已安排")
		assert.NotContains(t, string(r.Body), `data-iv="`+second.ID+`"`, "another week")
		assert.Contains(t, pagePart(t, string(r.Body), `<th scope="col" data-day="2026-10-01"`, "</th>"), "国庆节")
		assert.Contains(t, string(r.Body), `href="/console/interviews?by=room&amp;date=2026-09-21&amp;view=week"`,
			"previous week")
	})

	t.Run("week by official", func(t *testing.T) {
		r := env.page(t, reg, "GET", "/console/interviews?date=2026-10-10&by=official", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		c := cell(t, r.Body, li, "2026-10-10")
		assert.Contains(t, c, `data-iv="`+second.ID+`"`)
		head := pagePart(t, string(r.Body), `<th scope="col" data-day="2026-10-10"`, "</th>")
		assert.Contains(t, head, "调休上班", "a working Saturday")
		assert.Contains(t, pagePart(t, string(r.Body), `data-row="`+li+`"`, "</th>"), "李娜")
	})

	t.Run("month", func(t *testing.T) {
		r := env.page(t, reg, "GET", "/console/interviews?view=month&date=2026-10-15", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		body := string(r.Body)
		assert.Contains(t, pagePart(t, body, `data-day="2026-09-28"`, "</td>"), `data-iv="`+first.ID+`"`)
		assert.Contains(t, pagePart(t, body, `data-day="2026-10-10"`, "</td>"), `data-iv="`+second.ID+`"`)
		assert.Contains(t, pagePart(t, body, `data-day="2026-10-01"`, "</td>"), "国庆节")
		assert.Contains(t, body, "2026年10月")
		assert.Contains(t, body, `href="/console/interviews?by=room&amp;date=2026-11-01&amp;view=month"`, "next month")
	})

	t.Run("the week of the mid-autumn holiday", func(t *testing.T) {
		r := env.page(t, reg, "GET", "/console/interviews", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		head := pagePart(t, string(r.Body), `<th scope="col" data-day="2026-09-25"`, "</th>")
		assert.Contains(t, head, "中秋节", "today's week by default")
		assert.Contains(t, pagePart(t, string(r.Body), `<th scope="col" data-day="2026-09-21"`, "</th>"), "今天")
	})

	t.Run("reminders", func(t *testing.T) {
		// The working day before Monday 9-28 is Thursday 9-24: the holiday runs 9-25 to 9-27.
		r := env.page(t, reg, "GET", "/console/interviews/reminders?date=2026-09-24", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		row := pagePart(t, string(r.Body), `data-iv="`+first.ID+`"`, "</tr>")
		assert.Contains(t, row, "北京朝阳甲健身有限公司")
		assert.Contains(t, row, "王力")
		r = env.page(t, reg, "GET", "/console/interviews/reminders?date=2026-09-23", nil)
		assert.NotContains(t, string(r.Body), `data-iv="`+first.ID+`"`)

		clock.Set(t, "2026-09-24 08:30")
		r = env.page(t, reg, "GET", "/console/interviews?date=2026-09-28", nil)
		box := pagePart(t, string(r.Body), `id="reminders"`, "</aside>")
		assert.Contains(t, box, `data-iv="`+first.ID+`"`, "due today")
		clock.Set(t, "2026-09-21 09:00")
	})

	t.Run("bad query parameters", func(t *testing.T) {
		for _, q := range []string{"view=year", "date=2026-13-01", "date=28.09.2026", "by=desk", "room=1",
			"view=week&view=month", "date[$gt]="} {
			r := env.page(t, reg, "GET", "/console/interviews?"+q, nil)
			assert.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", q, r.Body)
			assert.Contains(t, string(r.Body), "查询参数有误", q)
		}
		r := env.page(t, reg, "GET", "/console/interviews/reminders?date=tomorrow", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		r = env.page(t, reg, "GET", "/console/interviews/"+first.ID+"?done=everything", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})
}

func TestConsole_InterviewActions(t *testing.T) {
	env := newTestEnv(t)
	clock := newInterviewClock(t, env)
	a := env.createEnterprise("MA01AC001", map[string]any{"name": "北京朝阳甲健身有限公司"})
	b := env.createEnterprise("MA01AC002", map[string]any{"name": "北京朝阳乙美容有限公司"})
	c := env.createEnterprise("MA01AC003", map[string]any{"name": "北京朝阳丙教育有限公司"})
	wang, li := env.addOfficial(t, "王力"), env.addOfficial(t, "李娜")
	reg := env.signIn(t, user.Regulator)
	iv := env.scheduleIV(t, a, "2026-09-22 10:00", "第一约谈室", wang)
	state := func(id string) enforcement.State { return env.interviewNow(t, id).State }

	page := env.page(t, reg, "GET", "/console/interviews/"+iv.ID, nil)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	assert.Contains(t, string(page.Body), `id="act-notify"`)
	assert.Contains(t, string(page.Body), `id="act-cancel"`)
	assert.NotContains(t, string(page.Body), `id="act-hold"`, "not notified yet")

	r := env.ivAction(t, reg, iv.ID, "hold", url.Values{"outcome": {"企业承诺退费"}})
	require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
	assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "只有已通知的约谈可以登记为已约谈")
	assert.Equal(t, enforcement.StateScheduled, state(iv.ID))

	r = env.ivAction(t, reg, iv.ID, "notify", url.Values{"note": {"现场送达"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, "/console/interviews/"+iv.ID+"?done=notify", r.Header.Get("Location"))
	assert.Equal(t, enforcement.StateNotified, state(iv.ID))

	r = env.page(t, reg, "POST", "/console/interviews/"+iv.ID+"/cancel",
		url.Values{"csrf": {reg.csrf}, "version": {"1"}, "reason": {"企业已停业"}})
	require.Equal(t, http.StatusPreconditionFailed, r.Status, "a stale version: %s", r.Body)
	assert.Contains(t, string(r.Body), "请刷新后重试")

	r = env.ivAction(t, reg, iv.ID, "hold", url.Values{"outcome": {"企业承诺退费"}})
	require.Equal(t, http.StatusConflict, r.Status, "before the start: %s", r.Body)
	assert.Contains(t, string(r.Body), "约谈尚未开始")
	assert.Contains(t, fieldBlock(t, r.Body, "hold-outcome"), "企业承诺退费", "the text is kept")

	clock.Set(t, "2026-09-22 10:30")
	r = env.ivAction(t, reg, iv.ID, "hold", url.Values{"outcome": {"企业承诺7日内退费"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, enforcement.StateHeld, state(iv.ID))

	r = env.ivAction(t, reg, iv.ID, "rectify", url.Values{"deadline": {"2026-10-09"}})
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Contains(t, fieldBlock(t, r.Body, "rectify-commitments"), "须写明企业的整改承诺")
	assert.Contains(t, string(r.Body), `value="2026-10-09"`)

	r = env.ivAction(t, reg, iv.ID, "rectify",
		url.Values{"commitments": {"7日内退还会员预付款\r\n公示退费流程"}, "deadline": {"2026-10-09"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	got := env.interviewNow(t, iv.ID)
	assert.Equal(t, enforcement.StateRectificationDue, got.State)
	assert.Equal(t, []string{"7日内退还会员预付款", "公示退费流程"}, got.Rectification.Commitments)
	assert.Equal(t, "2026-10-09 23:59", got.Rectification.Deadline.In(workday.Zone).Format("2006-01-02 15:04"))

	r = env.ivAction(t, reg, iv.ID, "not-rectified", url.Values{"finding": {"未退费"}})
	require.Equal(t, http.StatusConflict, r.Status, "before the deadline: %s", r.Body)
	r = env.ivAction(t, reg, iv.ID, "rectified", url.Values{"finding": {"已全部退费"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	page = env.page(t, reg, "GET", "/console/interviews/"+iv.ID, nil)
	assert.Contains(t, pagePart(t, string(page.Body), `id="iv-state"`, "</span>"), "已整改")
	history := pagePart(t, string(page.Body), `id="history"`, "</section>")
	for _, want := range []string{"已安排", "已通知", "现场送达", "已约谈", "整改中", "已整改", "已全部退费",
		"regulator1"} {
		assert.Contains(t, history, want)
	}
	assert.Contains(t, string(page.Body), "本次约谈已办结")

	t.Run("cancel needs a reason", func(t *testing.T) {
		other := env.scheduleIV(t, b, "2026-09-23 10:00", "第一约谈室", li)
		r := env.ivAction(t, reg, other.ID, "cancel", nil)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "cancel-reason"), "取消约谈须写明原因")
		r = env.ivAction(t, reg, other.ID, "cancel", url.Values{"reason": {"企业已注销"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		assert.Equal(t, enforcement.StateCancelled, state(other.ID))
	})

	t.Run("no-show", func(t *testing.T) {
		other := env.scheduleIV(t, c, "2026-09-22 14:00", "第二约谈室", li)
		require.Equal(t, http.StatusSeeOther, env.ivAction(t, reg, other.ID, "notify", nil).Status)
		clock.Set(t, "2026-09-22 14:20")
		r := env.ivAction(t, reg, other.ID, "no-show", url.Values{"note": {"电话无人接听"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		assert.Equal(t, enforcement.StateNoShow, state(other.ID))
	})

	t.Run("reschedule", func(t *testing.T) {
		clock.Set(t, "2026-09-22 15:00")
		other := env.scheduleIV(t, c, "2026-09-29 09:00", "第二约谈室", li)
		form := env.page(t, reg, "GET", "/console/interviews/"+other.ID+"/reschedule", nil)
		require.Equal(t, http.StatusOK, form.Status, "body: %s", form.Body)
		assert.Contains(t, fieldBlock(t, form.Body, "when"), `value="2026-09-29"`)
		assert.Regexp(t, `value="`+li+`" checked`, fieldBlock(t, form.Body, "officials"))

		moved := url.Values{"date": {"2026-10-01"}, "start": {"09:00"}, "duration": {"60"}, "room": {"第二约谈室"},
			"officials": {wang}, "version": {"1"}}
		r := env.submit(t, reg, "/console/interviews/"+other.ID+"/reschedule",
			"/console/interviews/"+other.ID+"/reschedule", moved)
		require.Equal(t, http.StatusBadRequest, r.Status, "a holiday: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "when"), "国庆节")

		moved.Set("date", "2026-10-10")
		r = env.submit(t, reg, "/console/interviews/"+other.ID+"/reschedule",
			"/console/interviews/"+other.ID+"/reschedule", moved)
		require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		got := env.interviewNow(t, other.ID)
		assert.Equal(t, shanghaiTime(t, "2026-10-10 09:00").UTC(), got.StartsAt, "a working Saturday")
		assert.Equal(t, []string{wang}, got.Officials)
		assert.Equal(t, enforcement.StateScheduled, got.State)
	})

	t.Run("unknown action and missing version", func(t *testing.T) {
		r := env.ivAction(t, reg, iv.ID, "approve", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
		r = env.page(t, reg, "POST", "/console/interviews/"+iv.ID+"/notify", url.Values{"csrf": {reg.csrf}})
		assert.Equal(t, http.StatusBadRequest, r.Status)
		r = env.page(t, reg, "POST", "/console/interviews/"+iv.ID+"/notify", url.Values{"version": {"1"}})
		assert.Equal(t, http.StatusForbidden, r.Status, "no CSRF token")
	})
}

// campaignForm plans interviews of the enterprises on one day, 09:00 to 12:00 in hour slots,
// in two rooms.
func campaignForm(day string, codes []string, one, two string) url.Values {
	return url.Values{
		"enterprises": {strings.Join(codes, "\r\n")}, "from": {day}, "to": {day},
		"rooms":        {"第一约谈室: " + one + "\r\n第二约谈室：" + two},
		"slot_minutes": {"60"}, "day_start": {"09:00"}, "day_end": {"12:00"},
		"reason": {"预付式消费专项整治"}, "legal_basis": {enforcement.DefaultLegalBasis},
		"attendees": {"legal_representative"}, "materials": {"营业执照副本"},
	}
}

func TestConsole_CampaignPlanner(t *testing.T) {
	env := newTestEnv(t)
	newInterviewClock(t, env)
	var codes []string
	for i := 1; i <= 7; i++ {
		codes = append(codes, env.createEnterprise("MA01CP00"+strconv.Itoa(i),
			map[string]any{"name": "北京朝阳第" + strconv.Itoa(i) + "健身有限公司"}))
	}
	wang, li := env.addOfficial(t, "王力"), env.addOfficial(t, "李娜")
	reg := env.signIn(t, user.Regulator)

	form := env.page(t, reg, "GET", "/console/interviews/campaigns/new", nil)
	require.Equal(t, http.StatusOK, form.Status, "body: %s", form.Body)
	assert.Contains(t, string(form.Body), wang, "the officials' ids are listed for the rooms box")

	r := env.submit(t, reg, "/console/interviews/campaigns/new", "/console/interviews/campaigns",
		campaignForm("2026-09-22", codes[:6], wang, li))
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	loc := r.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/console/interviews/campaigns/IC-"), loc)
	id := strings.TrimPrefix(loc, "/console/interviews/campaigns/")

	page := env.page(t, reg, "GET", loc, nil)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	body := string(page.Body)
	assert.Equal(t, 6, strings.Count(body, `<tr data-iv="`))
	assert.Contains(t, body, `href="/api/v1/interviews/campaigns/`+id+`/notices.pdf"`)
	assert.Contains(t, body, `href="/api/v1/interviews/campaigns/`+id+`/notices.zip"`)
	first := pagePart(t, body, `<tr data-iv="`, "</tr>")
	for _, want := range []string{"9月22日 周二", "09:00–10:00", "第一约谈室", "北京朝阳第1健身有限公司", "王力"} {
		assert.Contains(t, first, want)
	}
	assert.Contains(t, body, "第二约谈室")
	assert.Contains(t, body, "李娜")

	t.Run("too few slots", func(t *testing.T) {
		r := env.submit(t, reg, "/console/interviews/campaigns/new", "/console/interviews/campaigns",
			campaignForm("2026-09-23", codes, wang, li))
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		short := pagePart(t, string(r.Body), `id="form-error"`, "</form>")
		assert.Contains(t, short, "空闲时段只有6个，需要7个")
		left := pagePart(t, short, `id="slots-short"`, "</ul>")
		assert.Contains(t, left, "北京朝阳第7健身有限公司")
		assert.Contains(t, left, codes[6])
		assert.NotContains(t, left, codes[0])
		assert.Contains(t, fieldBlock(t, r.Body, "enterprises"), codes[6], "the input is kept")
	})

	t.Run("a room without officials and a holiday range", func(t *testing.T) {
		bad := campaignForm("2026-09-25", codes[:2], wang, li)
		bad.Set("to", "2026-09-27")
		bad.Set("rooms", "第一约谈室: "+wang+"\r\n第三约谈室")
		r := env.submit(t, reg, "/console/interviews/campaigns/new", "/console/interviews/campaigns", bad)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "rooms"), "约谈室 第三约谈室 没有约谈人员")
		assert.Contains(t, fieldBlock(t, r.Body, "to"), "没有工作日")
	})
}

func TestConsole_Officials(t *testing.T) {
	env := newTestEnv(t)
	reg := env.signIn(t, user.Regulator)

	r := env.submit(t, reg, "/console/officials", "/console/officials",
		url.Values{"name": {"王力"}, "department": {"sports"}, "title": {"科长"}, "phone": {"010-65001234"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	page := env.page(t, reg, "GET", r.Header.Get("Location"), nil)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	row := pagePart(t, string(page.Body), `<tr data-official="`, "</tr>")
	for _, want := range []string{"王力", "区体育局", "科长", "在岗"} {
		assert.Contains(t, row, want)
	}
	assert.Contains(t, string(page.Body), "已添加工作人员")

	r = env.submit(t, reg, "/console/officials", "/console/officials",
		url.Values{"name": {""}, "department": {"police"}, "email": {"not-mail"}, "title": {"科员"}})
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Contains(t, fieldBlock(t, r.Body, "name"), "姓名须填写")
	assert.Contains(t, fieldBlock(t, r.Body, "department"), "未知部门")
	assert.Contains(t, fieldBlock(t, r.Body, "email"), "电子邮箱格式不对")
	assert.Contains(t, fieldBlock(t, r.Body, "title"), `value="科员"`)

	all, err := env.enforcement.Officials(context.Background(), true)
	require.NoError(t, err)
	require.Len(t, all, 1)
	id := all[0].ID
	deactivate := url.Values{"csrf": {reg.csrf}, "version": {"1"}}
	r = env.page(t, reg, "POST", "/console/officials/"+id+"/deactivate", deactivate)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	page = env.page(t, reg, "GET", "/console/officials", nil)
	assert.Contains(t, pagePart(t, string(page.Body), `data-official="`+id+`"`, "</tr>"), "已停用")
	assert.NotContains(t, string(page.Body), `id="deactivate-`+id+`"`)

	r = env.page(t, reg, "POST", "/console/officials/"+id+"/deactivate", deactivate)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status, "the old version: %s", r.Body)

	r = env.page(t, reg, "GET", "/console/interviews/new", nil)
	assert.NotContains(t, fieldBlock(t, r.Body, "officials"), id, "an inactive official is not offered")
}
