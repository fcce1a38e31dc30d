package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"prepaidreg/api"
	"prepaidreg/enforcement"
	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
	"prepaidreg/mediation"
	"prepaidreg/registry"
)

// testEnv is a running app on a database of its own, with one account per role.
type testEnv struct {
	t        testing.TB
	app      *fiber.App
	store    *store.Store
	audit    *audit.Log
	users    *user.Service
	registry *registry.Service
	calendar *workday.Keeper
	// enforcement is the interviews and operations service; tests set its clock.
	enforcement *enforcement.Service
	// mediation is the dispute cases service; tests set its clock.
	mediation *mediation.Service
	// funds is the fund-supervision service.
	funds *funds.Service
	// tokens holds each role's API token; passwords are all testPassword.
	tokens map[user.Role]string
	// sessions holds console sessions signed in so far, by role.
	sessions map[user.Role]session
}

const testPassword = "correct-horse-battery"

func newTestEnv(t *testing.T) *testEnv {
	return newTestEnvWithMonitor(t, nil)
}

// newBenchEnv is newTestEnv for benchmarks.
func newBenchEnv(b *testing.B) *testEnv {
	return newTestEnvWithMonitor(b, nil)
}

func newTestEnvWithMonitor(t testing.TB, mon *store.Monitor) *testEnv {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, mon)
	log := audit.NewLog(st.DB)
	users := user.NewService(user.NewMongoStore(st.DB), log)
	users.SetBcryptCost(bcrypt.MinCost)
	reg := registry.NewService(registry.NewMongoStore(st.DB), log, registry.BeijingAreas())
	require.NoError(t, registry.NewMongoStore(st.DB).EnsureIndexes(ctx))
	require.NoError(t, user.NewMongoStore(st.DB).EnsureIndexes(ctx))

	env := &testEnv{t: t, store: st, audit: log, users: users, registry: reg, tokens: map[user.Role]string{}}
	for _, r := range user.Roles {
		added, err := users.Add(ctx, audit.System, string(r)+"1", r, testPassword)
		require.NoError(t, err)
		env.tokens[r] = added.Token
	}
	env.calendar = workday.NewKeeper(workday.Default(), st.DB, log)
	env.enforcement = enforcement.NewService(enforcement.NewMongoStore(st.DB), log, reg, env.calendar.Calendar())
	env.mediation = mediation.NewService(mediation.NewMongoStore(st.DB), log, reg, env.calendar.Calendar())
	require.NoError(t, mediation.NewMongoStore(st.DB).EnsureIndexes(ctx))
	env.funds = funds.NewService(funds.NewMongoStore(st.DB), log, reg, nil)
	require.NoError(t, funds.NewMongoStore(st.DB).EnsureIndexes(ctx))
	reg.SetSignals(env.enforcement, env.mediation, env.funds)
	reg.SetRecords(env.enforcement, env.mediation, env.funds)
	reg.SetListedHook(env.funds.FreezeOnBlackList)
	env.funds.SetAlertHook(func(ctx context.Context, a funds.Alert) error {
		_, err := reg.Rescore(ctx, []registry.USCC{a.USCC})
		return err
	})
	require.NoError(t, enforcement.NewMongoStore(st.DB).EnsureIndexes(ctx))
	env.app = api.New(api.Deps{Store: st, Registry: reg, Users: users, Audit: log, Calendar: env.calendar,
		Enforcement: env.enforcement, Mediation: env.mediation, Funds: env.funds})
	return env
}

// response is a finished request.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r response) JSON(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Problem decodes a problem+json body.
func (r response) Problem(t *testing.T) problemBody {
	t.Helper()
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "body: %s", r.Body)
	var p problemBody
	r.JSON(t, &p)
	return p
}

type problemBody struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// fieldNames lists the fields a problem names.
func (p problemBody) fieldNames() []string {
	var names []string
	for _, e := range p.Errors {
		names = append(names, e.Field)
	}
	return names
}

// do sends a request as role (user.Public sends no credentials). A string or []byte body is
// sent as is; anything else is marshalled to JSON.
func (e *testEnv) do(role user.Role, method, path string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := e.tokens[role]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.app.Test(req, -1)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// validUSCC returns a valid code built from a 9-character organisation code.
func validUSCC(t *testing.T, org string) string {
	return validUSCCFor(t, org)
}

// validUSCCFor is validUSCC for tests and benchmarks alike.
func validUSCCFor(t testing.TB, org string) string {
	t.Helper()
	first := "92110105" + org
	c, err := registry.CheckChar(first)
	require.NoError(t, err)
	return first + string(c)
}

// sampleEnterprise is a valid registration in Chaoyang.
func sampleEnterprise(t testing.TB, org string) map[string]any {
	return map[string]any{
		"uscc":                 validUSCCFor(t, org),
		"name":                 "北京朝阳悦动健身有限公司",
		"aliases":              []string{"悦动健身"},
		"legal_representative": "王建国",
		"registered_address":   "北京市朝阳区望京街道阜通东大街6号",
		"district":             "110105",
		"street":               "望京街道",
		"industry":             "fitness",
		"contact_phone":        "010-84761234",
		"stores":               []map[string]string{{"name": "望京店", "address": "朝阳区阜通东大街6号B1"}},
		"prepaid": map[string]any{
			"card_types":              []string{"named", "sessions"},
			"outstanding_balance_fen": 12345600,
		},
	}
}

// actorSystem is the audit actor of changes the tests make behind the API.
var actorSystem = audit.System

// createEnterprise registers a sample enterprise and returns its USCC.
func (e *testEnv) createEnterprise(org string, changes map[string]any) string {
	e.t.Helper()
	body := sampleEnterprise(e.t, org)
	for k, v := range changes {
		body[k] = v
	}
	r := e.do(user.Regulator, "POST", "/api/v1/enterprises", body)
	require.Equal(e.t, http.StatusCreated, r.Status, "body: %s", r.Body)
	return body["uscc"].(string)
}
