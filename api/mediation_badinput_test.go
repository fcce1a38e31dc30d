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

// TestMediationAPI_BadInput sends malformed, hostile, oversized and out-of-rule requests to
// the mediation routes: each gets a clear 4xx problem naming the field, nothing is written,
// and the server goes on serving.
func TestMediationAPI_BadInput(t *testing.T) {
	env := newMedEnv(t)
	uscc := env.createEnterprise("MA01MBAD1", nil)
	submitted, _ := env.open(t, map[string]any{"uscc": uscc, "consumer_name": "张伟", "consumer_phone": "13812341234",
		"claim": "refund", "claim_fen": 100000, "facts": "要求退还储值卡余额。"})
	mediating, etag := env.openAccepted(t, uscc, "李娜", "13987654321")
	mediating, etag = env.step(t, user.Regulator, mediating.ID, "assign", etag, map[string]any{"mediator": "mediator1"})
	mediating, etag = env.step(t, user.Mediator, mediating.ID, "sessions", etag, map[string]any{
		"at": "2026-09-14T09:00:00+08:00", "form": "phone", "attendees": []string{"李娜"}})
	casePath := "/api/v1/mediation/cases/" + mediating.ID
	subPath := "/api/v1/mediation/cases/" + submitted.ID

	valid := map[string]any{"uscc": uscc, "consumer_name": "王五", "consumer_phone": "13700001111", "claim": "refund",
		"claim_fen": 50000, "facts": "要求退款。"}
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
	huge := `{"facts":"` + strings.Repeat("大", 1<<19) + `"}`
	terms := func(amount any) string {
		raw, err := json.Marshal(map[string]any{"points": []string{"退款金额"}, "terms": []map[string]any{
			{"payer": "enterprise", "payee": "consumer", "amount_fen": amount, "due_on": "2026-10-15",
				"method": "转账"}}})
		require.NoError(t, err)
		return string(raw)
	}
	card := `{"type":"named","face_value_fen":100000,"paid_fen":100000,"used_fen":0,"bought_on":"2026-09-01"}`
	v := etag // mediating's version: opened, accepted, assigned, one session

	tests := []struct {
		name       string
		role       user.Role
		method     string
		path       string
		body       string
		ifMatch    string
		wantStatus int
		wantField  string
		wantDetail string
	}{
		// Decoding.
		{name: "open: unknown field", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"state": "closed"}), wantStatus: 400, wantField: "state"},
		{name: "open: claim in yuan with a fraction", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"claim_fen": 12.5}), wantStatus: 400, wantField: "claim_fen",
			wantDetail: "整数分"},
		{name: "open: claim as text", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"claim_fen": "1250"}), wantStatus: 400, wantField: "claim_fen",
			wantDetail: "整数分"},
		{name: "open: card amount with a fraction", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"card": map[string]any{"type": "named", "paid_fen": 0.5,
				"bought_on": "2026-09-01"}}),
			wantStatus: 400, wantField: "card.paid_fen", wantDetail: "整数分"},
		{name: "open: operator in a string field", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"consumer_name": map[string]string{"$gt": ""}}), wantStatus: 400,
			wantField: "consumer_name"},
		{name: "open: over 1 MiB", method: "POST", path: "/api/v1/mediation/cases", body: huge, wantStatus: 413},
		{name: "open: not JSON", method: "POST", path: "/api/v1/mediation/cases", body: `uscc=x`, wantStatus: 400},
		{name: "open: trailing data", method: "POST", path: "/api/v1/mediation/cases", body: with(nil) + `{}`,
			wantStatus: 400},

		// The rules of opening.
		{name: "open: negative claim", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"claim_fen": -100}), wantStatus: 400, wantField: "claim_fen", wantDetail: "负数"},
		{name: "open: negative card amount", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"card": map[string]any{"type": "named", "paid_fen": -1,
				"bought_on": "2026-09-01"}}),
			wantStatus: 400, wantField: "card.paid_fen"},
		{name: "open: a USCC that is an operator", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"uscc": `{"$gt":""}`}), wantStatus: 400, wantField: "uscc"},
		{name: "open: no enterprise", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"uscc": ""}), wantStatus: 400, wantField: "uscc"},
		{name: "open: unknown complaint", method: "POST", path: "/api/v1/mediation/cases",
			body: `{"complaint_id":"12345:NOPE"}`, wantStatus: 400, wantField: "complaint_id"},
		{name: "open: no consumer", method: "POST", path: "/api/v1/mediation/cases",
			body: with(map[string]any{"consumer_name": " ", "consumer_phone": "call me"}), wantStatus: 400,
			wantField: "consumer_phone"},

		// Changes of a case.
		{name: "accept: unknown field", method: "POST", path: subPath + "/accept",
			body: `{"accepted":true}`, ifMatch: `"1"`, wantStatus: 400, wantField: "accepted"},
		{name: "refuse: no reason", method: "POST", path: subPath + "/refuse",
			body: `{"reason":"  "}`, ifMatch: `"1"`, wantStatus: 400, wantField: "reason"},
		{name: "session before acceptance", role: user.Regulator, method: "POST", path: subPath + "/sessions",
			body: `{"at":"2026-09-14T08:00:00+08:00","form":"phone","attendees":["张伟"]}`, ifMatch: `"1"`,
			wantStatus: 409, wantDetail: "须先受理"},
		{name: "session: offer in yuan", role: user.Mediator, method: "POST", path: casePath + "/sessions",
			body:    `{"at":"2026-09-14T09:00:00+08:00","form":"phone","attendees":["李娜"],"offers":[{"side":"consumer","amount_fen":99.9}]}`,
			ifMatch: v, wantStatus: 400, wantField: "offers.amount_fen", wantDetail: "整数分"},
		{name: "session: in the future, unknown form, negative offer", role: user.Mediator, method: "POST",
			path:    casePath + "/sessions",
			body:    `{"at":"2026-12-01T09:00:00+08:00","form":"fax","attendees":["李娜"],"offers":[{"side":"judge","amount_fen":-5}]}`,
			ifMatch: v, wantStatus: 400, wantField: "offers[0].amount_fen"},
		{name: "agreement for more than claimed without a reason", role: user.Mediator, method: "POST",
			path: casePath + "/agreement", body: terms(200000), ifMatch: v, wantStatus: 400,
			wantField: "over_claim_reason"},
		{name: "agreement: negative amount", role: user.Mediator, method: "POST", path: casePath + "/agreement",
			body: terms(-100), ifMatch: v, wantStatus: 400, wantField: "terms[0].amount_fen"},
		{name: "agreement: amount as text", role: user.Mediator, method: "POST", path: casePath + "/agreement",
			body: terms("100"), ifMatch: v, wantStatus: 400, wantField: "terms.amount_fen", wantDetail: "整数分"},
		{name: "performance before an agreement", role: user.Mediator, method: "POST", path: casePath + "/performance",
			body: `{"performed":true}`, ifMatch: v, wantStatus: 409},
		{name: "performance: not said whether", role: user.Mediator, method: "POST", path: casePath + "/performance",
			body: `{"note":"x"}`, ifMatch: v, wantStatus: 400, wantField: "performed"},
		{name: "performance: performed as text", role: user.Mediator, method: "POST", path: casePath + "/performance",
			body: `{"performed":"yes"}`, ifMatch: v, wantStatus: 400, wantField: "performed"},
		{name: "refer: unknown referral", role: user.Mediator, method: "POST", path: casePath + "/refer",
			body: `{"to":"police"}`, ifMatch: v, wantStatus: 400, wantField: "to"},
		{name: "terminate: expired before the period", role: user.Mediator, method: "POST",
			path: casePath + "/terminate",
			body: `{"reason":"调解期限届满"}`, ifMatch: v, wantStatus: 409, wantDetail: "尚未届满"},
		{name: "terminate: refused as text", role: user.Mediator, method: "POST", path: casePath + "/terminate",
			body: `{"reason":"x","refused_by_enterprise":"yes"}`, ifMatch: v, wantStatus: 400,
			wantField: "refused_by_enterprise"},
		{name: "resume a running clock", role: user.Mediator, method: "POST", path: casePath + "/resume",
			ifMatch: v, wantStatus: 409, wantDetail: "未中止"},
		{name: "close a case in mediation", role: user.Mediator, method: "POST", path: casePath + "/close",
			ifMatch: v, wantStatus: 409, wantDetail: "尚未结束"},
		{name: "join itself", method: "POST", path: subPath + "/join",
			body: `{"case":"` + submitted.ID + `","version":1}`, ifMatch: `"1"`, wantStatus: 400, wantField: "case"},
		{name: "join: no version", method: "POST", path: subPath + "/join",
			body: `{"case":"MC-x"}`, ifMatch: `"1"`, wantStatus: 400, wantField: "version"},
		{name: "stale If-Match", role: user.Mediator, method: "POST", path: casePath + "/pause",
			body: `{"reason":"鉴定"}`, ifMatch: `"3"`, wantStatus: 412, wantDetail: "当前版本 4"},
		{name: "no If-Match", role: user.Mediator, method: "POST", path: casePath + "/pause",
			body: `{"reason":"鉴定"}`, wantStatus: 428},
		{name: "bad If-Match", role: user.Mediator, method: "POST", path: casePath + "/pause",
			body: `{"reason":"鉴定"}`, ifMatch: `{"$gt":0}`, wantStatus: 400},
		{name: "pause: over 1 MiB", role: user.Mediator, method: "POST", path: casePath + "/pause",
			body: huge, ifMatch: v, wantStatus: 413},
		{name: "no such case", method: "POST", path: "/api/v1/mediation/cases/MC-nothing/accept",
			ifMatch: `"1"`, wantStatus: 404},

		// Calculator, bodies and mediators.
		{name: "refund: claim with a fraction", method: "POST", path: "/api/v1/mediation/refund",
			body: `{"card":` + card + `,"claim_fen":12.5}`, wantStatus: 400, wantField: "claim_fen",
			wantDetail: "整数分"},
		{name: "refund: negative amounts", method: "POST", path: "/api/v1/mediation/refund",
			body:       `{"card":{"type":"named","paid_fen":-1,"bought_on":"2026-09-01"},"claim_fen":-2}`,
			wantStatus: 400, wantField: "card.paid_fen"},
		{name: "refund: no card", method: "POST", path: "/api/v1/mediation/refund", body: `{"claim_fen":100}`,
			wantStatus: 400, wantField: "card"},
		{name: "refund: bad as_of", method: "POST", path: "/api/v1/mediation/refund",
			body: `{"card":` + card + `,"as_of":"next week"}`, wantStatus: 400, wantField: "as_of"},
		{name: "body: unknown kind", method: "POST", path: "/api/v1/mediation/bodies",
			body: `{"name":"某调解室","kind":"court"}`, wantStatus: 400, wantField: "kind"},
		{name: "mediator: unknown field", method: "POST", path: "/api/v1/mediation/mediators",
			body: `{"username":"mediator1","role":"admin"}`, wantStatus: 400, wantField: "role"},
		{name: "mediator: operator as username", method: "POST", path: "/api/v1/mediation/mediators",
			body: `{"username":{"$ne":""},"name":"x","body":"MB-x"}`, wantStatus: 400, wantField: "username"},
		{name: "conflict: bad uscc", method: "POST", path: "/api/v1/mediation/mediators/mediator1/conflicts",
			body: `{"uscc":"^.*","reason":"亲属"}`, ifMatch: `"1"`, wantStatus: 400, wantField: "uscc"},
		{name: "conflict: stale", method: "POST", path: "/api/v1/mediation/mediators/mediator1/conflicts",
			body: `{"uscc":"` + uscc + `","reason":"亲属"}`, ifMatch: `"7"`, wantStatus: 412},
		{name: "deactivate: unknown field", method: "POST", path: "/api/v1/mediation/mediators/mediator1/deactivate",
			body: `{"active":true}`, ifMatch: `"1"`, wantStatus: 400, wantField: "active"},

		// Query parameters.
		{name: "queue: operator in query", method: "GET", path: "/api/v1/mediation/cases?state[$ne]=closed",
			wantStatus: 400, wantField: "state[$ne]"},
		{name: "queue: bad limit", method: "GET", path: "/api/v1/mediation/cases?limit=500",
			wantStatus: 400, wantField: "limit"},
		{name: "queue: forged cursor", method: "GET", path: "/api/v1/mediation/cases?cursor=eyIkZ3QiOiIifQ",
			wantStatus: 400, wantField: "cursor"},
		{name: "stats: no period", method: "GET", path: "/api/v1/mediation/stats", wantStatus: 400, wantField: "from"},
		{name: "stats: to before from", method: "GET", path: "/api/v1/mediation/stats?from=2026-10-01&to=2026-09-01",
			wantStatus: 400, wantField: "to"},
		{name: "suggestions: bad limit", method: "GET", path: casePath + "/suggestions?limit=all",
			wantStatus: 400, wantField: "limit"},
		{name: "agreement.pdf: unknown parameter", role: user.Mediator, method: "GET", path: casePath + "/agreement.pdf?x=1",
			wantStatus: 400, wantField: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role := tt.role
			if role == "" {
				role = user.Regulator
			}
			var body any
			if tt.body != "" {
				body = tt.body
			}
			var headers []string
			if tt.ifMatch != "" {
				headers = []string{"If-Match", tt.ifMatch}
			}
			r := env.do(role, tt.method, tt.path, body, headers...)
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
		q := env.queue(t, user.Regulator)
		assert.ElementsMatch(t, []string{submitted.ID, mediating.ID}, queueIDs(q.Cases))
		got, _ := env.get(t, user.Regulator, mediating.ID)
		assert.Equal(t, mediating.Version, got.Version)
		assert.Nil(t, got.Agreement)
		got, _ = env.get(t, user.Regulator, submitted.ID)
		assert.Equal(t, int64(1), got.Version)
		r := env.do(user.Regulator, "GET", "/api/v1/mediation/mediators/mediator1", nil)
		assert.Equal(t, `"1"`, r.Header.Get("ETag"))
		r = env.do(user.Regulator, "GET", "/api/v1/mediation/bodies", nil)
		assert.Equal(t, 1, strings.Count(string(r.Body), `"id":"MB-`))
	})

	t.Run("pause and resume once each, close once", func(t *testing.T) {
		mc, tag := env.step(t, user.Mediator, mediating.ID, "pause", etag, map[string]any{"reason": "鉴定"})
		_, r := env.act(t, user.Mediator, mc.ID, "pause", tag, map[string]any{"reason": "again"})
		assert.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		mc, tag = env.step(t, user.Mediator, mc.ID, "resume", tag, nil)
		_, r = env.act(t, user.Mediator, mc.ID, "resume", tag, nil)
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		assert.Contains(t, r.Problem(t).Detail, "未中止")

		mc, tag = env.step(t, user.Mediator, mc.ID, "withdraw", tag, map[string]any{"reason": "消费者已与商家自行和解"})
		mc, tag = env.step(t, user.Mediator, mc.ID, "close", tag, nil)
		_, r = env.act(t, user.Mediator, mc.ID, "close", tag, nil)
		require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
		assert.Contains(t, r.Problem(t).Detail, "已结案")
		_, r = env.act(t, user.Mediator, mc.ID, "close", etag, nil)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "an old version is stale whatever the state")
	})

	t.Run("a hostile string is only a string", func(t *testing.T) {
		hostile := `<script>alert(1)</script> {"$where":"sleep(1000)"} '; db.dropDatabase(); --`
		mc, _ := env.open(t, map[string]any{"uscc": uscc, "consumer_name": "王五", "consumer_phone": "13700001111",
			"claim": "refund", "claim_fen": 50000, "facts": hostile})
		got, r := env.get(t, user.Regulator, mc.ID)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, hostile, got.Facts)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.NotContains(t, string(r.Body), "<script>", "escaped in JSON")
	})

	t.Run("the server keeps serving", func(t *testing.T) {
		env.open(t, valid)
		assert.Equal(t, http.StatusOK, env.do(user.Public, "GET", "/healthz", nil).Status)
	})
}
