package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

// TestInterviewAPI_BadInput sends malformed, hostile, oversized and out-of-rule requests to
// every POST of interviews and officials: each gets a clear 4xx problem naming the field,
// nothing is written, and the server goes on serving.
func TestInterviewAPI_BadInput(t *testing.T) {
	env := newIvEnv(t)
	uscc := env.createEnterprise("MA01BAD01", nil)
	zhang := env.createOfficial(t, "张明")
	iv, _ := env.schedule(t, interviewBody(uscc, []string{zhang}, shanghai(t, "2026-09-22", "10:00"), "第一约谈室"))
	ivPath := "/api/v1/interviews/" + iv.ID

	valid := interviewBody(uscc, []string{zhang}, shanghai(t, "2026-09-23", "10:00"), "第二约谈室")
	with := func(changes map[string]any) string {
		body := map[string]any{}
		for k, v := range valid {
			body[k] = v
		}
		for k, v := range changes {
			body[k] = v
		}
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		return string(raw)
	}
	raw := func(base string, extra string) string { return strings.TrimSuffix(base, "}") + "," + extra + "}" }
	huge := `{"reason":"` + strings.Repeat("大", 1<<19) + `"}`
	// The campaign puts 张明 in two rooms, which run at the same time.
	campaign := func(extra string) string {
		b, err := json.Marshal(campaignBody([]string{uscc}, []string{zhang, "a", "b", zhang, "c", "d", "e", "f", "g"},
			"2026-09-30"))
		require.NoError(t, err)
		if extra == "" {
			return string(b)
		}
		return raw(string(b), extra)
	}
	official := `{"name":"李华","department":"market"}`
	unknownUSCC := validUSCC(t, "MA01BAD99")

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		ifMatch    string
		wantStatus int
		wantField  string
		wantDetail string
	}{
		// Decoding, for every POST.
		{name: "official: unknown field", method: "POST", path: "/api/v1/officials",
			body: raw(official, `"role":"admin"`), wantStatus: 400, wantField: "role"},
		{name: "official: wrong type", method: "POST", path: "/api/v1/officials",
			body: `{"name":5,"department":"market"}`, wantStatus: 400, wantField: "name"},
		{name: "official: operator in a string field", method: "POST", path: "/api/v1/officials",
			body: `{"name":{"$gt":""},"department":"market"}`, wantStatus: 400, wantField: "name"},
		{name: "official: unknown department", method: "POST", path: "/api/v1/officials",
			body: `{"name":"李华","department":"army"}`, wantStatus: 400, wantField: "department"},
		{name: "official: over 1 MiB", method: "POST", path: "/api/v1/officials", body: huge, wantStatus: 413},
		{name: "deactivate: unknown field", method: "POST", path: "/api/v1/officials/" + zhang + "/deactivate",
			body: `{"active":false}`, ifMatch: `"1"`, wantStatus: 400, wantField: "active"},
		{name: "interview: unknown field", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"state": "held"}), wantStatus: 400, wantField: "state"},
		{name: "interview: wrong type", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"duration_minutes": "60"}), wantStatus: 400, wantField: "duration_minutes"},
		{name: "interview: wrong time format", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"starts_at": "2026-09-23 10:00"}), wantStatus: 400},
		{name: "interview: operator in a string field", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"reason": map[string]string{"$gt": ""}}), wantStatus: 400, wantField: "reason"},
		{name: "interview: operator in a list", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"enterprises": map[string]string{"$ne": ""}}), wantStatus: 400,
			wantField: "enterprises"},
		{name: "interview: over 1 MiB", method: "POST", path: "/api/v1/interviews", body: huge, wantStatus: 413},
		{name: "interview: not JSON", method: "POST", path: "/api/v1/interviews", body: `reason=x`, wantStatus: 400},
		{name: "campaign: unknown field", method: "POST", path: "/api/v1/interviews/campaigns",
			body: campaign(`"priority":1`), wantStatus: 400, wantField: "priority"},
		{name: "campaign: wrong type", method: "POST", path: "/api/v1/interviews/campaigns",
			body: `{"slot_minutes":"60"}`, wantStatus: 400, wantField: "slot_minutes"},
		{name: "campaign: over 1 MiB", method: "POST", path: "/api/v1/interviews/campaigns", body: huge,
			wantStatus: 413},
		{name: "reschedule: unknown field", method: "POST", path: ivPath + "/reschedule",
			body: `{"when":"tomorrow"}`, ifMatch: `"1"`, wantStatus: 400, wantField: "when"},
		{name: "notify: wrong type", method: "POST", path: ivPath + "/notify",
			body: `{"note":["a"]}`, ifMatch: `"1"`, wantStatus: 400, wantField: "note"},
		{name: "hold: unknown field", method: "POST", path: ivPath + "/hold",
			body: `{"result":"ok"}`, ifMatch: `"1"`, wantStatus: 400, wantField: "result"},
		{name: "no-show: operator in a string field", method: "POST", path: ivPath + "/no-show",
			body: `{"note":{"$gt":""}}`, ifMatch: `"1"`, wantStatus: 400, wantField: "note"},
		{name: "cancel: wrong type", method: "POST", path: ivPath + "/cancel",
			body: `{"reason":1}`, ifMatch: `"1"`, wantStatus: 400, wantField: "reason"},
		{name: "rectification: wrong type", method: "POST", path: ivPath + "/rectification",
			body: `{"commitments":"退费","deadline":"2026-10-12T17:00:00+08:00"}`, ifMatch: `"1"`,
			wantStatus: 400, wantField: "commitments"},
		{name: "rectified: unknown field", method: "POST", path: ivPath + "/rectified",
			body: `{"ok":true}`, ifMatch: `"1"`, wantStatus: 400, wantField: "ok"},
		{name: "not-rectified: over 1 MiB", method: "POST", path: ivPath + "/not-rectified",
			body: huge, ifMatch: `"1"`, wantStatus: 413},
		{name: "bad If-Match", method: "POST", path: ivPath + "/notify", body: `{}`, ifMatch: "abc", wantStatus: 400},
		{name: "no If-Match", method: "POST", path: ivPath + "/notify", body: `{}`, wantStatus: 428},

		// The rules of a single interview.
		{name: "ends before it starts", method: "POST", path: "/api/v1/interviews",
			body:       with(map[string]any{"duration_minutes": 0, "ends_at": "2026-09-23T09:30:00+08:00"}),
			wantStatus: 400, wantField: "ends_at", wantDetail: "结束时间须晚于开始时间"},
		{name: "on a holiday", method: "POST", path: "/api/v1/interviews",
			body:       with(map[string]any{"starts_at": "2026-10-02T10:00:00+08:00"}),
			wantStatus: 400, wantField: "starts_at", wantDetail: "国庆节"},
		{name: "on a weekend", method: "POST", path: "/api/v1/interviews",
			body:       with(map[string]any{"starts_at": "2026-09-26T10:00:00+08:00"}),
			wantStatus: 400, wantField: "starts_at", wantDetail: "不是工作日"},
		{name: "outside hours", method: "POST", path: "/api/v1/interviews",
			body:       with(map[string]any{"starts_at": "2026-09-23T17:00:00+08:00"}),
			wantStatus: 400, wantField: "starts_at", wantDetail: "工作时间"},
		{name: "longer than a day", method: "POST", path: "/api/v1/interviews",
			body:       with(map[string]any{"duration_minutes": 600}),
			wantStatus: 400, wantField: "duration_minutes", wantDetail: "不得跨天"},
		{name: "in the past", method: "POST", path: "/api/v1/interviews",
			body:       with(map[string]any{"starts_at": "2026-09-20T10:00:00+08:00"}),
			wantStatus: 400, wantField: "starts_at", wantDetail: "开始时间须在当前时间之后"},
		{name: "unknown department", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"departments": []string{"army"}}), wantStatus: 400, wantField: "departments[0]"},
		{name: "unknown official", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"officials": []string{"OF-nobody"}}), wantStatus: 400, wantField: "officials"},
		{name: "unknown enterprise", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"enterprises": []string{unknownUSCC}}), wantStatus: 400,
			wantField: "enterprises"},
		{name: "not a USCC", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"enterprises": []string{`{"$gt":""}`}}), wantStatus: 400,
			wantField: "enterprises[0]"},
		{name: "no reason", method: "POST", path: "/api/v1/interviews",
			body: with(map[string]any{"reason": "  "}), wantStatus: 400, wantField: "reason"},
		{name: "reschedule onto a holiday", method: "POST", path: ivPath + "/reschedule",
			body: `{"starts_at":"2026-10-07T10:00:00+08:00"}`, ifMatch: `"1"`,
			wantStatus: 400, wantField: "starts_at", wantDetail: "国庆节"},
		{name: "rectification without deadline", method: "POST", path: ivPath + "/rectification",
			body: `{"commitments":[]}`, ifMatch: `"1"`, wantStatus: 400, wantField: "deadline"},
		{name: "not-rectified without finding", method: "POST", path: ivPath + "/not-rectified",
			body: `{}`, ifMatch: `"1"`, wantStatus: 400, wantField: "finding"},

		// The rules of a campaign.
		{name: "campaign: nothing asked", method: "POST", path: "/api/v1/interviews/campaigns",
			body: `{}`, wantStatus: 400, wantField: "enterprises"},
		{name: "campaign: official in two rooms", method: "POST", path: "/api/v1/interviews/campaigns",
			body: campaign(""), wantStatus: 400, wantField: "officials", wantDetail: "同时安排在"},

		// Query parameters.
		{name: "officials: operator in query", method: "GET", path: "/api/v1/officials?name[$ne]=",
			wantStatus: 400, wantField: "name[$ne]"},
		{name: "officials: bad bool", method: "GET", path: "/api/v1/officials?include_inactive=yes",
			wantStatus: 400, wantField: "include_inactive"},
		{name: "interviews: operator in query", method: "GET", path: "/api/v1/interviews?room[$ne]=",
			wantStatus: 400, wantField: "room[$ne]"},
		{name: "interviews: bad from", method: "GET", path: "/api/v1/interviews?from=yesterday",
			wantStatus: 400, wantField: "from"},
		{name: "interviews: to before from", method: "GET", path: "/api/v1/interviews?from=2026-10-01&to=2026-09-01",
			wantStatus: 400, wantField: "to"},
		{name: "interviews: unknown state", method: "GET", path: "/api/v1/interviews?state=done",
			wantStatus: 400, wantField: "state"},
		{name: "interviews: bad uscc", method: "GET", path: "/api/v1/interviews?uscc=%5E.*",
			wantStatus: 400, wantField: "uscc"},
		{name: "interviews: bad limit", method: "GET", path: "/api/v1/interviews?limit=5000",
			wantStatus: 400, wantField: "limit"},
		{name: "interviews: forged cursor", method: "GET", path: "/api/v1/interviews?cursor=eyIkZ3QiOiIifQ",
			wantStatus: 400, wantField: "cursor"},
		{name: "reminders: operator in query", method: "GET", path: "/api/v1/interviews/reminders?date[$gt]=",
			wantStatus: 400, wantField: "date[$gt]"},
		{name: "ics: unknown parameter", method: "GET", path: ivPath + "/invite.ics?format=json",
			wantStatus: 400, wantField: "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.method != "GET" {
				body = tt.body
			}
			var headers []string
			if tt.ifMatch != "" {
				headers = []string{"If-Match", tt.ifMatch}
			}
			r := env.do(user.Regulator, tt.method, tt.path, body, headers...)
			require.Equal(t, tt.wantStatus, r.Status, "body: %.300s", r.Body)
			p := r.Problem(t)
			assert.Equal(t, tt.wantStatus, p.Status)
			assert.NotEmpty(t, p.Detail)
			if tt.wantField != "" {
				assert.Contains(t, p.fieldNames(), tt.wantField, "problem: %+v", p)
			}
			if tt.wantDetail != "" {
				assert.Contains(t, string(r.Body), tt.wantDetail)
			}
		})
	}

	t.Run("nothing written", func(t *testing.T) {
		assert.Equal(t, []string{iv.ID}, env.list(t, ""))
		r := env.do(user.Regulator, "GET", ivPath, nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, `"1"`, r.Header.Get("ETag"))
		r = env.do(user.Regulator, "GET", "/api/v1/officials?include_inactive=true", nil)
		require.Equal(t, http.StatusOK, r.Status)
		var officials officialListBody
		r.JSON(t, &officials)
		require.Len(t, officials.Items, 1)
		assert.True(t, officials.Items[0].Active)
	})

	t.Run("a hostile string is only a string", func(t *testing.T) {
		assert.Empty(t, env.list(t, "room="+urlEscape(`{"$gt":""}`)))
		assert.Empty(t, env.list(t, "official="+urlEscape(`{"$ne":null}`)))
	})

	t.Run("the server keeps serving", func(t *testing.T) {
		env.schedule(t, valid)
		assert.Equal(t, http.StatusOK, env.do(user.Public, "GET", "/healthz", nil).Status)
	})
}
