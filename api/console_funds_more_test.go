package api_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/funds"
	"prepaidreg/internal/user"
	"prepaidreg/internal/workday"
)

// uploadStatement posts a statement file through the account's import form, as a browser
// does: multipart, with the CSRF field.
func (w *fundWorld) uploadStatement(t *testing.T, s session, id, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("csrf", s.csrf))
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", "/console/funds/accounts/"+id+"/statements", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "prepaidreg_session", Value: s.cookie})
	resp, err := w.env.app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// mismatchedAccount opens an account with a sale and three deposits, and imports a statement
// of today that matches one deposit, pays another with a different amount, misses the third,
// has a line of its own, a row that cannot be read and a closing balance below the ledger's.
func mismatchedAccount(t *testing.T, w *fundWorld) (*funds.Account, response) {
	t.Helper()
	a := w.openAccount(t)
	w.mustPost(t, a.ID, "sale", "10000", "S-1")
	w.mustPost(t, a.ID, "deposit", "1000", "D-1")
	w.mustPost(t, a.ID, "deposit", "500", "D-2")
	w.mustPost(t, a.ID, "deposit", "300", "D-3")
	today := w.env.funds.Now().In(workday.Zone).Format("2006-01-02")
	csv := "交易日期,流水号,金额,余额\n" +
		today + ",D-1,1000.00,\n" +
		today + ",D-2,499.00,\n" +
		today + ",abc,xyz,\n" +
		today + ",X-9,77.00,\"1,576.00\"\n"
	return a, w.uploadStatement(t, w.officer, a.ID, "march.csv", []byte(csv))
}

func TestConsoleFunds_StatementImport(t *testing.T) {
	w := newFundWorld(t)
	a, r := mismatchedAccount(t, w)
	path := "/console/funds/accounts/" + a.ID + "/statements"

	t.Run("the account page links to the import form, which takes a CSV", func(t *testing.T) {
		page := w.env.page(t, w.officer, "GET", "/console/funds/accounts/"+a.ID, nil)
		assert.Contains(t, string(page.Body), `href="`+path+`"`)
		form := w.env.page(t, w.officer, "GET", path, nil)
		require.Equal(t, http.StatusOK, form.Status, "%s", form.Body)
		assert.Contains(t, string(form.Body), `enctype="multipart/form-data"`)
		assert.Contains(t, string(form.Body), `name="csrf"`)
	})

	t.Run("the result shows counts, pairs, both sides unmatched and the balances in yuan", func(t *testing.T) {
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		body := html.UnescapeString(string(r.Body))
		assert.Contains(t, body, `id="disagrees"`)
		assert.Contains(t, pagePart(t, body, `id="count-matched"`, "</dd>"), "1")
		assert.Contains(t, pagePart(t, body, `id="count-mismatches"`, "</dd>"), "1")
		assert.Contains(t, pagePart(t, body, `id="count-bank-only"`, "</dd>"), "1")
		assert.Contains(t, pagePart(t, body, `id="count-ledger-only"`, "</dd>"), "1")
		assert.Contains(t, pagePart(t, body, `id="count-discrepancies"`, "</dd>"), "1")
		assert.Contains(t, pagePart(t, body, `id="count-row-errors"`, "</dd>"), "1")
		assert.Contains(t, pagePart(t, body, `id="matched"`, "</section>"), "D-1")
		mismatch := pagePart(t, body, `id="amount-mismatches"`, "</section>")
		assert.Contains(t, mismatch, "+499.00")
		assert.Contains(t, mismatch, "+500.00")
		assert.Contains(t, pagePart(t, body, `id="bank-only"`, "</section>"), "X-9")
		assert.Contains(t, pagePart(t, body, `id="ledger-only"`, "</section>"), "D-3")
		disc := pagePart(t, body, `id="balance-discrepancies"`, "</section>")
		assert.Contains(t, disc, "1,576.00")
		assert.Contains(t, disc, "1,800.00")
		assert.Contains(t, pagePart(t, body, `id="row-errors"`, "</section>"), "第4行")
	})

	t.Run("the same file again is the first import's result", func(t *testing.T) {
		today := w.env.funds.Now().In(workday.Zone).Format("2006-01-02")
		again := w.uploadStatement(t, w.officer, a.ID, "march.csv", []byte("交易日期,流水号,金额,余额\n"+
			today+",D-1,1000.00,\n"+today+",D-2,499.00,\n"+today+",abc,xyz,\n"+today+",X-9,77.00,\"1,576.00\"\n"))
		require.Equal(t, http.StatusOK, again.Status)
		assert.Contains(t, string(again.Body), `id="replayed"`)
	})

	t.Run("a file that is no statement is refused beside the input", func(t *testing.T) {
		bad := w.uploadStatement(t, w.officer, a.ID, "x.csv", []byte("hello,world\n1,2\n"))
		require.Equal(t, http.StatusBadRequest, bad.Status, "%s", bad.Body)
		assert.Contains(t, fieldBlock(t, bad.Body, "file"), "表头")
	})

	t.Run("readers see the page without the form and may not upload", func(t *testing.T) {
		reg := w.env.signIn(t, user.Regulator)
		page := w.env.page(t, reg, "GET", path, nil)
		require.Equal(t, http.StatusOK, page.Status)
		assert.NotContains(t, string(page.Body), `id="statement-upload"`)
		r := w.uploadStatement(t, reg, a.ID, "x.csv", []byte("交易日期,金额\n2026-01-01,1\n"))
		assert.Equal(t, http.StatusForbidden, r.Status)
	})
}

var alertVersion = regexp.MustCompile(`id="ack-([^"]+)"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]+"><input type="hidden" name="version" value="(\d+)">`)

func TestConsoleFunds_AlertsQueue(t *testing.T) {
	w := newFundWorld(t)
	a, r := mismatchedAccount(t, w)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	reg := w.env.signIn(t, user.Regulator)
	id := a.ID + "-" + string(funds.AlertStatementMismatch) + "-1"
	row := func(t *testing.T, body string) string {
		t.Helper()
		return html.UnescapeString(pagePart(t, body, `id="alert-`+id+`"`, "</tr>"))
	}

	t.Run("the queue shows the kind in Chinese, the detail and the links", func(t *testing.T) {
		q := w.env.page(t, reg, "GET", "/console/funds/alerts", nil)
		require.Equal(t, http.StatusOK, q.Status, "%s", q.Body)
		got := row(t, string(q.Body))
		assert.Contains(t, got, "对账单与账簿不符")
		assert.Contains(t, got, "march.csv")
		assert.Contains(t, got, "待处理")
		assert.Contains(t, got, `href="/console/funds/accounts/`+a.ID+`"`)
		assert.Contains(t, got, `href="/console/enterprises/`+w.uscc+`"`)
		assert.Contains(t, got, "北京朝阳悦动健身有限公司")
	})

	t.Run("acknowledged once; the same version again is refused", func(t *testing.T) {
		form := url.Values{"csrf": {reg.csrf}, "version": {"1"}, "state": {"open"}}
		r := w.env.page(t, reg, "POST", "/console/funds/alerts/"+id+"/acknowledge", form)
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		assert.Equal(t, "/console/funds/alerts?state=open&done=acknowledge", r.Header.Get("Location"))
		q := w.env.page(t, reg, "GET", r.Header.Get("Location"), nil)
		assert.Contains(t, string(q.Body), "预警已确认")
		assert.Contains(t, row(t, string(q.Body)), "已确认")

		r = w.env.page(t, reg, "POST", "/console/funds/alerts/"+id+"/acknowledge", form)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "%s", r.Body)
		assert.Contains(t, string(r.Body), `id="form-error"`)
	})

	t.Run("closing needs a note and the current version", func(t *testing.T) {
		r := w.env.page(t, reg, "POST", "/console/funds/alerts/"+id+"/close",
			url.Values{"csrf": {reg.csrf}, "version": {"2"}, "note": {" "}})
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "关闭说明")

		r = w.env.page(t, reg, "POST", "/console/funds/alerts/"+id+"/close",
			url.Values{"csrf": {reg.csrf}, "version": {"1"}, "note": {"已核实银行流水"}})
		require.Equal(t, http.StatusPreconditionFailed, r.Status, "%s", r.Body)
		assert.Contains(t, string(r.Body), "已核实银行流水", "the note typed is kept")

		r = w.env.page(t, reg, "POST", "/console/funds/alerts/"+id+"/close",
			url.Values{"csrf": {reg.csrf}, "version": {"2"}, "note": {"已核实银行流水"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		q := w.env.page(t, reg, "GET", "/console/funds/alerts?state=closed", nil)
		require.Equal(t, http.StatusOK, q.Status)
		got := row(t, string(q.Body))
		assert.Contains(t, got, "已关闭")
		assert.Contains(t, got, "已核实银行流水")
		open := w.env.page(t, reg, "GET", "/console/funds/alerts?state=open", nil)
		assert.NotContains(t, string(open.Body), `id="alert-`+id+`"`)
	})

	t.Run("a form without its CSRF token and an unknown state are refused", func(t *testing.T) {
		r := w.env.page(t, reg, "POST", "/console/funds/alerts/"+id+"/acknowledge", url.Values{"version": {"3"}})
		assert.Equal(t, http.StatusForbidden, r.Status)
		r = w.env.page(t, reg, "GET", "/console/funds/alerts?state=maybe", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})
}

var planLocation = regexp.MustCompile(`^/console/funds/plans/(RP-[0-9a-f-]+)\?done=propose$`)

func TestConsoleFunds_RefundPlan(t *testing.T) {
	w := newFundWorld(t)
	a := w.openAccount(t)
	w.mustPost(t, a.ID, "sale", "10000", "S-1")
	w.mustPost(t, a.ID, "deposit", "1000", "D-1")
	builder := "/console/funds/accounts/" + a.ID + "/plans/new"
	propose := func(t *testing.T, claims string) response {
		t.Helper()
		return w.env.page(t, w.officer, "POST", "/console/funds/accounts/"+a.ID+"/plans",
			url.Values{"csrf": {w.officer.csrf}, "claims": {claims}})
	}

	t.Run("an account not frozen offers no plan form", func(t *testing.T) {
		r := w.env.page(t, w.officer, "GET", builder, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Contains(t, string(r.Body), `id="not-frozen"`)
	})

	fresh := w.account(t, a.ID)
	_, err := w.env.funds.Freeze(context.Background(), fundActor, a.ID, fresh.Version, "企业停业")
	require.NoError(t, err)

	t.Run("a bad line is refused with its number and the typing kept", func(t *testing.T) {
		r := propose(t, "C-1, 张三, 13800001234, 600, 600, 投诉\n\nC-2, 李四, 13900005678, abc, 400")
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "claims"), "第3行申请金额")
		assert.Contains(t, string(r.Body), "13900005678", "what was typed is kept")

		r = propose(t, "C-1, 张三, 13800001234, 600, 600\nC-2, 李四, 13900005678, 500, 400, 调解")
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "claims"), "第2行")
	})

	var planID string
	t.Run("proposed by the fund officer, pro rata on the held money", func(t *testing.T) {
		r := propose(t, "C-1, 张三, 13800001234, 600, 600, 投诉\nC-2\t李四\t13900005678\t800\t800\t调解")
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		m := planLocation.FindStringSubmatch(r.Header.Get("Location"))
		require.NotNil(t, m, r.Header.Get("Location"))
		planID = m[1]

		page := w.env.page(t, w.officer, "GET", r.Header.Get("Location"), nil)
		require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
		body := html.UnescapeString(string(page.Body))
		assert.Contains(t, pagePart(t, body, `id="plan-available"`, "</dd>"), "1,000.00 元")
		assert.Contains(t, pagePart(t, body, `id="plan-state"`, "</span>"), "待审批")
		c1 := pagePart(t, body, `id="claim-C-1"`, "</tr>")
		assert.Contains(t, c1, "张三", "the fund officer sees the name in full")
		assert.Contains(t, c1, "428.57")
		assert.Contains(t, pagePart(t, body, `id="claim-C-2"`, "</tr>"), "571.43")
		assert.Contains(t, pagePart(t, body, `id="plan-rule"`, "</p>"), "按各项申请核实金额占核实总额的比例分配")
		assert.Contains(t, body, `href="/api/v1/funds/plans/`+planID+`/plan.pdf"`)
		assert.Contains(t, body, `id="decide-note"`)
		assert.NotContains(t, body, `id="act-approve"`)

		list := w.env.page(t, w.officer, "GET", builder, nil)
		assert.Contains(t, string(list.Body), `id="plan-`+planID+`"`)
	})

	sup := w.env.signIn(t, user.Supervisor)
	planPath := "/console/funds/plans/" + planID
	t.Run("a supervisor sees the claims masked and approves", func(t *testing.T) {
		page := w.env.page(t, sup, "GET", planPath, nil)
		require.Equal(t, http.StatusOK, page.Status)
		c1 := html.UnescapeString(pagePart(t, string(page.Body), `id="claim-C-1"`, "</tr>"))
		assert.NotContains(t, c1, "张三")
		assert.NotContains(t, c1, "13800001234")
		assert.Contains(t, string(page.Body), `id="act-approve"`)

		r := w.env.page(t, w.officer, "POST", planPath+"/approve",
			url.Values{"csrf": {w.officer.csrf}, "version": {"1"}})
		assert.Equal(t, http.StatusForbidden, r.Status, "a fund officer does not approve")
		r = w.env.page(t, sup, "POST", planPath+"/approve", url.Values{"csrf": {sup.csrf}, "version": {"7"}})
		assert.Equal(t, http.StatusPreconditionFailed, r.Status, "%s", r.Body)
		r = w.env.page(t, sup, "POST", planPath+"/approve",
			url.Values{"csrf": {sup.csrf}, "version": {"1"}, "note": {"同意"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		page = w.env.page(t, sup, "GET", r.Header.Get("Location"), nil)
		body := html.UnescapeString(string(page.Body))
		assert.Contains(t, pagePart(t, body, `id="plan-history"`, "</section>"), "supervisor1 批准：同意")
		assert.NotContains(t, body, `id="act-pay"`, "a supervisor does not pay")
	})

	t.Run("the fund officer pays; the ledger shows the refunds", func(t *testing.T) {
		page := w.env.page(t, w.officer, "GET", planPath, nil)
		require.Contains(t, string(page.Body), `id="act-pay"`)
		r := w.env.page(t, w.officer, "POST", planPath+"/pay", url.Values{"csrf": {w.officer.csrf}, "version": {"2"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		page = w.env.page(t, w.officer, "GET", planPath, nil)
		body := html.UnescapeString(string(page.Body))
		assert.Contains(t, pagePart(t, body, `id="plan-state"`, "</span>"), "已支付")
		assert.Contains(t, pagePart(t, body, `id="claim-C-2"`, "</tr>"), "571.43")

		acct := html.UnescapeString(string(w.env.page(t, w.officer, "GET", "/console/funds/accounts/"+a.ID, nil).Body))
		ledger := pagePart(t, acct, `id="ledger"`, "</section>")
		assert.Equal(t, 2, strings.Count(ledger, `data-type="refund"`))
		assert.Contains(t, ledger, "退款计划 "+planID)
		assert.Contains(t, pagePart(t, ledger, `id="entry-3"`, "</tr>"), "−428.57")
		assert.Contains(t, pagePart(t, acct, `id="held"`, "</dd>"), "0.00 元")
	})
}

func TestConsoleFunds_DossierCoverageChart(t *testing.T) {
	w := newFundWorld(t)
	a := w.openAccount(t)
	reg := w.env.signIn(t, user.Regulator)
	dossier := "/console/enterprises/" + w.uscc

	r := w.env.page(t, reg, "GET", dossier, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	assert.NotContains(t, string(r.Body), `id="funds-chart"`, "nothing required yet")

	w.mustPost(t, a.ID, "sale", "10000", "S-1")
	w.mustPost(t, a.ID, "deposit", "2000", "D-1")
	r = w.env.page(t, reg, "GET", dossier, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	chart := pagePart(t, string(r.Body), `id="funds-chart"`, "</figure>")
	assert.Contains(t, chart, "<svg")
	assert.Contains(t, chart, "目标为100%")
	assert.Contains(t, chart, "最近2笔")
}
