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

// TestFundsAPI_BadInput sends malformed, hostile, oversized and out-of-rule requests to every
// fund supervision route: each gets a clear 4xx problem naming the field or header, nothing
// is written, and the server goes on serving.
func TestFundsAPI_BadInput(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FB001")
	env.posted(t, a.ID, "sale-1", map[string]any{"type": "sale", "amount_fen": 1_000_000})
	env.posted(t, a.ID, "deposit-1", map[string]any{"type": "deposit", "amount_fen": 400_000})
	before, etag := env.account(t, user.FundOfficer, a.ID)
	require.Equal(t, `"3"`, etag)
	path := accountPath(a.ID)
	stranger := validUSCC(t, "MA01FB0NX")

	account := map[string]any{"uscc": a.USCC, "bank": "招商银行", "account_number": "6225880099998888",
		"tier": "group", "agreement_date": "2026-06-01"}
	openWith := func(changes map[string]any) string { return fundsJSON(t, account, changes) }
	entry := map[string]any{"type": "sale", "amount_fen": 5_000, "reference": "POS-9"}
	entryWith := func(changes map[string]any) string { return fundsJSON(t, entry, changes) }
	cover := map[string]any{"kind": "bank_guarantee", "insurer": "工商银行", "policy_number": "BG-1",
		"covered_fen": 10_000, "valid_from": "2026-01-01", "valid_to": "2026-12-31"}
	coverWith := func(changes map[string]any) string { return fundsJSON(t, cover, changes) }
	huge := `{"reference":"` + strings.Repeat("大", 1<<19) + `"}`
	key := "Idempotency-Key"

	tests := []struct {
		name       string
		role       user.Role
		method     string
		path       string
		body       string
		headers    []string
		wantStatus int
		wantField  string
		wantDetail string
	}{
		// Opening an account.
		{name: "open: unknown field", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"held_fen": 5}), wantStatus: 400, wantField: "held_fen"},
		{name: "open: operator for a USCC", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"uscc": map[string]string{"$gt": ""}}), wantStatus: 400, wantField: "uscc"},
		{name: "open: operator text for a USCC", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"uscc": `{"$gt":""}`}), wantStatus: 400, wantField: "uscc"},
		{name: "open: no such enterprise", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"uscc": stranger}), wantStatus: 400, wantField: "uscc",
			wantDetail: "没有这家企业"},
		{name: "open: share with a fraction", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"required_share_percent": 12.5}), wantStatus: 400,
			wantField: "required_share_percent"},
		{name: "open: share over 100", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"required_share_percent": 101}), wantStatus: 400,
			wantField: "required_share_percent"},
		{name: "open: unknown tier", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"tier": "platinum"}), wantStatus: 400, wantField: "tier"},
		{name: "open: letters in the number", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"account_number": "6225-88AB-9999"}), wantStatus: 400,
			wantField: "account_number"},
		{name: "open: agreement in the future", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"agreement_date": "2026-11-03"}), wantStatus: 400,
			wantField: "agreement_date"},
		{name: "open: control character in the bank", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"bank": "招商\u0000银行"}), wantStatus: 400, wantField: "bank"},
		{name: "open: the same number twice", method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(map[string]any{"account_number": "6222000011112222"}), wantStatus: 409},
		{name: "open: over 1 MiB", method: "POST", path: "/api/v1/funds/accounts", body: huge, wantStatus: 413},
		{name: "open: not JSON", method: "POST", path: "/api/v1/funds/accounts", body: "uscc=x", wantStatus: 400},
		{name: "open: as a regulator", role: user.Regulator, method: "POST", path: "/api/v1/funds/accounts",
			body: openWith(nil), wantStatus: 403},

		// Posting entries.
		{name: "entry: no Idempotency-Key", method: "POST", path: path + "/entries", body: entryWith(nil),
			wantStatus: 400, wantField: "Idempotency-Key", wantDetail: "Idempotency-Key"},
		{name: "entry: Idempotency-Key over 100 characters", method: "POST", path: path + "/entries",
			body: entryWith(nil), headers: []string{key, strings.Repeat("k", 101)}, wantStatus: 400,
			wantField: "Idempotency-Key"},
		{name: "entry: Idempotency-Key not ASCII", method: "POST", path: path + "/entries",
			body: entryWith(nil), headers: []string{key, "幂等键"}, wantStatus: 400, wantField: "Idempotency-Key"},
		{name: "entry: amount with a fraction", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"amount_fen": 12.5}), headers: []string{key, "bad-1"},
			wantStatus: 400, wantField: "amount_fen", wantDetail: "金额应为整数分"},
		{name: "entry: amount as text", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"amount_fen": "100"}), headers: []string{key, "bad-2"},
			wantStatus: 400, wantField: "amount_fen", wantDetail: "金额应为整数分"},
		{name: "entry: amount beyond any integer", method: "POST", path: path + "/entries",
			body: `{"type":"sale","amount_fen":99999999999999999999}`, headers: []string{key, "bad-3"},
			wantStatus: 400, wantField: "amount_fen", wantDetail: "超出范围"},
		{name: "entry: negative amount", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"amount_fen": -100}), headers: []string{key, "bad-4"},
			wantStatus: 400, wantField: "amount_fen", wantDetail: "负数"},
		{name: "entry: zero amount", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"amount_fen": 0}), headers: []string{key, "bad-5"},
			wantStatus: 400, wantField: "amount_fen", wantDetail: "大于零"},
		{name: "entry: amount over 10^13 fen", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"amount_fen": 10_000_000_000_001}), headers: []string{key, "bad-6"},
			wantStatus: 400, wantField: "amount_fen", wantDetail: "不能超过"},
		{name: "entry: another currency", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"currency": "USD"}), headers: []string{key, "bad-7"},
			wantStatus: 400, wantField: "currency"},
		{name: "entry: unknown type", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"type": "withdrawal"}), headers: []string{key, "bad-8"},
			wantStatus: 400, wantField: "type"},
		{name: "entry: time not RFC 3339", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"occurred_at": "yesterday"}), headers: []string{key, "bad-9"},
			wantStatus: 400, wantField: "occurred_at"},
		{name: "entry: time in the future", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"occurred_at": "2026-11-02T10:00:01+08:00"}), headers: []string{key, "bad-10"},
			wantStatus: 400, wantField: "occurred_at"},
		{name: "entry: a refund plan is not taken", method: "POST", path: path + "/entries",
			body: `{"type":"refund","amount_fen":100,"plan":"RP-1"}`, headers: []string{key, "bad-11"},
			wantStatus: 400, wantField: "plan"},
		{name: "entry: a sale that corrects", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"corrects": a.ID + ":sale-1"}), headers: []string{key, "bad-12"},
			wantStatus: 400, wantField: "corrects"},
		{name: "entry: a correction of nothing", method: "POST", path: path + "/entries",
			body: `{"type":"correction"}`, headers: []string{key, "bad-13"}, wantStatus: 400, wantField: "corrects"},
		{name: "entry: a correction of an entry not here", method: "POST", path: path + "/entries",
			body: `{"type":"correction","corrects":"FA-x:sale-1"}`, headers: []string{key, "bad-14"},
			wantStatus: 400, wantField: "corrects"},
		{name: "entry: operator for a reference", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"reference": map[string]string{"$ne": ""}}), headers: []string{key, "bad-15"},
			wantStatus: 400, wantField: "reference"},
		{name: "entry: control character in the reference", method: "POST", path: path + "/entries",
			body: entryWith(map[string]any{"reference": "POS\r\n-9"}), headers: []string{key, "bad-16"},
			wantStatus: 400, wantField: "reference"},
		{name: "entry: over 1 MiB", method: "POST", path: path + "/entries", body: huge,
			headers: []string{key, "bad-17"}, wantStatus: 413},
		{name: "entry: trailing data", method: "POST", path: path + "/entries", body: entryWith(nil) + "{}",
			headers: []string{key, "bad-18"}, wantStatus: 400},
		{name: "entry: release more than held", method: "POST", path: path + "/entries",
			body: `{"type":"release","amount_fen":400001}`, headers: []string{key, "bad-19"},
			wantStatus: 409, wantDetail: "超过存管余额"},
		{name: "entry: a used key with another body", method: "POST", path: path + "/entries",
			body: entryWith(nil), headers: []string{key, "sale-1"}, wantStatus: 409, wantDetail: "Idempotency-Key"},
		{name: "entry: no such account", method: "POST", path: accountPath("FA-nothing") + "/entries",
			body: entryWith(nil), headers: []string{key, "bad-20"}, wantStatus: 404},
		{name: "entry: as a regulator", role: user.Regulator, method: "POST", path: path + "/entries",
			body: entryWith(nil), headers: []string{key, "bad-21"}, wantStatus: 403},

		// Covers.
		{name: "cover: no If-Match", method: "POST", path: path + "/covers", body: coverWith(nil), wantStatus: 428},
		{name: "cover: operator as If-Match", method: "POST", path: path + "/covers", body: coverWith(nil),
			headers: []string{"If-Match", `{"$gt":0}`}, wantStatus: 400},
		{name: "cover: stale If-Match", method: "POST", path: path + "/covers", body: coverWith(nil),
			headers: []string{"If-Match", `"2"`}, wantStatus: 412},
		{name: "cover: amount with a fraction", method: "POST", path: path + "/covers",
			body: coverWith(map[string]any{"covered_fen": 0.5}), headers: []string{"If-Match", etag},
			wantStatus: 400, wantField: "covered_fen", wantDetail: "金额应为整数分"},
		{name: "cover: unknown kind, ends reversed", method: "POST", path: path + "/covers",
			body:    coverWith(map[string]any{"kind": "promise", "valid_to": "2025-12-31"}),
			headers: []string{"If-Match", etag}, wantStatus: 400, wantField: "valid_to"},
		{name: "cover: over 1 MiB", method: "POST", path: path + "/covers", body: huge,
			headers: []string{"If-Match", etag}, wantStatus: 413},

		// Freeze and unfreeze.
		{name: "freeze: no If-Match", role: user.Regulator, method: "POST", path: path + "/freeze",
			body: `{"reason":"x"}`, wantStatus: 428},
		{name: "freeze: stale If-Match", role: user.Regulator, method: "POST", path: path + "/freeze",
			body: `{"reason":"x"}`, headers: []string{"If-Match", `W/"1"`}, wantStatus: 412},
		{name: "freeze: no reason", role: user.Regulator, method: "POST", path: path + "/freeze",
			body: `{"reason":"  "}`, headers: []string{"If-Match", etag}, wantStatus: 400, wantField: "reason"},
		{name: "freeze: unknown field", role: user.Regulator, method: "POST", path: path + "/freeze",
			body: `{"reason":"x","frozen":false}`, headers: []string{"If-Match", etag}, wantStatus: 400,
			wantField: "frozen"},
		{name: "freeze: over 1 MiB", role: user.Regulator, method: "POST", path: path + "/freeze",
			body: huge, headers: []string{"If-Match", etag}, wantStatus: 413},
		{name: "freeze: as a mediator", role: user.Mediator, method: "POST", path: path + "/freeze",
			body: `{"reason":"x"}`, headers: []string{"If-Match", etag}, wantStatus: 403},
		{name: "unfreeze: not frozen", role: user.Regulator, method: "POST", path: path + "/unfreeze",
			body: `{"reason":"x"}`, headers: []string{"If-Match", etag}, wantStatus: 409, wantDetail: "未冻结"},
		{name: "unfreeze: reason as a number", role: user.Regulator, method: "POST", path: path + "/unfreeze",
			body: `{"reason":1}`, headers: []string{"If-Match", etag}, wantStatus: 400, wantField: "reason"},

		// Query parameters.
		{name: "accounts: no uscc", method: "GET", path: "/api/v1/funds/accounts", wantStatus: 400, wantField: "uscc"},
		{name: "accounts: operator in query", method: "GET", path: "/api/v1/funds/accounts?uscc[$ne]=x",
			wantStatus: 400, wantField: "uscc[$ne]"},
		{name: "accounts: bad uscc", method: "GET", path: "/api/v1/funds/accounts?uscc=.*", wantStatus: 400,
			wantField: "uscc"},
		{name: "account: unknown parameter", method: "GET", path: path + "?full=1", wantStatus: 400, wantField: "full"},
		{name: "account: none such", method: "GET", path: accountPath("FA-nothing"), wantStatus: 404},
		{name: "ledger: limit too large", method: "GET", path: path + "/entries?limit=500", wantStatus: 400,
			wantField: "limit"},
		{name: "ledger: negative after", method: "GET", path: path + "/entries?after=-1", wantStatus: 400,
			wantField: "after"},
		{name: "ledger: forged cursor", method: "GET", path: path + "/entries?cursor=eyIkZ3QiOiIifQ",
			wantStatus: 400, wantField: "cursor"},
		{name: "ledger: after and cursor", method: "GET", path: path + "/entries?after=1&cursor=YToy",
			wantStatus: 400, wantField: "cursor"},
		{name: "ledger: as a mediator", role: user.Mediator, method: "GET", path: path + "/entries", wantStatus: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			role := tt.role
			if role == "" {
				role = user.FundOfficer
			}
			var body any
			if tt.body != "" {
				body = tt.body
			}
			r := env.do(role, tt.method, tt.path, body, tt.headers...)
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
		got, tag := env.account(t, user.FundOfficer, a.ID)
		assert.Equal(t, etag, tag)
		assert.Equal(t, before, got)
		ledger, _ := env.ledger(t, a.ID, 50)
		assert.Len(t, ledger, 2)
		r := env.do(user.FundOfficer, "GET", "/api/v1/funds/accounts?uscc="+a.USCC, nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, 1, strings.Count(string(r.Body), `"id":"FA-`))
	})

	t.Run("a hostile string is only a string", func(t *testing.T) {
		hostile := `<script>alert(1)</script> {"$where":"sleep(1000)"} '; db.dropDatabase(); --`
		e := env.posted(t, a.ID, `{"$gt":""}`, map[string]any{"type": "deposit", "amount_fen": 1, "reference": hostile})
		assert.Equal(t, hostile, e.Reference)
		assert.Equal(t, `{"$gt":""}`, e.IdempotencyKey)
		r := env.do(user.Regulator, "GET", accountPath(a.ID)+"/entries?after=2", nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.NotContains(t, string(r.Body), "<script>", "escaped in JSON")
		var page fundEntryPage
		r.JSON(t, &page)
		require.Len(t, page.Items, 1)
		assert.Equal(t, hostile, page.Items[0].Reference)
	})

	t.Run("the server keeps serving", func(t *testing.T) {
		env.posted(t, a.ID, "after-all", map[string]any{"type": "sale", "amount_fen": 1})
		assert.Equal(t, http.StatusOK, env.do(user.Public, "GET", "/healthz", nil).Status)
	})
}

// fundsJSON returns valid with changes applied, as JSON.
func fundsJSON(t *testing.T, valid, changes map[string]any) string {
	t.Helper()
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
