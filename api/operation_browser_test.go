package api_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBrowser_JointOperation(t *testing.T) {
	env := newTestEnv(t)
	setOperationClock(env)
	uscc := env.createEnterprise("MA01JF031", map[string]any{"name": "北京朝阳星光舞蹈培训中心"})
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)

	// Sign in; the sign-in page sends the browser on to the operation form.
	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+"/console/operations/new"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "regulator1"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	))
	follow(t, tab, http.StatusOK, "/console/operations/new", chromedp.Click(chromedp.ID("login")))

	// Record the operation: market regulation leads, commerce takes part.
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("title"), "朝阳区培训机构预付卡联合检查"),
		chromedp.SetValue(chromedp.ID("legal_basis"), "《北京市单用途预付卡管理条例》第二十五条"),
		chromedp.SetValue(chromedp.ID("date"), opDay),
		chromedp.Click(chromedp.CSS(`input[name="departments"][value="commerce"]`)),
		chromedp.SetValue(chromedp.ID("targets"), uscc),
	))
	follow(t, tab, http.StatusOK, "/console/operations/OP-", chromedp.Click(chromedp.ID("save")))
	screenshot(t, tab, "prepaidreg-operation-new")

	// Open the target's inspection form and record a finding and a fine.
	follow(t, tab, http.StatusOK, "/inspections/"+uscc,
		chromedp.Click(chromedp.CSS(`#t-`+uscc+` a.button`)))
	require.NoError(t, chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("inspectors-0-name"), "王芳"),
		chromedp.SetValue(chromedp.ID("inspectors-0-department"), "commerce"),
		chromedp.SetValue(chromedp.ID("inspectors-0-badge_number"), "11010500103"),
		chromedp.SetValue(chromedp.ID("findings-0-category"), "no_filing"),
		chromedp.SetValue(chromedp.ID("findings-0-description"), "发售课时卡未备案"),
		chromedp.SetValue(chromedp.ID("measures-0-kind"), "fine"),
		chromedp.SetValue(chromedp.ID("measures-0-amount"), "6,500"),
		chromedp.SetValue(chromedp.ID("measures-0-decision_number"), "京朝市监罚〔2026〕305号"),
		chromedp.SetValue(chromedp.ID("ack-name"), "陈校长"),
		chromedp.SetValue(chromedp.ID("ack-role"), "负责人"),
	))
	screenshot(t, tab, "prepaidreg-inspection-form")
	follow(t, tab, http.StatusOK, "/console/operations/OP-", chromedp.Click(chromedp.ID("save")))

	// The matrix shows commerce at the target, and the fine.
	commerce, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("row-commerce")))
	require.NoError(t, err)
	assert.Contains(t, commerce, "✓ 1人")
	market, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("row-market")))
	require.NoError(t, err)
	assert.NotContains(t, market, "✓", "no market inspector was there")
	fines, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("row-fines")))
	require.NoError(t, err)
	assert.Contains(t, fines, "6,500.00 元")
	screenshot(t, tab, "prepaidreg-operation-matrix")
}
