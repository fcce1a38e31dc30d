package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

type warningBody struct {
	ID             string   `json:"id"`
	USCC           string   `json:"uscc"`
	EnterpriseName string   `json:"enterprise_name"`
	Kind           string   `json:"kind"`
	Severity       string   `json:"severity"`
	Summary        string   `json:"summary"`
	Evidence       []string `json:"evidence"`
	State          string   `json:"state"`
	StateReason    string   `json:"state_reason"`
	Window         struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"window"`
	History []struct {
		By   string `json:"by"`
		From string `json:"from"`
		To   string `json:"to"`
		Note string `json:"note"`
	} `json:"history"`
	Version int64 `json:"version"`
}

type warningListBody struct {
	Items      []warningBody `json:"items"`
	NextCursor string        `json:"next_cursor"`
}

// burst registers an enterprise named name and files n complaints against it today and
// yesterday, a burst for an enterprise with none before; it returns its USCC.
func (e *testEnv) burst(t *testing.T, org, name string, n int) string {
	t.Helper()
	uscc := e.createEnterprise(org, map[string]any{"name": name, "aliases": []string{}})
	for i := range n {
		e.fileComplaint(t, fmt.Sprintf("%s-%02d", org, i), name, i%2)
	}
	return uscc
}

// warnings reads the queue through the API.
func (e *testEnv) warnings(t *testing.T, query string) warningListBody {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/warnings"+query, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got warningListBody
	r.JSON(t, &got)
	return got
}

func TestWarning_QueueOverHTTP(t *testing.T) {
	env := newTestEnv(t)
	first := env.burst(t, "MA01WQ0E1", "北京朝阳悦动健身有限公司", 6)
	second := env.burst(t, "MA01WQ0E2", "北京朝阳青禾健身有限公司", 5)
	env.createEnterprise("MA01WQ0E3", map[string]any{"name": "北京朝阳安静健身有限公司", "aliases": []string{}})
	env.fileComplaint(t, "QUIET1", "北京朝阳安静健身有限公司", 0)

	all := env.warnings(t, "")
	require.Len(t, all.Items, 2, "one warning per bursting enterprise, none for the quiet one")
	assert.Equal(t, second, all.Items[0].USCC, "newest first")
	w := all.Items[1]
	assert.Equal(t, first, w.USCC)
	assert.Equal(t, "burst", w.Kind)
	assert.Equal(t, "new", w.State)
	assert.Equal(t, "北京朝阳悦动健身有限公司", w.EnterpriseName)
	assert.Len(t, w.Evidence, 6)
	assert.Contains(t, w.Evidence, "12345:MA01WQ0E1-00")
	assert.Contains(t, w.Summary, "收到投诉6件")

	t.Run("filters", func(t *testing.T) {
		for query, want := range map[string]int{
			"?state=new": 2, "?state=open": 2, "?state=handled": 0, "?kind=burst": 2, "?kind=severe_jump": 0,
			"?uscc=" + first: 1, "?uscc=" + strings.ToLower(second): 1, "?severity=critical": 0,
		} {
			assert.Len(t, env.warnings(t, query).Items, want, query)
		}
	})
	t.Run("paging", func(t *testing.T) {
		page := env.warnings(t, "?limit=1")
		require.Len(t, page.Items, 1)
		require.NotEmpty(t, page.NextCursor)
		next := env.warnings(t, "?limit=1&cursor="+url.QueryEscape(page.NextCursor))
		require.Len(t, next.Items, 1)
		assert.Equal(t, first, next.Items[0].USCC)
		assert.Empty(t, next.NextCursor)
	})
	t.Run("one warning", func(t *testing.T) {
		r := env.do(user.Supervisor, "GET", "/api/v1/warnings/"+w.ID, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"2"`, r.Header.Get("ETag"), "raised by the fifth complaint, updated by the sixth")
		missing := env.do(user.Regulator, "GET", "/api/v1/warnings/nothing-here", nil)
		assert.Equal(t, http.StatusNotFound, missing.Status)
	})
	t.Run("bad queries", func(t *testing.T) {
		for _, q := range []string{"?state=gone", "?kind=spike", "?severity=low", "?uscc=IO", "?uscc[$ne]=",
			"?limit=0", "?cursor=zzz", "?state=new&state=handled", "?sort=asc"} {
			r := env.do(user.Regulator, "GET", "/api/v1/warnings"+q, nil)
			assert.Equal(t, http.StatusBadRequest, r.Status, q)
			assert.NotEmpty(t, r.Problem(t).Errors, q)
		}
	})
	t.Run("roles", func(t *testing.T) {
		assert.Equal(t, http.StatusForbidden, env.do(user.Mediator, "GET", "/api/v1/warnings", nil).Status)
		assert.Equal(t, http.StatusForbidden, env.do(user.FundOfficer, "GET", "/api/v1/warnings/"+w.ID, nil).Status)
		ack := env.do(user.Mediator, "POST", "/api/v1/warnings/"+w.ID+"/acknowledge", nil)
		assert.Equal(t, http.StatusForbidden, ack.Status)
		assert.Equal(t, http.StatusUnauthorized, env.do(user.Public, "GET", "/api/v1/warnings", nil).Status)
	})
}

func TestWarning_StateChangesOverHTTP(t *testing.T) {
	env := newTestEnv(t)
	env.burst(t, "MA01WXT01", "北京朝阳悦动健身有限公司", 5)
	items := env.warnings(t, "").Items
	require.Len(t, items, 1)
	path := "/api/v1/warnings/" + items[0].ID

	r := env.do(user.Regulator, "POST", path+"/acknowledge", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got warningBody
	r.JSON(t, &got)
	assert.Equal(t, "acknowledged", got.State)
	assert.EqualValues(t, 2, got.Version)
	assert.Equal(t, `"2"`, r.Header.Get("ETag"))
	last := got.History[len(got.History)-1]
	assert.Equal(t, "regulator1", last.By)
	assert.Equal(t, "new", last.From)

	r = env.do(user.Regulator, "POST", path+"/acknowledge", nil)
	assert.Equal(t, http.StatusConflict, r.Status, "already acknowledged")

	t.Run("bad input", func(t *testing.T) {
		for name, body := range map[string]any{
			"no reason": map[string]any{}, "blank reason": map[string]any{"reason": "  "},
			"reason of the wrong type": `{"reason": 5}`, "unknown field": map[string]any{"why": "重复"},
			"trailing data": `{"reason": "x"} {}`,
		} {
			r := env.do(user.Regulator, "POST", path+"/dismiss", body)
			assert.Equal(t, http.StatusBadRequest, r.Status, name)
		}
		r := env.do(user.Regulator, "POST", path+"/dismiss", nil)
		assert.Equal(t, http.StatusUnsupportedMediaType, r.Status, "a dismissal without a body")
		r = env.do(user.Regulator, "POST", path+"/dismiss", map[string]any{})
		assert.Equal(t, []string{"reason"}, r.Problem(t).fieldNames())
		r = env.do(user.Regulator, "POST", path+"/handle", map[string]any{"note": strings.Repeat("长", 501)})
		assert.Equal(t, []string{"note"}, r.Problem(t).fieldNames())
		r = env.do(user.Regulator, "POST", path+"/handle", map[string]any{}, "If-Match", `"1"`)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "a stale If-Match")
		r = env.do(user.Regulator, "POST", path+"/handle", map[string]any{}, "If-Match", "soon")
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})

	r = env.do(user.Supervisor, "POST", path+"/dismiss", map[string]any{"reason": "经核实为同一消费者重复来电"},
		"If-Match", `"2"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.JSON(t, &got)
	assert.Equal(t, "dismissed", got.State)
	assert.Equal(t, "经核实为同一消费者重复来电", got.StateReason)

	r = env.do(user.Regulator, "POST", path+"/handle", map[string]any{"note": "已约谈"})
	assert.Equal(t, http.StatusConflict, r.Status, "a dismissed warning is closed")

	// A later complaint opens a new warning beside the dismissed one.
	env.fileComplaint(t, "LATER", "北京朝阳悦动健身有限公司", 0)
	assert.Len(t, env.warnings(t, "?state=open").Items, 1)
	assert.Len(t, env.warnings(t, "").Items, 2)

	var trail struct {
		Items []struct {
			Action string `json:"action"`
			Target string `json:"target"`
		} `json:"items"`
	}
	env.do(user.Admin, "GET", "/api/v1/audit?target=warning/"+items[0].ID, nil).JSON(t, &trail)
	var actions []string
	for _, rec := range trail.Items {
		actions = append(actions, rec.Action)
	}
	assert.Equal(t, []string{"warning.raise", "warning.acknowledged", "warning.dismissed"}, actions)
}

func TestWarning_ConsoleQueueAndStartPage(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.burst(t, "MA01WC0N1", "北京朝阳悦动健身有限公司", 5)
	id := env.warnings(t, "").Items[0].ID
	s := env.signIn(t, user.Regulator)

	home := env.page(t, s, "GET", "/console", nil)
	require.Equal(t, http.StatusOK, home.Status)
	body := string(home.Body)
	assert.Contains(t, body, `id="warnings"`)
	assert.Contains(t, body, "北京朝阳悦动健身有限公司")
	assert.Contains(t, body, "收到投诉5件")
	assert.Contains(t, body, `href="/console/warnings?state=new"`)

	queue := env.page(t, s, "GET", "/console/warnings", nil)
	require.Equal(t, http.StatusOK, queue.Status, "body: %s", queue.Body)
	body = string(queue.Body)
	assert.Contains(t, body, `id="w-`+id+`"`)
	assert.Contains(t, body, `href="/console/enterprises/`+uscc+`"`)
	assert.Contains(t, body, `href="/console/complaints/12345:MA01WC0N1-00"`, "evidence links to its complaints")
	assert.Contains(t, body, `name="action" value="dismiss"`)

	filtered := env.page(t, s, "GET", "/console/warnings?state=dismissed", nil)
	assert.NotContains(t, string(filtered.Body), `id="w-`+id+`"`)
	bad := env.page(t, s, "GET", "/console/warnings?kind=spike", nil)
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, string(bad.Body), "unknown kind")

	post := func(form url.Values) response {
		form.Set("csrf", s.csrf)
		form.Set("back", "/console/warnings?state=open")
		return env.page(t, s, "POST", "/console/warnings/"+id, form)
	}
	r := post(url.Values{"action": {"dismiss"}, "reason": {""}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, string(r.Body), "请填写排除理由")
	assert.Equal(t, http.StatusBadRequest, post(url.Values{"action": {"delete"}}).Status)

	r = post(url.Values{"action": {"acknowledge"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, "/console/warnings?state=open", r.Header.Get("Location"))
	r = post(url.Values{"action": {"acknowledge"}})
	assert.Equal(t, http.StatusConflict, r.Status)
	assert.Contains(t, string(r.Body), "预警已确认")

	r = post(url.Values{"action": {"dismiss"}, "reason": {"经核实为团购活动集中咨询"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	done := string(env.page(t, s, "GET", "/console/warnings?state=dismissed", nil).Body)
	assert.Contains(t, done, "经核实为团购活动集中咨询")
	assert.Contains(t, done, "已排除")
	assert.NotContains(t, string(env.page(t, s, "GET", "/console", nil).Body), "收到投诉5件",
		"the start page lists new warnings only")

	noCSRF := env.page(t, s, "POST", "/console/warnings/"+id, url.Values{"action": {"handle"}})
	assert.Equal(t, http.StatusForbidden, noCSRF.Status)

	m := env.signIn(t, user.Mediator)
	assert.NotContains(t, string(env.page(t, m, "GET", "/console", nil).Body), `id="warnings"`)
	assert.Equal(t, http.StatusForbidden, env.page(t, m, "GET", "/console/warnings", nil).Status)
}
