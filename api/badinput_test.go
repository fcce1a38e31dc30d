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

// TestBadInput sends malformed, hostile and oversized requests: each gets a clear 4xx
// problem, nothing is written, and the server goes on serving.
func TestBadInput(t *testing.T) {
	env := newTestEnv(t)
	valid, err := json.Marshal(sampleEnterprise(t, "MA01BADN0"))
	require.NoError(t, err)
	withField := func(extra string) string { return strings.TrimSuffix(string(valid), "}") + "," + extra + "}" }
	huge := `{"uscc":"` + validUSCC(t, "MA01BADN0") + `","name":"` + strings.Repeat("大", 1<<19) + `"}`

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		headers    []string
		wantStatus int
		wantField  string
		wantDetail string
	}{
		{name: "malformed JSON", method: "POST", path: "/api/v1/enterprises", body: `{"uscc": "9111`,
			wantStatus: 400, wantDetail: "JSON"},
		{name: "not JSON at all", method: "POST", path: "/api/v1/enterprises", body: `uscc=1&name=x`,
			wantStatus: 400, wantDetail: "JSON"},
		{name: "empty body", method: "POST", path: "/api/v1/enterprises", body: ``,
			wantStatus: 400},
		{name: "two JSON values", method: "POST", path: "/api/v1/enterprises", body: string(valid) + `{}`,
			wantStatus: 400, wantDetail: "多余内容"},
		{name: "unknown field", method: "POST", path: "/api/v1/enterprises", body: withField(`"owner":"x"`),
			wantStatus: 400, wantField: "owner"},
		{name: "wrong type", method: "POST", path: "/api/v1/enterprises", body: withField(`"contact_phone":12345678`),
			wantStatus: 400, wantField: "contact_phone"},
		{name: "wrong type nested", method: "POST", path: "/api/v1/enterprises",
			body:       withField(`"prepaid":{"outstanding_balance_fen":"100元"}`),
			wantStatus: 400, wantField: "prepaid.outstanding_balance_fen"},
		{name: "float money", method: "POST", path: "/api/v1/enterprises",
			body:       withField(`"prepaid":{"outstanding_balance_fen":12.5}`),
			wantStatus: 400, wantField: "prepaid.outstanding_balance_fen"},
		{name: "missing required fields", method: "POST", path: "/api/v1/enterprises", body: `{}`,
			wantStatus: 400, wantField: "name"},
		{name: "operator injection in body", method: "POST", path: "/api/v1/enterprises",
			body: withField(`"name":{"$gt":""}`), wantStatus: 400, wantField: "name"},
		{name: "body over 1 MiB", method: "POST", path: "/api/v1/enterprises", body: huge,
			wantStatus: 413},
		{name: "operator injection in query", method: "GET", path: "/api/v1/enterprises?name[$ne]=x",
			wantStatus: 400, wantField: "name[$ne]"},
		{name: "unknown query parameter", method: "GET", path: "/api/v1/enterprises?where=1",
			wantStatus: 400, wantField: "where"},
		{name: "repeated query parameter", method: "GET", path: "/api/v1/enterprises?industry=beauty&industry=fitness",
			wantStatus: 400, wantField: "industry"},
		{name: "bad limit", method: "GET", path: "/api/v1/enterprises?limit=100000", wantStatus: 400,
			wantField: "limit"},
		{name: "forged cursor", method: "GET", path: "/api/v1/enterprises?cursor=eyIkZ3QiOiIifQ", wantStatus: 400,
			wantField: "cursor"},
		{name: "bad USCC prefix", method: "GET", path: "/api/v1/enterprises?uscc=%5E.*", wantStatus: 400,
			wantField: "uscc"},
		{name: "wrong content type", method: "POST", path: "/api/v1/enterprises", body: string(valid),
			headers: []string{"Content-Type", "text/plain"}, wantStatus: 415},
		{name: "stale If-Match format", method: "PATCH", path: "/api/v1/enterprises/" + validUSCC(t, "MA01BADN0"),
			body: `{}`, headers: []string{"If-Match", "abc"}, wantStatus: 400},
		{name: "unknown route", method: "GET", path: "/api/v1/nothing-here", wantStatus: 404},
		{name: "unknown method on route", method: "DELETE", path: "/api/v1/enterprises", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" || tt.method != "GET" {
				body = tt.body
			}
			r := env.do(user.Regulator, tt.method, tt.path, body, tt.headers...)
			require.Equal(t, tt.wantStatus, r.Status, "body: %.300s", r.Body)
			p := r.Problem(t)
			assert.Equal(t, tt.wantStatus, p.Status)
			assert.NotEmpty(t, p.Detail)
			if tt.wantField != "" {
				assert.Contains(t, p.fieldNames(), tt.wantField)
			}
			if tt.wantDetail != "" {
				assert.Contains(t, p.Detail, tt.wantDetail)
			}
		})
	}

	assertNoEnterprises(t, env)
	t.Run("the server keeps serving", func(t *testing.T) {
		env.createEnterprise("MA01BADN0", nil)
		assert.Equal(t, http.StatusOK, env.do(user.Public, "GET", "/healthz", nil).Status)
	})
}

func TestBadInput_BadCredentials(t *testing.T) {
	env := newTestEnv(t)
	for name, header := range map[string]string{
		"garbage token":   "Bearer not-a-token",
		"basic auth":      "Basic YWRtaW46YWRtaW4=",
		"huge token":      "Bearer ppr_" + strings.Repeat("x", 3000),
		"injection token": `Bearer {"$ne": ""}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := env.do(user.Public, "GET", "/api/v1/enterprises", nil, "Authorization", header)
			assert.Equal(t, http.StatusUnauthorized, r.Status)
			r.Problem(t)
		})
	}

	t.Run("disabled user's token stops working", func(t *testing.T) {
		r := env.do(user.Admin, "POST", "/api/v1/users/mediator1/disable", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, http.StatusUnauthorized, env.do(user.Mediator, "GET", "/api/v1/me", nil).Status)
	})
}
