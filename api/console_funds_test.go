package api_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/funds"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
)

// fundWorld is the fund page tests' setting: an enterprise on file and a fund officer signed
// in to the console.
type fundWorld struct {
	env     *testEnv
	uscc    string
	officer session
}

var fundActor = audit.Actor{Username: "fund_officer1", Role: string(user.FundOfficer), Via: "test"}

func newFundWorld(t *testing.T) *fundWorld {
	t.Helper()
	env := newTestEnv(t)
	return &fundWorld{env: env, uscc: env.createEnterprise("MA01FW001", nil), officer: env.signIn(t, user.FundOfficer)}
}

// openAccount opens a Beijing-tier account (40 %) behind the console.
func (w *fundWorld) openAccount(t *testing.T) *funds.Account {
	t.Helper()
	a, err := w.env.funds.OpenAccount(context.Background(), fundActor, funds.FundAccountInput{USCC: w.uscc,
		Bank: "北京银行", Branch: "望京支行", AccountNumber: "6222 0000 1111 2222", AgreementDate: "2026-01-05"})
	require.NoError(t, err)
	return a
}

func (w *fundWorld) account(t *testing.T, id string) *funds.Account {
	t.Helper()
	a, err := w.env.funds.Account(context.Background(), id)
	require.NoError(t, err)
	return a
}

var (
	formKeyField     = regexp.MustCompile(`name="key" value="([^"]+)"`)
	formVersionField = regexp.MustCompile(`name="version" value="(\d+)"`)
)

// entryForm reads the account page as s and returns its entry form filled in with typed.
func (w *fundWorld) entryForm(t *testing.T, s session, id string, typed url.Values) url.Values {
	t.Helper()
	r := w.env.page(t, s, "GET", "/console/funds/accounts/"+id, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	m := formKeyField.FindSubmatch(r.Body)
	require.NotNil(t, m, "no idempotency key in the entry form")
	form := url.Values{"csrf": {s.csrf}, "key": {string(m[1])}}
	for k, v := range typed {
		form[k] = v
	}
	return form
}

// post sends the entry form as the fund officer and returns the answer.
func (w *fundWorld) post(t *testing.T, id string, typed url.Values) response {
	t.Helper()
	return w.env.page(t, w.officer, "POST", "/console/funds/accounts/"+id+"/entries",
		w.entryForm(t, w.officer, id, typed))
}

// mustPost posts an entry the service accepts.
func (w *fundWorld) mustPost(t *testing.T, id, typ, yuan, ref string) {
	t.Helper()
	r := w.post(t, id, url.Values{"type": {typ}, "amount_yuan": {yuan}, "reference": {ref}})
	require.Equal(t, http.StatusSeeOther, r.Status, "%s %s: %s", typ, yuan, r.Body)
	assert.Equal(t, "/console/funds/accounts/"+id+"?done=entry#ledger", r.Header.Get("Location"))
}

// act posts one of the account page's versioned forms with the account's current version.
func (w *fundWorld) act(t *testing.T, s session, id, action string, form url.Values) response {
	t.Helper()
	posted := url.Values{"csrf": {s.csrf}, "version": {strconv.FormatInt(w.account(t, id).Version, 10)}}
	for k, v := range form {
		posted[k] = v
	}
	return w.env.page(t, s, "POST", "/console/funds/accounts/"+id+"/"+action, posted)
}

func TestConsoleFunds_OpenAccount(t *testing.T) {
	w := newFundWorld(t)
	form := url.Values{"csrf": {w.officer.csrf}, "uscc": {w.uscc}, "bank": {"北京银行"}, "branch": {"望京支行"},
		"account_number": {"6222000011112222"}, "agreement_date": {"2026-01-05"}, "tier": {"group"}}

	t.Run("the start page and the nav lead to the accounts", func(t *testing.T) {
		r := w.env.page(t, w.officer, "GET", "/console", nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Contains(t, string(r.Body), `<a href="/console/funds">资金监管</a>`)
		assert.Contains(t, string(r.Body), `id="fund-accounts"`)
		r = w.env.page(t, w.officer, "GET", "/console/funds", nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		assert.Contains(t, string(r.Body), `id="open-account"`)
		assert.Contains(t, string(r.Body), "规模（20%）")
		assert.Contains(t, string(r.Body), "集团（30%）")
	})

	t.Run("a form with mistakes keeps what was typed", func(t *testing.T) {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("account_number", "12AB")
		bad.Set("share", "seventy")
		r := w.env.page(t, w.officer, "POST", "/console/funds/accounts", bad)
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "share"), "1至100")
		assert.Contains(t, string(r.Body), `value="北京银行"`)

		bad.Set("share", "")
		r = w.env.page(t, w.officer, "POST", "/console/funds/accounts", bad)
		require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "account_number"), "银行账号应为")
	})

	t.Run("opened, the account page shows the number in full, the list masked", func(t *testing.T) {
		r := w.env.page(t, w.officer, "POST", "/console/funds/accounts", form)
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		loc := r.Header.Get("Location")
		require.True(t, strings.HasPrefix(loc, "/console/funds/accounts/FA-"), loc)
		assert.True(t, strings.HasSuffix(loc, "?done=open"), loc)

		page := w.env.page(t, w.officer, "GET", loc, nil)
		require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
		body := string(page.Body)
		assert.Contains(t, body, "存管账户已开立")
		assert.Contains(t, pagePart(t, body, `id="account-number"`, "</dd>"), "6222000011112222")
		assert.Contains(t, body, "集团 · 未兑付预收款余额的 30%")

		list := w.env.page(t, w.officer, "GET", "/console/funds?uscc="+w.uscc, nil)
		require.Equal(t, http.StatusOK, list.Status, "%s", list.Body)
		assert.Contains(t, string(list.Body), "6222 **** **** 2222")
		assert.NotContains(t, string(list.Body), "6222000011112222")
		assert.Contains(t, string(list.Body), "北京朝阳悦动健身有限公司")
	})

	t.Run("the same number twice is refused", func(t *testing.T) {
		r := w.env.page(t, w.officer, "POST", "/console/funds/accounts", form)
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Contains(t, string(r.Body), "已有此银行账号")
	})
}

func TestConsoleFunds_LedgerAndCoverage(t *testing.T) {
	w := newFundWorld(t)
	a := w.openAccount(t)
	path := "/console/funds/accounts/" + a.ID

	w.mustPost(t, a.ID, "sale", "10,000", "S-001")
	w.mustPost(t, a.ID, "deposit", "1000.00", "D-001")

	t.Run("the account page shows balances, coverage, shortfall, chart and ledger", func(t *testing.T) {
		r := w.env.page(t, w.officer, "GET", path+"?done=entry", nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		body := string(r.Body)
		assert.Contains(t, body, "已记账")
		assert.Contains(t, pagePart(t, body, `id="held"`, "</dd>"), "1,000.00 元")
		assert.Contains(t, pagePart(t, body, `id="required"`, "</dd>"), "4,000.00 元", "40 % of 10,000")
		cov := pagePart(t, body, `id="coverage"`, "</dd>")
		assert.Contains(t, cov, "25.0%")
		assert.Contains(t, cov, "缺口 3,000.00 元")
		chart := pagePart(t, body, `id="coverage-chart"`, "</section>")
		assert.Contains(t, chart, "<svg")
		assert.Contains(t, chart, "目标为100%")
		ledger := pagePart(t, body, `id="ledger"`, "</section>")
		sale := html.UnescapeString(pagePart(t, ledger, `id="entry-1"`, "</tr>"))
		assert.Contains(t, sale, "预收款销售")
		assert.Contains(t, sale, "+10,000.00")
		assert.Contains(t, sale, "S-001")
		assert.Contains(t, sale, "fund_officer1")
		deposit := pagePart(t, ledger, `id="entry-2"`, "</tr>")
		assert.Contains(t, deposit, "存入")
		assert.Contains(t, deposit, "25%")
	})

	t.Run("the list shows the coverage and the shortfall", func(t *testing.T) {
		r := w.env.page(t, w.officer, "GET", "/console/funds?uscc="+w.uscc, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		row := pagePart(t, string(r.Body), `id="acct-`+a.ID+`"`, "</tr>")
		assert.Contains(t, row, "25.0%")
		assert.Contains(t, row, "不足")
		assert.Contains(t, row, "缺口 3,000.00 元")
		assert.Contains(t, row, "10,000.00 元")
	})

	t.Run("a release below the requirement is refused with the figures", func(t *testing.T) {
		r := w.post(t, a.ID, url.Values{"type": {"release"}, "amount_yuan": {"500"}, "reference": {"R-001"}})
		require.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)
		msg := pagePart(t, string(r.Body), `id="form-error"`, "</div>")
		assert.Contains(t, msg, "未记账")
		assert.Contains(t, msg, "存管余额 1,000.00 元")
		assert.Contains(t, msg, "本次划转 500.00 元")
		assert.Contains(t, msg, "应存 3,800.00 元")
		assert.Contains(t, string(r.Body), `value="R-001"`, "the form keeps what was typed")
		assert.EqualValues(t, 2, w.account(t, a.ID).AppliedSeq)
	})

	t.Run("the same form sent twice posts once", func(t *testing.T) {
		form := w.entryForm(t, w.officer, a.ID, url.Values{"type": {"interest"}, "amount_yuan": {"1.50"}})
		first := w.env.page(t, w.officer, "POST", path+"/entries", form)
		require.Equal(t, http.StatusSeeOther, first.Status, "%s", first.Body)
		again := w.env.page(t, w.officer, "POST", path+"/entries", form)
		require.Equal(t, http.StatusSeeOther, again.Status, "%s", again.Body)
		assert.Equal(t, path+"?done=replayed#ledger", again.Header.Get("Location"))
		assert.EqualValues(t, 3, w.account(t, a.ID).AppliedSeq, "one interest entry")
		r := w.env.page(t, w.officer, "GET", path+"?done=replayed", nil)
		assert.Contains(t, string(r.Body), "已提交过，未重复记账")
	})

	t.Run("a correction names the entry by its number", func(t *testing.T) {
		r := w.post(t, a.ID, url.Values{"type": {"correction"}, "corrects": {"3"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		body := string(w.env.page(t, w.officer, "GET", path, nil).Body)
		row := pagePart(t, body, `id="entry-4"`, "</tr>")
		assert.Contains(t, row, "冲正")
		assert.Contains(t, row, "−1.50")
		assert.Contains(t, pagePart(t, body, `id="held"`, "</dd>"), "1,000.00 元")

		r = w.post(t, a.ID, url.Values{"type": {"correction"}, "corrects": {"99"}})
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, fieldBlock(t, r.Body, "entry-corrects"), "没有序号为 99")
	})

	t.Run("amounts with three decimals or a sign are refused", func(t *testing.T) {
		for _, typed := range []string{"1.234", "-5", "abc", ""} {
			r := w.post(t, a.ID, url.Values{"type": {"deposit"}, "amount_yuan": {typed}})
			require.Equal(t, http.StatusBadRequest, r.Status, "%q: %s", typed, r.Body)
			assert.Contains(t, string(r.Body), `class="field invalid" id="field-entry-amount_yuan"`, typed)
		}
		assert.EqualValues(t, 4, w.account(t, a.ID).AppliedSeq, "nothing posted")
	})

	t.Run("a time in the future is the service's message beside the input", func(t *testing.T) {
		r := w.post(t, a.ID, url.Values{"type": {"deposit"}, "amount_yuan": {"1"}, "occurred_at": {"2999-01-01T09:00"}})
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, fieldBlock(t, r.Body, "entry-occurred_at"), "不能晚于当前时间")
	})
}

func TestConsoleFunds_CoverAndFreeze(t *testing.T) {
	w := newFundWorld(t)
	a := w.openAccount(t)
	path := "/console/funds/accounts/" + a.ID
	w.mustPost(t, a.ID, "sale", "10000", "S-1")
	w.mustPost(t, a.ID, "deposit", "1000", "D-1")

	t.Run("a cover counts towards the coverage", func(t *testing.T) {
		r := w.act(t, w.officer, a.ID, "covers", url.Values{"kind": {"insurance"}, "insurer": {"中国人民财产保险"},
			"policy_number": {"PICC-2026-001"}, "covered_yuan": {"3000"}, "valid_from": {"2026-01-01"},
			"valid_to": {"2099-12-31"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		body := string(w.env.page(t, w.officer, "GET", path+"?done=cover", nil).Body)
		assert.Contains(t, pagePart(t, body, `id="covers"`, "</section>"), "PICC-2026-001")
		assert.Contains(t, pagePart(t, body, `id="insured"`, "</dd>"), "3,000.00 元")
		cov := pagePart(t, body, `id="coverage"`, "</dd>")
		assert.Contains(t, cov, "100.0%")
		assert.NotContains(t, cov, "不足")
	})

	t.Run("a cover amount with three decimals is refused", func(t *testing.T) {
		r := w.act(t, w.officer, a.ID, "covers", url.Values{"kind": {"bank_guarantee"}, "insurer": {"北京银行"},
			"policy_number": {"BG-1"}, "covered_yuan": {"10.001"}, "valid_from": {"2026-01-01"},
			"valid_to": {"2026-12-31"}})
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, fieldBlock(t, r.Body, "cover-covered_yuan"), "两位小数")
	})

	t.Run("a regulator freezes; entries are refused; the officer sees the badge", func(t *testing.T) {
		reg := w.env.signIn(t, user.Regulator)
		r := w.act(t, reg, a.ID, "freeze", url.Values{"reason": {"企业已列入黑名单"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		body := string(w.env.page(t, w.officer, "GET", path, nil).Body)
		assert.Contains(t, body, `id="frozen-badge"`)
		assert.Contains(t, body, "企业已列入黑名单")

		r = w.post(t, a.ID, url.Values{"type": {"deposit"}, "amount_yuan": {"10"}})
		require.Equal(t, http.StatusConflict, r.Status)
		assert.Contains(t, pagePart(t, string(r.Body), `id="form-error"`, "</div>"), "账户已冻结")

		list := w.env.page(t, w.officer, "GET", "/console/funds?uscc="+w.uscc, nil)
		assert.Contains(t, pagePart(t, string(list.Body), `id="acct-`+a.ID+`"`, "</tr>"), "已冻结")
	})

	t.Run("a fund officer cannot lift a freeze", func(t *testing.T) {
		r := w.act(t, w.officer, a.ID, "unfreeze", url.Values{"reason": {"已整改"}})
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.True(t, w.account(t, a.ID).Frozen)
	})

	reg := w.env.signIn(t, user.Regulator)
	t.Run("a stale form says someone else changed the account", func(t *testing.T) {
		r := w.env.page(t, reg, "POST", path+"/unfreeze", url.Values{"csrf": {reg.csrf},
			"version": {"1"}, "reason": {"已整改"}})
		require.Equal(t, http.StatusPreconditionFailed, r.Status)
		assert.Contains(t, string(r.Body), "已被他人修改")
		assert.Contains(t, string(r.Body), "已整改", "the reason typed is kept")
	})

	t.Run("unfreeze needs a reason, then lifts the freeze", func(t *testing.T) {
		r := w.act(t, reg, a.ID, "unfreeze", url.Values{"reason": {" "}})
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, fieldBlock(t, r.Body, "unfreeze-reason"), "解冻原因")
		r = w.act(t, reg, a.ID, "unfreeze", url.Values{"reason": {"已整改"}})
		require.Equal(t, http.StatusSeeOther, r.Status, "%s", r.Body)
		assert.False(t, w.account(t, a.ID).Frozen)
	})
}

func TestConsoleFunds_BadQueryAndRoles(t *testing.T) {
	w := newFundWorld(t)
	a := w.openAccount(t)
	path := "/console/funds/accounts/" + a.ID

	for _, p := range []string{
		"/console/funds?uscc=91110105ABC", "/console/funds?sort=x", "/console/funds?uscc=a&uscc=b",
		"/console/funds?done=nope", path + "?after=-1", path + "?after=abc", path + "?page=2",
	} {
		r := w.env.page(t, w.officer, "GET", p, nil)
		assert.Equal(t, http.StatusBadRequest, r.Status, p)
	}
	r := w.env.page(t, w.officer, "GET", "/console/funds/accounts/FA-none", nil)
	assert.Equal(t, http.StatusNotFound, r.Status)

	t.Run("regulators read and freeze but do not post", func(t *testing.T) {
		reg := w.env.signIn(t, user.Regulator)
		r := w.env.page(t, reg, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status)
		body := string(r.Body)
		assert.NotContains(t, body, `id="act-entry"`)
		assert.Contains(t, body, `id="act-freeze"`)
		assert.Contains(t, body, `<a href="/console/funds">资金监管</a>`)
		r = w.env.page(t, reg, "POST", path+"/entries", url.Values{"csrf": {reg.csrf}, "key": {"k1"},
			"type": {"sale"}, "amount_yuan": {"1"}})
		assert.Equal(t, http.StatusForbidden, r.Status)
		r = w.env.page(t, reg, "POST", "/console/funds/accounts", url.Values{"csrf": {reg.csrf}})
		assert.Equal(t, http.StatusForbidden, r.Status)
	})

	t.Run("mediators and admins are refused, the public sent to sign in", func(t *testing.T) {
		for _, role := range []user.Role{user.Mediator, user.Admin} {
			s := w.env.signIn(t, role)
			assert.Equal(t, http.StatusForbidden, w.env.page(t, s, "GET", "/console/funds", nil).Status, role)
			assert.Equal(t, http.StatusForbidden, w.env.page(t, s, "GET", path, nil).Status, role)
			home := w.env.page(t, s, "GET", "/console", nil)
			assert.NotContains(t, string(home.Body), `href="/console/funds"`, role)
		}
		r := w.env.page(t, session{}, "GET", path, nil)
		assert.Equal(t, http.StatusSeeOther, r.Status)
		assert.Contains(t, r.Header.Get("Location"), "/console/login")
	})

	t.Run("a form without the CSRF token is refused", func(t *testing.T) {
		form := w.entryForm(t, w.officer, a.ID, url.Values{"type": {"sale"}, "amount_yuan": {"1"}})
		form.Del("csrf")
		r := w.env.page(t, w.officer, "POST", path+"/entries", form)
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.EqualValues(t, 0, w.account(t, a.ID).AppliedSeq)
	})
}
