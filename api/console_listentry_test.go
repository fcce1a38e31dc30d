package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// greyEntryForm is the proposal form filled in for a grey entry on a regulator's judgement.
func greyEntryForm(uscc string) url.Values {
	return url.Values{
		"uscc": {uscc}, "kind": {"grey"}, "legal_basis_code": {"grey-high-risk"}, "manual_judgement": {"on"},
		"reason":          {"近一个月门店多次停业，会员反映无法预约课程、退费无门"},
		"evidence":        {"interview:YT-2026-031 约谈未到\r\n\r\n约谈：YT-2026-032"},
		"authority":       {"北京市朝阳区市场监督管理局"},
		"decision_number": {"京朝市监灰〔2026〕3号"},
	}
}

// signInAs signs in with the username's console account, whatever its role.
func (e *testEnv) signInAs(t *testing.T, username string) session {
	t.Helper()
	form := url.Values{"username": {username}, "password": {testPassword}}
	req := httptest.NewRequest("POST", "/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.app.Test(req, -1)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	var s session
	for _, c := range resp.Cookies() {
		if c.Name == "prepaidreg_session" {
			s.cookie = c.Value
		}
	}
	require.NotEmpty(t, s.cookie, "no session cookie")
	s.csrf = formCSRF(t, e.page(t, s, "GET", "/console", nil))
	return s
}

// addSupervisor creates a second supervisor account and signs it in.
func (e *testEnv) addSupervisor(t *testing.T, username string) session {
	t.Helper()
	_, err := e.users.Add(context.Background(), audit.System, username, user.Supervisor, testPassword)
	require.NoError(t, err)
	return e.signInAs(t, username)
}

// proposeThroughForm proposes an entry through the console form and returns its id.
func (e *testEnv) proposeThroughForm(t *testing.T, s session, form url.Values) string {
	t.Helper()
	r := e.submit(t, s, "/console/list-entries/new?uscc="+form.Get("uscc"), "/console/list-entries", form)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	id, ok := strings.CutPrefix(r.Header.Get("Location"), "/console/list-entries/")
	require.True(t, ok, "redirected to %s", r.Header.Get("Location"))
	return id
}

// entryAction posts one of the entry page's forms, with the session's CSRF token.
func (e *testEnv) entryAction(t *testing.T, s session, id, action string, form url.Values) response {
	t.Helper()
	posted := url.Values{"csrf": {s.csrf}}
	for k, v := range form {
		posted[k] = v
	}
	return e.page(t, s, "POST", "/console/list-entries/"+id+"/"+action, posted)
}

// entryNow reads an entry behind the API.
func (e *testEnv) entryNow(t *testing.T, id string) *registry.ListEntry {
	t.Helper()
	got, err := e.registry.Entry(context.Background(), id)
	require.NoError(t, err)
	return got
}

// assertUnchanged checks that a refused form left the entry as it was.
func assertUnchanged(t *testing.T, env *testEnv, before *registry.ListEntry) {
	t.Helper()
	after := env.entryNow(t, before.ID)
	assert.Equal(t, before.Version, after.Version)
	assert.Equal(t, before.State, after.State)
	assert.Len(t, after.History, len(before.History))
}

func TestConsole_ListEntryFourEyes(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE10", nil)
	reg := env.signIn(t, user.Regulator)
	sup := env.signIn(t, user.Supervisor)

	form := env.page(t, reg, "GET", "/console/list-entries/new?uscc="+uscc, nil)
	require.Equal(t, http.StatusOK, form.Status, "body: %s", form.Body)
	assert.Contains(t, string(form.Body), "北京朝阳悦动健身有限公司")
	assert.Contains(t, fieldBlock(t, form.Body, "authority"), `value="北京市朝阳区市场监督管理局"`)
	id := env.proposeThroughForm(t, reg, greyEntryForm(uscc))
	proposed := env.entryNow(t, id)
	assert.Equal(t, registry.EntryProposed, proposed.State)
	assert.Equal(t, "regulator1", proposed.ProposedBy)
	assert.Len(t, proposed.Evidence, 2, "blank lines are skipped and Chinese kinds are read")
	assert.Equal(t, "interview", proposed.Evidence[1].Kind)
	assert.Equal(t, "约谈未到", proposed.Evidence[0].Note)

	t.Run("the queue shows the proposal to a supervisor", func(t *testing.T) {
		r := env.page(t, sup, "GET", "/console/list-entries", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		row := pagePart(t, string(r.Body), `id="q-`+id+`"`, "</tr>")
		assert.Contains(t, row, "regulator1")
		assert.Contains(t, row, "2026-12-03 10:00")
		assert.Contains(t, row, `href="/console/list-entries/`+id+`#decide"`)
	})

	t.Run("the proposer sees no decision form and a forged one is refused", func(t *testing.T) {
		r := env.page(t, reg, "GET", "/console/list-entries/"+id, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.NotContains(t, string(r.Body), "/approve")
		assert.Contains(t, string(r.Body), id+`/withdraw`, "the proposer may withdraw")

		r = env.entryAction(t, reg, id, "approve", url.Values{"note": {"自己批准"}})
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "须由审核负责人决定")
		assertUnchanged(t, env, proposed)
	})

	t.Run("a form without its csrf token is refused", func(t *testing.T) {
		r := env.page(t, sup, "POST", "/console/list-entries/"+id+"/approve", url.Values{"note": {"同意"}})
		assert.Equal(t, http.StatusForbidden, r.Status)
		assertUnchanged(t, env, proposed)
	})

	t.Run("another supervisor approves through the form", func(t *testing.T) {
		r := env.submit(t, sup, "/console/list-entries/"+id, "/console/list-entries/"+id+"/approve",
			url.Values{"note": {"同意列入"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		assert.Equal(t, registry.EntryPublished, env.entryNow(t, id).State)

		page := env.page(t, sup, "GET", "/console/list-entries/"+id, nil)
		body := string(page.Body)
		assert.Contains(t, pagePart(t, body, `id="entry-state"`, "</span>"), "已公示")
		history := pagePart(t, body, `id="history"`, "</section>")
		for _, want := range []string{"regulator1", "提议列入", "supervisor1", "批准公示", "待审批 → 已公示", "同意列入",
			"2026-12-03 10:00"} {
			assert.Contains(t, history, want)
		}
		assert.NotContains(t, body, id+"/approve", "a published entry has no approval form")
	})

	t.Run("approving twice is a conflict", func(t *testing.T) {
		before := env.entryNow(t, id)
		r := env.entryAction(t, sup, id, "approve", nil)
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "只有待审批的提议可以审批")
		assertUnchanged(t, env, before)
	})
}

func TestConsole_ListEntrySupervisorProposer(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE20", nil)
	sup := env.signIn(t, user.Supervisor)
	other := env.addSupervisor(t, "supervisor2")
	id := env.proposeThroughForm(t, sup, greyEntryForm(uscc))
	proposed := env.entryNow(t, id)

	r := env.page(t, sup, "GET", "/console/list-entries/"+id, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.NotContains(t, string(r.Body), id+"/approve")
	assert.Contains(t, pagePart(t, string(r.Body), `id="waiting"`, "</p>"), "不能审批自己的提议")
	queue := env.page(t, sup, "GET", "/console/list-entries", nil)
	assert.Contains(t, pagePart(t, string(queue.Body), `id="q-`+id+`"`, "</tr>"), "本人提出，须由他人审批")

	r = env.entryAction(t, sup, id, "approve", nil)
	assert.Equal(t, http.StatusForbidden, r.Status)
	assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "审批人不能是提议人")
	assertUnchanged(t, env, proposed)

	r = env.submit(t, other, "/console/list-entries/"+id, "/console/list-entries/"+id+"/approve", nil)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	got := env.entryNow(t, id)
	assert.Equal(t, registry.EntryPublished, got.State)
	assert.Equal(t, "supervisor2", got.ApprovedBy)
}

func TestConsole_ListEntryFormErrors(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE30", nil)
	reg := env.signIn(t, user.Regulator)

	t.Run("messages beside the fields", func(t *testing.T) {
		form := greyEntryForm(uscc)
		form.Set("kind", "black")
		form.Set("manual_judgement", "on")
		form.Set("reason", "")
		form.Set("evidence", "inspection:JC-1\nJC-2026-118\nphoto:P-1")
		r := env.submit(t, reg, "/console/list-entries/new", "/console/list-entries", form)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "reason"), "请填写此项")
		assert.Contains(t, fieldBlock(t, r.Body, "legal_basis_code"), "不适用于黑名单")
		assert.Contains(t, fieldBlock(t, r.Body, "manual_judgement"), "人工研判只适用于灰名单")
		evidence := fieldBlock(t, r.Body, "evidence")
		assert.Contains(t, evidence, "第2行：应写作“类型:编号”")
		assert.Contains(t, evidence, "第3行：证据类型应为")
		assert.NotContains(t, evidence, "第1行")
		assert.Contains(t, evidence, "JC-2026-118", "what was typed stays in the box")
		assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "请看各栏下方")
	})

	t.Run("an unknown enterprise", func(t *testing.T) {
		missing := validUSCC(t, "MA01CLE3X")
		r := env.page(t, reg, "GET", "/console/list-entries/new?uscc="+missing, nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Contains(t, fieldBlock(t, r.Body, "uscc"), "没有这个统一社会信用代码的企业")
		r = env.page(t, reg, "GET", "/console/list-entries/new?uscc=not-a-code", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})

	t.Run("an open entry already", func(t *testing.T) {
		first := env.proposeThroughForm(t, reg, greyEntryForm(uscc))
		form := env.page(t, reg, "GET", "/console/list-entries/new?uscc="+uscc, nil)
		assert.Contains(t, pagePart(t, string(form.Body), `id="subject"`, "</section>"), first,
			"the form names the open entry")

		r := env.submit(t, reg, "/console/list-entries/new", "/console/list-entries", greyEntryForm(uscc))
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		top := pagePart(t, string(r.Body), `id="form-error"`, "</div>")
		assert.Contains(t, top, "该企业已有未结的灰名单条目")
		assert.Contains(t, top, `href="/console/list-entries/`+first+`"`)
	})

	t.Run("a missing note and an unknown action", func(t *testing.T) {
		sup := env.signIn(t, user.Supervisor)
		id := env.proposeThroughForm(t, reg, greyEntryForm(env.createEnterprise("MA01CLE31", nil)))
		before := env.entryNow(t, id)
		r := env.entryAction(t, sup, id, "reject", url.Values{"note": {"  "}})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "reject-note"), "请写明意见和理由")
		assertUnchanged(t, env, before)

		r = env.entryAction(t, sup, id, "publish-now", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
		r = env.entryAction(t, sup, "LE-20261203-000000", "approve", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}

func TestConsole_ListEntryOnDossier(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE40", nil)
	reg := env.signIn(t, user.Regulator)

	r := env.page(t, reg, "GET", "/console/enterprises/"+uscc, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Contains(t, string(r.Body), `href="/console/list-entries/new?uscc=`+uscc+`"`)

	id := env.proposeThroughForm(t, reg, greyEntryForm(uscc))
	r = env.page(t, reg, "GET", "/console/enterprises/"+uscc, nil)
	status := pagePart(t, string(r.Body), `id="list-status"`, "</section>")
	assert.Contains(t, status, "目前未列入灰名单或黑名单")
	assert.Contains(t, status, "待审批")

	env.postEntry(t, user.Supervisor, "/api/v1/list-entries/"+id+"/approve", nil, http.StatusOK)
	r = env.page(t, reg, "GET", "/console/enterprises/"+uscc, nil)
	status = pagePart(t, string(r.Body), `id="list-status"`, "</section>")
	assert.Contains(t, status, "已列入灰名单")
	assert.Contains(t, status, `href="/console/list-entries/`+id+`"`)
	assert.Contains(t, status, "京朝市监灰〔2026〕3号")
	assert.Contains(t, status, "已公示")
}

func TestConsole_ListEntryRemoval(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE50", nil)
	reg := env.signIn(t, user.Regulator)
	sup := env.signIn(t, user.Supervisor)
	other := env.addSupervisor(t, "supervisor2")
	id := env.proposeThroughForm(t, reg, greyEntryForm(uscc))
	require.Equal(t, http.StatusSeeOther, env.entryAction(t, sup, id, "approve", nil).Status)

	t.Run("a removal needs its reasons", func(t *testing.T) {
		before := env.entryNow(t, id)
		r := env.entryAction(t, sup, id, "removal", url.Values{"reason": {"credit_repair"}})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "removal-note"), "请写明意见和理由")
		assert.Contains(t, fieldBlock(t, r.Body, "removal-reason"), `value="credit_repair" selected`)
		assertUnchanged(t, env, before)
	})

	r := env.submit(t, sup, "/console/list-entries/"+id, "/console/list-entries/"+id+"/removal",
		url.Values{"reason": {"credit_repair"}, "note": {"已退还全部预付款"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	asked := env.entryNow(t, id)
	assert.Equal(t, registry.EntryRemovalProposed, asked.State)

	t.Run("the one who asked may not decide", func(t *testing.T) {
		page := env.page(t, sup, "GET", "/console/list-entries/"+id, nil)
		assert.NotContains(t, string(page.Body), id+"/removal-approve")
		queue := env.page(t, other, "GET", "/console/list-entries", nil)
		row := pagePart(t, string(queue.Body), `id="q-`+id+`"`, "</tr>")
		assert.Contains(t, row, "移出待审批")
		assert.Contains(t, row, "supervisor1")

		r := env.entryAction(t, sup, id, "removal-approve", nil)
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "移出申请人")
		assertUnchanged(t, env, asked)
	})

	r = env.submit(t, other, "/console/list-entries/"+id, "/console/list-entries/"+id+"/removal-approve",
		url.Values{"note": {"同意移出"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	removed := env.entryNow(t, id)
	assert.Equal(t, registry.EntryRemoved, removed.State)
	page := env.page(t, reg, "GET", "/console/list-entries/"+id, nil)
	history := pagePart(t, string(page.Body), `id="history"`, "</section>")
	for _, want := range []string{"申请移出", "已公示 → 移出待审批", "supervisor2", "批准移出", "同意移出"} {
		assert.Contains(t, history, want)
	}
}

func TestConsole_ListEntryObjection(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE60", nil)
	reg := env.signIn(t, user.Regulator)
	sup := env.signIn(t, user.Supervisor)
	id := env.proposeThroughForm(t, reg, greyEntryForm(uscc))
	require.Equal(t, http.StatusSeeOther, env.entryAction(t, sup, id, "approve", nil).Status)

	r := env.entryAction(t, reg, id, "objection", url.Values{"text": {"我司已恢复营业"}, "received_at": {"12/03"}})
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Contains(t, fieldBlock(t, r.Body, "objection-received_at"), "日期格式应为")

	r = env.entryAction(t, reg, id, "objection", url.Values{"text": {"我司已恢复营业"}, "received_at": {"2026-12-03"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	page := env.page(t, sup, "GET", "/console/list-entries/"+id, nil)
	objection := pagePart(t, string(page.Body), `id="objection-O1"`, "</article>")
	assert.Contains(t, objection, "收到于 2026-12-03")
	assert.Contains(t, objection, "受理期限 2026-12-10")
	assert.Contains(t, objection, "复核期限 2026-12-31")
	assert.Contains(t, objection, "objection-decide")

	r = env.entryAction(t, reg, id, "objection-decide", url.Values{"objection": {"O1"}, "outcome": {"dismissed"},
		"note": {"仍有未退款项"}})
	assert.Equal(t, http.StatusForbidden, r.Status, "only a supervisor decides")
	r = env.entryAction(t, sup, id, "objection-decide", url.Values{"objection": {"O1"}, "outcome": {"dismissed"}})
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Contains(t, fieldBlock(t, r.Body, "objection-decide-O1-note"), "请写明意见和理由")
	r = env.entryAction(t, sup, id, "objection-decide", url.Values{"objection": {"O1"}, "outcome": {"dismissed"},
		"note": {"仍有未退款项"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	got := env.entryNow(t, id)
	assert.Equal(t, registry.ObjectionDismissed, got.Objections[0].Outcome)
}

func TestConsole_ListEntryFilters(t *testing.T) {
	env := newTestEnv(t)
	clock := newEntryClock(t, env)
	a := env.createEnterprise("MA01CLE70", nil)
	b := env.createEnterprise("MA01CLE71", nil)
	reg := env.signIn(t, user.Regulator)
	sup := env.signIn(t, user.Supervisor)
	listed := env.proposeThroughForm(t, reg, greyEntryForm(a))
	require.Equal(t, http.StatusSeeOther, env.entryAction(t, sup, listed, "approve", nil).Status)
	waiting := env.proposeThroughForm(t, reg, greyEntryForm(b))

	r := env.page(t, reg, "GET", "/console/list-entries?state=published&kind=grey&uscc=&review_due=", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	results := pagePart(t, string(r.Body), `id="results"`, "</table>")
	assert.Contains(t, results, listed)
	assert.NotContains(t, results, waiting)

	r = env.page(t, reg, "GET", "/console/list-entries?review_due=true", nil)
	assert.NotContains(t, pagePart(t, string(r.Body), `id="results"`, "</table>"), listed)
	clock.Set(clock.Now().AddDate(0, 6, 1))
	r = env.page(t, reg, "GET", "/console/list-entries?review_due=true", nil)
	due := pagePart(t, string(r.Body), `id="results"`, "</table>")
	assert.Contains(t, due, listed, "due for review after six months")

	r = env.page(t, reg, "GET", "/console/list-entries?state=gone&uscc=123", nil)
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Contains(t, string(r.Body), "统一社会信用代码")

	r = env.page(t, reg, "GET", "/console/list-entries?limit=1", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	first := pagePart(t, string(r.Body), `id="results"`, "</table>")
	next := nextLink.FindStringSubmatch(string(r.Body))
	require.NotNil(t, next, "no link to the next page")
	r = env.page(t, reg, "GET", strings.ReplaceAll(next[1], "&amp;", "&"), nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	second := pagePart(t, string(r.Body), `id="results"`, "</table>")
	for _, id := range []string{listed, waiting} {
		assert.NotEqual(t, strings.Contains(first, id), strings.Contains(second, id), "%s on one page of two", id)
	}
	assert.NotContains(t, string(r.Body), `id="queue"`, "the queue heads the first page only")
}

var nextLink = regexp.MustCompile(`href="([^"]+)" id="next"`)

func TestBrowser_ListEntryDecision(t *testing.T) {
	env := newTestEnv(t)
	newEntryClock(t, env)
	uscc := env.createEnterprise("MA01CLE80", nil)
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)

	// A regulator opens the proposal form from the dossier and proposes a grey entry.
	browserSignIn(t, tab, base, "/console/enterprises/"+uscc, "regulator1")
	follow(t, tab, http.StatusOK, "/console/list-entries/new", chromedp.Click(chromedp.ID("propose-entry")))
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("reason"), "近一个月门店多次停业，会员反映无法预约课程、退费无门"),
		chromedp.SetValue(chromedp.ID("evidence"), "interview:YT-2026-031 约谈未到"),
		chromedp.SetValue(chromedp.ID("decision_number"), "京朝市监灰〔2026〕3号"),
		chromedp.Click(chromedp.CSS(`input[name="manual_judgement"]`)),
	))
	screenshot(t, tab, "prepaidreg-entry-form")
	follow(t, tab, http.StatusOK, "/console/list-entries/LE-", chromedp.Click(chromedp.ID("propose")))
	state, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("entry-state")))
	require.NoError(t, err)
	assert.Equal(t, "待审批", state)
	follow(t, tab, http.StatusOK, "/console/login", chromedp.Click(chromedp.CSS("header.top button")))

	// A supervisor finds it at the head of the queue and approves it.
	browserSignIn(t, tab, base, "/console/list-entries", "supervisor1")
	screenshot(t, tab, "prepaidreg-entries")
	follow(t, tab, http.StatusOK, "/console/list-entries/LE-", chromedp.Click(chromedp.CSS("#awaiting a.button")))
	screenshot(t, tab, "prepaidreg-entry-decide")
	require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.ID("approve-note"), "同意列入")))
	follow(t, tab, http.StatusOK, "/console/list-entries/LE-", chromedp.Click(chromedp.ID("approve")))
	state, err = chromedp.Run(tab, chromedp.Text(chromedp.ID("entry-state")))
	require.NoError(t, err)
	assert.Equal(t, "已公示", state)
	history, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("history")))
	require.NoError(t, err)
	assert.Contains(t, history, "批准公示")
	assert.Contains(t, history, "同意列入")
	screenshot(t, tab, "prepaidreg-entry-published")
}

// browserSignIn opens the console page at path, which sends the browser to the sign-in form,
// and signs in, which sends it back.
func browserSignIn(t *testing.T, tab context.Context, base, path, username string) {
	t.Helper()
	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	))
	follow(t, tab, http.StatusOK, path, chromedp.Click(chromedp.ID("login")))
}

// pagePart returns the part of body from the first start up to the next end.
func pagePart(t *testing.T, body, start, end string) string {
	t.Helper()
	i := strings.Index(body, start)
	require.GreaterOrEqual(t, i, 0, "no %s in the page", start)
	rest := body[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j]
	}
	return rest
}
