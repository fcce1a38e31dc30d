package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBrowser_MediationFromComplaintToAgreement(t *testing.T) {
	w := newMedWorld(t)
	complaint := w.env.fileComplaint(t, "2026091400009", "北京朝阳悦动健身有限公司", 1)
	base := serveLoopback(t, w.env.app)
	tab := newBrowser(t)

	// A regulator sends the complaint to mediation with one click, accepts and assigns it.
	browserSignIn(t, tab, base, complaint, "regulator1")
	follow(t, tab, http.StatusOK, "?done=open", chromedp.Click(chromedp.ID("to-mediation-button")))
	loc, err := chromedp.Run(tab, chromedp.Location())
	require.NoError(t, err)
	id := loc[strings.Index(loc, "/cases/")+len("/cases/") : strings.Index(loc, "?")]
	assert.Equal(t, "待受理", ivText(t, tab, "case-state"))
	follow(t, tab, http.StatusOK, "?done=accept", chromedp.Click(chromedp.ID("do-accept")))
	require.NoError(t, chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(`#suggestions li[data-mediator="mediator1"]`)),
		chromedp.SetValue(chromedp.ID("assign-mediator"), "mediator1")))
	follow(t, tab, http.StatusOK, "?done=assign", chromedp.Click(chromedp.ID("do-assign")))
	assert.Equal(t, "已分派", ivText(t, tab, "case-state"))
	follow(t, tab, http.StatusOK, "/console/login", chromedp.Click(chromedp.CSS(`header form.inline button`)))

	// The mediator finds it in their queue and records a session with two offers.
	w.clock.Set(t, "2026-09-14 11:00")
	browserSignIn(t, tab, base, "/console/mediation", "mediator1")
	assert.Contains(t, ivText(t, tab, "my-cases"), id)
	screenshot(t, tab, "prepaidreg-mediation-queue")
	follow(t, tab, http.StatusOK, "/console/mediation/cases/"+id, chromedp.Click(chromedp.CSS(`#q-`+id+` a`)))
	assert.Contains(t, ivText(t, tab, "claims"), "张伟", "the assigned mediator sees the consumer")
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("session-at"), "2026-09-14T10:30"),
		chromedp.SetValue(chromedp.ID("session-attendees"), "张伟\n店长李某"),
		chromedp.SetValue(chromedp.ID("offer-side-0"), "consumer"),
		chromedp.SetValue(chromedp.ID("offer-yuan-0"), "3800"),
		chromedp.SetValue(chromedp.ID("offer-terms-0"), "一次退清"),
		chromedp.SetValue(chromedp.ID("offer-side-1"), "enterprise"),
		chromedp.SetValue(chromedp.ID("offer-yuan-1"), "3000"),
		chromedp.SetValue(chromedp.ID("offer-terms-1"), "七日内退款"),
	))
	follow(t, tab, http.StatusOK, "?done=session", chromedp.Click(chromedp.ID("do-session")))
	offers := ivText(t, tab, "session-1")
	assert.Contains(t, offers, "3,800.00 元")
	assert.Contains(t, offers, "3,000.00 元")

	// And the agreement they reached.
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("agreement-points"), "退还年卡余额"),
		chromedp.SetValue(chromedp.ID("term_payer-0"), "北京朝阳悦动健身有限公司"),
		chromedp.SetValue(chromedp.ID("term_payee-0"), "张伟"),
		chromedp.SetValue(chromedp.ID("term_yuan-0"), "3200"),
		chromedp.SetValue(chromedp.ID("term_due-0"), "2026-09-21"),
		chromedp.SetValue(chromedp.ID("term_method-0"), "银行转账"),
	))
	follow(t, tab, http.StatusOK, "?done=agreement", chromedp.Click(chromedp.ID("do-agreement")))
	assert.Contains(t, ivText(t, tab, "case-state"), "达成协议")
	href, err := chromedp.Run(tab,
		chromedp.Evaluate[string](`document.getElementById("agreement-pdf").getAttribute("href")`))
	require.NoError(t, err)
	assert.Equal(t, "/api/v1/mediation/cases/"+id+"/agreement.pdf", href)
	screenshot(t, tab, "prepaidreg-mediation-case")
}
