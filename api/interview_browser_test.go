package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBrowser_InterviewCampaign(t *testing.T) {
	env := newTestEnv(t)
	clock := newInterviewClock(t, env)
	var codes []string
	for i := 1; i <= 6; i++ {
		codes = append(codes, env.createEnterprise("MA01BC00"+strconv.Itoa(i),
			map[string]any{"name": "北京朝阳第" + strconv.Itoa(i) + "培训学校有限公司", "industry": "education"}))
	}
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)

	// A regulator adds the two officials who will sit in the rooms.
	browserSignIn(t, tab, base, "/console/officials", "regulator1")
	for _, name := range []string{"王力", "李娜"} {
		require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.ID("name"), name),
			chromedp.SetValue(chromedp.ID("title"), "科员")))
		follow(t, tab, http.StatusOK, "/console/officials?done=add", chromedp.Click(chromedp.ID("add")))
	}
	officials, err := env.enforcement.Officials(context.Background(), false)
	require.NoError(t, err)
	require.Len(t, officials, 2)
	screenshot(t, tab, "prepaidreg-officials")

	// Plans six interviews in two rooms on Tuesday morning: three hour slots each.
	follow(t, tab, http.StatusOK, "/console/interviews",
		chromedp.Click(chromedp.CSS(`header a[href="/console/interviews"]`)))
	follow(t, tab, http.StatusOK, "/console/interviews/campaigns/new", chromedp.Click(chromedp.ID("new-campaign")))
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("enterprises"), strings.Join(codes, "\n")),
		chromedp.SetValue(chromedp.ID("reason"), "预付式消费专项整治：规范预收费行为"),
		chromedp.SetValue(chromedp.ID("from"), "2026-09-22"),
		chromedp.SetValue(chromedp.ID("to"), "2026-09-22"),
		chromedp.SetValue(chromedp.ID("day_start"), "09:00"),
		chromedp.SetValue(chromedp.ID("day_end"), "12:00"),
		chromedp.SetValue(chromedp.ID("slot_minutes"), "60"),
		chromedp.SetValue(chromedp.ID("rooms"),
			"第一约谈室: "+officials[0].ID+"\n第二约谈室: "+officials[1].ID),
		chromedp.SetValue(chromedp.ID("materials"), "营业执照副本\n预付卡销售台账"),
	))
	screenshot(t, tab, "prepaidreg-campaign-form")
	follow(t, tab, http.StatusOK, "/console/interviews/campaigns/IC-", chromedp.Click(chromedp.ID("plan")))
	count, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("count")))
	require.NoError(t, err)
	assert.Equal(t, "6", count)
	rows, err := chromedp.Run(tab,
		chromedp.Evaluate[int](`document.querySelectorAll("#campaign-interviews tbody tr").length`))
	require.NoError(t, err)
	assert.Equal(t, 6, rows)
	screenshot(t, tab, "prepaidreg-campaign")

	// Opens the first, at 09:00, and records that it was notified.
	follow(t, tab, http.StatusOK, "/console/interviews/IV-",
		chromedp.Click(chromedp.CSS(`#campaign-interviews tbody tr:first-child a`)))
	loc, err := chromedp.Run(tab, chromedp.Location())
	require.NoError(t, err)
	id := loc[strings.Index(loc, "/console/interviews/")+len("/console/interviews/"):]
	assert.Equal(t, "已安排", ivText(t, tab, "iv-state"))
	follow(t, tab, http.StatusOK, "?done=notify", chromedp.Click(chromedp.ID("do-notify")))
	assert.Equal(t, "已通知", ivText(t, tab, "iv-state"))

	// After its start, records how it went.
	clock.Set(t, "2026-09-22 09:40")
	require.NoError(t,
		chromedp.Do(tab, chromedp.SetValue(chromedp.ID("hold-outcome"), "企业承诺规范预收费并公示退费流程")))
	follow(t, tab, http.StatusOK, "?done=hold", chromedp.Click(chromedp.ID("do-hold")))
	assert.Equal(t, "已约谈", ivText(t, tab, "iv-state"))
	assert.Contains(t, ivText(t, tab, "history"), "企业承诺规范预收费并公示退费流程")
	screenshot(t, tab, "prepaidreg-interview")

	// The calendar shows it on its day, in its room.
	follow(t, tab, http.StatusOK, "/console/interviews?", chromedp.Click(chromedp.ID("calendar-link")))
	entry := `#calendar tr[data-row="第一约谈室"] td[data-day="2026-09-22"] a[data-iv="` + id + `"]`
	require.NoError(t, chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(entry))))
	label, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(entry+" .iv-state")))
	require.NoError(t, err)
	assert.Equal(t, "已约谈", label)
	screenshot(t, tab, "prepaidreg-interview-calendar")
}

// ivText returns the text of the element with the id.
func ivText(t *testing.T, tab context.Context, id string) string {
	t.Helper()
	s, err := chromedp.Run(tab, chromedp.Text(chromedp.ID(id)))
	require.NoError(t, err)
	return strings.TrimSpace(s)
}
