package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
)

// uploadStatement posts a bank statement for the account as the multipart field "file".
func (e *fundsAPIEnv) uploadStatement(t *testing.T, role user.Role, id, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", accountPath(id)+"/statements", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens[role])
	resp, err := e.app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// count counts the documents of a collection.
func (e *fundsAPIEnv) count(t *testing.T, collection string) int64 {
	t.Helper()
	n, err := e.store.DB.Collection(collection).CountDocuments(context.Background(), bson.D{})
	require.NoError(t, err)
	return n
}

// statementImportBody is a statement import as the API answers it.
type statementImportBody struct {
	ID       string `json:"id"`
	FileName string `json:"file_name"`
	Counts   struct {
		StatementLines     int `json:"statement_lines"`
		LedgerLines        int `json:"ledger_lines"`
		Matched            int `json:"matched"`
		UnmatchedStatement int `json:"unmatched_statement"`
		Discrepancies      int `json:"discrepancies"`
	} `json:"counts"`
	Replayed bool           `json:"replayed"`
	Alert    *fundAlertBody `json:"alert"`
}

func TestFunds_StatementUpload(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FU001")
	env.posted(t, a.ID, "d1", map[string]any{"type": "deposit", "amount_fen": 400_000, "reference": "DEP-2001",
		"occurred_at": "2026-10-09T09:00:00+08:00"})
	env.posted(t, a.ID, "s1", map[string]any{"type": "sale", "amount_fen": 300_000, "reference": "POS-2001",
		"occurred_at": "2026-10-10T09:00:00+08:00"})
	env.posted(t, a.ID, "d2", map[string]any{"type": "deposit", "amount_fen": 100_000, "reference": "DEP-2002",
		"occurred_at": "2026-10-15T09:00:00+08:00"})
	csv := []byte("Date,Reference,Description,Amount,Balance\n" +
		"2026-10-09,DEP-2001,Deposit,\"4,000.00\",\"4,000.00\"\n" +
		"2026/10/15,DEP-2002,Deposit,\"1,000.00\",\"5,000.00\"\n")

	r := env.uploadStatement(t, user.FundOfficer, a.ID, "october.csv", csv)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var imp statementImportBody
	r.JSON(t, &imp)
	assert.Equal(t, "october.csv", imp.FileName)
	assert.Equal(t, 2, imp.Counts.StatementLines)
	assert.Equal(t, 2, imp.Counts.LedgerLines, "the sale moves no money through the bank")
	assert.Equal(t, 2, imp.Counts.Matched)
	assert.Zero(t, imp.Counts.Discrepancies)
	assert.False(t, imp.Replayed)
	assert.Nil(t, imp.Alert, "a statement that agrees raises nothing")

	t.Run("the same file again is the first import", func(t *testing.T) {
		records := env.count(t, audit.RecordsCollection)
		r := env.uploadStatement(t, user.FundOfficer, a.ID, "renamed.csv", csv)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
		var again statementImportBody
		r.JSON(t, &again)
		assert.True(t, again.Replayed)
		assert.Equal(t, imp.ID, again.ID)
		assert.Equal(t, "october.csv", again.FileName)
		assert.EqualValues(t, 1, env.count(t, funds.StatementsCollection))
		assert.Equal(t, records, env.count(t, audit.RecordsCollection), "nothing written")
	})

	t.Run("a refused file writes nothing", func(t *testing.T) {
		before := []int64{env.count(t, funds.StatementsCollection), env.count(t, funds.AlertsCollection),
			env.count(t, audit.RecordsCollection)}
		for name, body := range map[string][]byte{
			"binary.csv":   []byte("\x00\x01\x02PK\x03\x04\xff\xfe"),
			"no-lines.csv": []byte("交易日期,金额\n"),
		} {
			r := env.uploadStatement(t, user.FundOfficer, a.ID, name, body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", name, r.Body)
			assert.NotEmpty(t, r.Problem(t).Detail)
		}
		r := env.uploadStatement(t, user.FundOfficer, "FA-none", "x.csv", csv)
		assert.Equal(t, http.StatusNotFound, r.Status, "body: %s", r.Body)
		r = env.uploadStatement(t, user.Regulator, a.ID, "x.csv", csv)
		assert.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)
		after := []int64{env.count(t, funds.StatementsCollection), env.count(t, funds.AlertsCollection),
			env.count(t, audit.RecordsCollection)}
		assert.Equal(t, before, after)
	})

	t.Run("a statement that disagrees raises its alert", func(t *testing.T) {
		extra := append(bytes.Clone(csv), []byte("2026-10-20,INT-2026Q4,Interest,12.34,\"5,012.34\"\n")...)
		r := env.uploadStatement(t, user.FundOfficer, a.ID, "october-2.csv", extra)
		require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
		var imp statementImportBody
		r.JSON(t, &imp)
		assert.Equal(t, 1, imp.Counts.UnmatchedStatement)
		assert.Equal(t, 1, imp.Counts.Discrepancies)
		require.NotNil(t, imp.Alert)
		assert.Equal(t, "statement_mismatch", imp.Alert.Kind)

		r = env.do(user.Supervisor, "GET", "/api/v1/funds/alerts?kind=statement_mismatch&uscc="+a.USCC, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var page struct{ Items []fundAlertBody }
		r.JSON(t, &page)
		require.Len(t, page.Items, 1)
		assert.Equal(t, imp.Alert.ID, page.Items[0].ID)
		assert.EqualValues(t, 1_234, page.Items[0].Figures["max_difference_fen"])
	})
}

func TestFunds_AlertAcknowledgeAndClose(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FU002")
	env.posted(t, a.ID, "s1", map[string]any{"type": "sale", "amount_fen": 100_000})
	r := env.do(user.Regulator, "GET", "/api/v1/funds/alerts?state=new&kind=coverage_below&uscc="+a.USCC, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var page struct{ Items []fundAlertBody }
	r.JSON(t, &page)
	require.Len(t, page.Items, 1, "a sale with nothing held raises coverage_below")
	path := "/api/v1/funds/alerts/" + page.Items[0].ID
	read := func() fundAlertBody {
		r := env.do(user.FundOfficer, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var al fundAlertBody
		r.JSON(t, &al)
		return al
	}
	before := read()
	require.EqualValues(t, 1, before.Version)

	r = env.do(user.FundOfficer, "POST", path+"/acknowledge", nil, "If-Match", `"2"`)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status, "stale: %s", r.Body)
	r = env.do(user.FundOfficer, "POST", path+"/acknowledge", nil)
	assert.Equal(t, http.StatusPreconditionRequired, r.Status, "no If-Match: %s", r.Body)
	assert.Equal(t, before, read(), "nothing written")

	r = env.do(user.FundOfficer, "POST", path+"/acknowledge", nil, "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"2"`, r.Header.Get("ETag"))
	var al fundAlertBody
	r.JSON(t, &al)
	assert.Equal(t, "acknowledged", al.State)

	r = env.do(user.Regulator, "POST", path+"/close", map[string]any{"note": "已约谈企业补足存管资金"},
		"If-Match", `"1"`)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status, "stale: %s", r.Body)
	r = env.do(user.Regulator, "POST", path+"/close", map[string]any{"note": "  "}, "If-Match", `"2"`)
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Equal(t, []string{"note"}, r.Problem(t).fieldNames())
	assert.Equal(t, al, read(), "nothing written")

	r = env.do(user.Regulator, "POST", path+"/close", map[string]any{"note": "已约谈企业补足存管资金"},
		"If-Match", `"2"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.JSON(t, &al)
	assert.Equal(t, "closed", al.State)
	assert.Equal(t, "regulator1", al.ClosedBy)
	r = env.do(user.Regulator, "POST", path+"/close", map[string]any{"note": "再次关闭"}, "If-Match", `"3"`)
	assert.Equal(t, http.StatusConflict, r.Status, "closed already: %s", r.Body)

	r = env.do(user.Regulator, "GET", "/api/v1/funds/alerts?state=open&kind=coverage_below&uscc="+a.USCC, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.JSONEq(t, `{"items":[],"next_cursor":""}`, string(r.Body))
}

// TestFunds_PlanFourEyes has a supervisor propose a plan: they may neither approve nor reject
// it; a second supervisor rejects it, and a rejected plan has no document.
func TestFunds_PlanFourEyes(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FU003")
	env.posted(t, a.ID, "d1", map[string]any{"type": "deposit", "amount_fen": 50_000})
	_, etag := env.account(t, user.FundOfficer, a.ID)
	env.change(t, user.FundOfficer, a.ID, "freeze", etag, map[string]any{"reason": "企业闭店"})
	second, err := env.users.Add(context.Background(), audit.System, "supervisor2", user.Supervisor, testPassword)
	require.NoError(t, err)

	r := env.do(user.Supervisor, "POST", accountPath(a.ID)+"/plans", map[string]any{"claims": storyClaims[:2]})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var plan fundPlanBody
	r.JSON(t, &plan)
	assert.Equal(t, "supervisor1", plan.ProposedBy)
	assert.Equal(t, "张**", plan.Claims[0].ConsumerName, "a supervisor reads consumers masked")
	path := "/api/v1/funds/plans/" + plan.ID

	r = env.do(user.Supervisor, "POST", path+"/approve", nil, "If-Match", `"1"`)
	require.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)
	assert.Contains(t, r.Problem(t).Detail, "审批人不能是拟定人")
	r = env.do(user.Supervisor, "POST", path+"/reject", map[string]any{"reason": "自驳"}, "If-Match", `"1"`)
	require.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)

	env.tokens[user.Supervisor] = second.Token
	r = env.do(user.Supervisor, "POST", path+"/reject", map[string]any{"reason": "申请未经核实"}, "If-Match", `"2"`)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status, "stale: %s", r.Body)
	r = env.do(user.Supervisor, "POST", path+"/reject", map[string]any{"reason": "申请未经核实"}, "If-Match", `"1"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.JSON(t, &plan)
	assert.Equal(t, "rejected", plan.State)

	r = env.do(user.FundOfficer, "GET", accountPath(a.ID)+"/plans", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var list struct{ Items []fundPlanBody }
	r.JSON(t, &list)
	require.Len(t, list.Items, 1)
	assert.Equal(t, "rejected", list.Items[0].State)
	assert.Empty(t, list.Items[0].Claims, "the list carries no claims")

	r = env.do(user.Regulator, "GET", path+"/plan.pdf", nil)
	assert.Equal(t, http.StatusConflict, r.Status, "a rejected plan has no document: %s", r.Body)
}

// TestFunds_MoreBadInput sends malformed and oversized requests to the statement, alert and
// plan routes: each gets a 4xx problem naming the field, and nothing is written.
func TestFunds_MoreBadInput(t *testing.T) {
	env := newFundsAPIEnv(t)
	a := env.openAccount(t, "MA01FU004")
	env.posted(t, a.ID, "s1", map[string]any{"type": "sale", "amount_fen": 1_000_000})
	env.posted(t, a.ID, "d1", map[string]any{"type": "deposit", "amount_fen": 200_000})
	_, etag := env.account(t, user.FundOfficer, a.ID)
	env.change(t, user.FundOfficer, a.ID, "freeze", etag, map[string]any{"reason": "企业闭店"})
	r := env.do(user.FundOfficer, "POST", accountPath(a.ID)+"/plans", map[string]any{"claims": storyClaims[:2]})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var plan fundPlanBody
	r.JSON(t, &plan)
	r = env.do(user.FundOfficer, "GET", "/api/v1/funds/alerts?uscc="+a.USCC, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var alerts struct{ Items []fundAlertBody }
	r.JSON(t, &alerts)
	require.NotEmpty(t, alerts.Items)
	alertPath := "/api/v1/funds/alerts/" + alerts.Items[0].ID
	alertTag := fmt.Sprintf(`"%d"`, alerts.Items[0].Version)
	planPath := "/api/v1/funds/plans/" + plan.ID
	plansPath := accountPath(a.ID) + "/plans"

	claim := func(changes map[string]any) map[string]any {
		c := map[string]any{"id": "X-1", "consumer_name": "钱七", "consumer_phone": "13500005555",
			"claim_fen": 10_000, "verified_fen": 10_000, "source": "import"}
		for k, v := range changes {
			c[k] = v
		}
		return c
	}
	claims := func(changes map[string]any) string {
		return fundsJSON(t, map[string]any{"claims": []any{claim(changes)}}, nil)
	}
	huge := `{"note":"` + strings.Repeat("大", 1<<19) + `"}`
	records := env.count(t, audit.RecordsCollection)

	tests := []struct {
		name       string
		role       user.Role
		method     string
		path       string
		body       string
		headers    []string
		wantStatus int
		wantField  string
	}{
		{name: "plan: unknown field", method: "POST", path: plansPath,
			body: `{"claims":[],"held_fen":1}`, wantStatus: 400, wantField: "held_fen"},
		{name: "plan: unknown claim field", method: "POST", path: plansPath,
			body: claims(map[string]any{"share_fen": 1}), wantStatus: 400, wantField: "share_fen"},
		{name: "plan: claims not a list", method: "POST", path: plansPath,
			body: `{"claims":"all"}`, wantStatus: 400, wantField: "claims"},
		{name: "plan: a fraction of a fen", method: "POST", path: plansPath,
			body: claims(map[string]any{"claim_fen": 12.5}), wantStatus: 400, wantField: "claims.claim_fen"},
		{name: "plan: verified as text", method: "POST", path: plansPath,
			body: claims(map[string]any{"verified_fen": "10000"}), wantStatus: 400, wantField: "claims.verified_fen"},
		{name: "plan: over 1 MiB", method: "POST", path: plansPath, body: huge, wantStatus: 413},
		{name: "plan: not JSON", method: "POST", path: plansPath, body: "claims=1", wantStatus: 400},
		{name: "plan: one open already", method: "POST", path: plansPath, body: claims(nil), wantStatus: 409},

		{name: "approve: unknown field", role: user.Supervisor, method: "POST", path: planPath + "/approve",
			body: `{"ok":true}`, headers: []string{"If-Match", `"1"`}, wantStatus: 400, wantField: "ok"},
		{name: "approve: note not text", role: user.Supervisor, method: "POST", path: planPath + "/approve",
			body: `{"note":5}`, headers: []string{"If-Match", `"1"`}, wantStatus: 400, wantField: "note"},
		{name: "approve: over 1 MiB", role: user.Supervisor, method: "POST", path: planPath + "/approve",
			body: huge, headers: []string{"If-Match", `"1"`}, wantStatus: 413},
		{name: "reject: no reason", role: user.Supervisor, method: "POST", path: planPath + "/reject",
			body: `{}`, headers: []string{"If-Match", `"1"`}, wantStatus: 400, wantField: "reason"},
		{name: "reject: reason not text", role: user.Supervisor, method: "POST", path: planPath + "/reject",
			body: `{"reason":["x"]}`, headers: []string{"If-Match", `"1"`}, wantStatus: 400, wantField: "reason"},
		{name: "pay: unknown field", method: "POST", path: planPath + "/pay",
			body: `{"amount_fen":1}`, headers: []string{"If-Match", `"1"`}, wantStatus: 400, wantField: "amount_fen"},
		{name: "pay: not approved", method: "POST", path: planPath + "/pay",
			headers: []string{"If-Match", `"1"`}, wantStatus: 409},
		{name: "pay: no If-Match", method: "POST", path: planPath + "/pay", wantStatus: 428},

		{name: "acknowledge: unknown field", method: "POST", path: alertPath + "/acknowledge",
			body: `{"state":"closed"}`, headers: []string{"If-Match", alertTag}, wantStatus: 400, wantField: "state"},
		{name: "close: note not text", method: "POST", path: alertPath + "/close",
			body: `{"note":{"$ne":""}}`, headers: []string{"If-Match", alertTag}, wantStatus: 400, wantField: "note"},
		{name: "close: over 1 MiB", method: "POST", path: alertPath + "/close",
			body: huge, headers: []string{"If-Match", alertTag}, wantStatus: 413},
		{name: "close: If-Match not a version", method: "POST", path: alertPath + "/close",
			body: `{"note":"x"}`, headers: []string{"If-Match", "latest"}, wantStatus: 400},

		{name: "alerts: unknown state", method: "GET", path: "/api/v1/funds/alerts?state=done",
			wantStatus: 400, wantField: "state"},
		{name: "alerts: unknown kind", method: "GET", path: "/api/v1/funds/alerts?kind=fraud",
			wantStatus: 400, wantField: "kind"},
		{name: "alerts: bad USCC", method: "GET", path: "/api/v1/funds/alerts?uscc=123",
			wantStatus: 400, wantField: "uscc"},
		{name: "alerts: limit 0", method: "GET", path: "/api/v1/funds/alerts?limit=0",
			wantStatus: 400, wantField: "limit"},
		{name: "alerts: bad cursor", method: "GET", path: "/api/v1/funds/alerts?cursor=%%%",
			wantStatus: 400, wantField: "cursor"},
		{name: "alerts: operator key", method: "GET", path: "/api/v1/funds/alerts?state[$ne]=x",
			wantStatus: 400, wantField: "state[$ne]"},

		{name: "statement: no dates", method: "GET", path: accountPath(a.ID) + "/statement.pdf",
			wantStatus: 400, wantField: "from"},
		{name: "statement: not a date", method: "GET", path: accountPath(a.ID) + "/statement.pdf?from=2026-10-01&to=31/10/2026",
			wantStatus: 400, wantField: "to"},
		{name: "statement: backwards", method: "GET", path: accountPath(a.ID) + "/statement.pdf?from=2026-10-31&to=2026-10-01",
			wantStatus: 400, wantField: "to"},
		{name: "statement: over a year", method: "GET", path: accountPath(a.ID) + "/statement.pdf?from=2025-01-01&to=2026-10-01",
			wantStatus: 400, wantField: "to"},
		{name: "statement upload: JSON instead of a file", method: "POST", path: accountPath(a.ID) + "/statements",
			body: `{"file":"x"}`, wantStatus: 400, wantField: "file"},
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
			assert.NotEmpty(t, p.Detail)
			if tt.wantField != "" {
				assert.Contains(t, p.fieldNames(), tt.wantField, "problem: %+v", p)
			}
		})
	}

	t.Run("nothing written", func(t *testing.T) {
		assert.Equal(t, records, env.count(t, audit.RecordsCollection))
		assert.EqualValues(t, 1, env.count(t, funds.PlansCollection))
		assert.Zero(t, env.count(t, funds.StatementsCollection))
		r := env.do(user.FundOfficer, "GET", planPath, nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, `"1"`, r.Header.Get("ETag"))
		r = env.do(user.FundOfficer, "GET", alertPath, nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, alertTag, r.Header.Get("ETag"))
		ledger, _ := env.ledger(t, a.ID, 50)
		assert.Len(t, ledger, 2)
	})
}
