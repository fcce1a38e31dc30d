package api_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowser_FundAccountFromOpeningToRefusedRelease has a fund officer open an account, report
// a sale and a deposit, read the coverage and its chart, and try a release the deposit rule
// refuses.
func TestBrowser_FundAccountFromOpeningToRefusedRelease(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01FB001", nil)
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)

	// Sign in, follow the start page's link and open the account.
	browserSignIn(t, tab, base, "/console", "fund_officer1")
	follow(t, tab, http.StatusOK, "/console/funds", chromedp.Click(chromedp.ID("fund-accounts")))
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("uscc"), uscc),
		chromedp.SetValue(chromedp.ID("bank"), "北京银行"),
		chromedp.SetValue(chromedp.ID("branch"), "望京支行"),
		chromedp.SetValue(chromedp.ID("account_number"), "6222 0000 3333 4444"),
		chromedp.SetValue(chromedp.ID("agreement_date"), "2026-01-05"),
		chromedp.SetValue(chromedp.ID("tier"), "beijing"),
	))
	follow(t, tab, http.StatusOK, "?done=open", chromedp.Click(chromedp.ID("do-open")))
	assert.Equal(t, "6222000033334444", ivText(t, tab, "account-number"))

	// A sale of 20,000 元 and a deposit of 5,000 元: 5,000 of the 8,000 required.
	for _, e := range []struct{ typ, yuan, ref string }{{"sale", "20000", "S-1"}, {"deposit", "5000.00", "D-1"}} {
		require.NoError(t, chromedp.Do(tab,
			chromedp.SetValue(chromedp.ID("entry-type"), e.typ),
			chromedp.SetValue(chromedp.ID("entry-amount_yuan"), e.yuan),
			chromedp.SetValue(chromedp.ID("entry-reference"), e.ref),
		))
		follow(t, tab, http.StatusOK, "?done=entry", chromedp.Click(chromedp.ID("do-entry")))
	}
	coverage := ivText(t, tab, "coverage")
	assert.Contains(t, coverage, "62.5%")
	assert.Contains(t, coverage, "缺口 3,000.00 元")
	require.NoError(t, chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(`#coverage-chart svg`))))
	assert.Contains(t, ivText(t, tab, "ledger"), "+20,000.00")
	screenshot(t, tab, "prepaidreg-fund-account")

	// A release of 100 元 would take the funds further below the requirement: refused, with
	// the figures, and nothing posted.
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("entry-type"), "release"),
		chromedp.SetValue(chromedp.ID("entry-amount_yuan"), "100"),
	))
	follow(t, tab, http.StatusConflict, "/entries", chromedp.Click(chromedp.ID("do-entry")))
	refusal := ivText(t, tab, "form-error")
	assert.Contains(t, refusal, "存管余额 5,000.00 元")
	assert.Contains(t, refusal, "本次划转 100.00 元")
	assert.Contains(t, ivText(t, tab, "held"), "5,000.00 元")
	screenshot(t, tab, "prepaidreg-fund-refused")
}
