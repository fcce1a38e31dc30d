package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

// operationForm is the operation form filled in for the targets, one a line.
func operationForm(targets ...string) url.Values {
	return url.Values{
		"title":           {"望京地区预付式消费联合执法"},
		"legal_basis":     {"《北京市单用途预付卡管理条例》第二十五条"},
		"lead_department": {"market"},
		"departments":     {"commerce", "sports"},
		"targets":         {strings.Join(targets, "\r\n\r\n")},
		"date":            {opDay},
	}
}

// inspectionForm is the inspection form as a clerk fills it in: two inspectors, a finding, a
// fine of 8,000.50 yuan, and the manager's signature.
func inspectionForm(version string) url.Values {
	return url.Values{
		"version":                     {version},
		"inspected_time":              {"14:30"},
		"address":                     {""},
		"inspectors[0].name":          {"张明"},
		"inspectors[0].department":    {"market"},
		"inspectors[0].badge_number":  {"11010500001"},
		"inspectors[1].name":          {""},
		"inspectors[1].department":    {""},
		"inspectors[1].badge_number":  {""},
		"inspectors[2].name":          {"刘体"},
		"inspectors[2].department":    {"sports"},
		"inspectors[2].badge_number":  {"11010500777"},
		"findings[0].category":        {"card_over_limit"},
		"findings[0].description":     {"发售面额8000元的不记名卡，超过1000元限额"},
		"findings[0].evidence":        {"照片-01；发卡记录-02"},
		"measures[0].kind":            {"fine"},
		"measures[0].deadline":        {""},
		"measures[0].amount":          {"8,000.50"},
		"measures[0].decision_number": {"京朝市监罚〔2026〕201号"},
		"measures[0].referred_to":     {""},
		"measures[0].note":            {""},
		"acknowledgement.name":        {"周经理"},
		"acknowledgement.role":        {"门店经理"},
		"acknowledgement.note":        {""},
	}
}

// consoleOperation creates an operation through the console form and returns its page's path.
func consoleOperation(t *testing.T, env *testEnv, s session, targets ...string) string {
	t.Helper()
	r := env.submit(t, s, "/console/operations/new", "/console/operations", operationForm(targets...))
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	loc := r.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/console/operations/OP-"), loc)
	return loc
}

func TestConsole_OperationAndInspection(t *testing.T) {
	env := newTestEnv(t)
	setOperationClock(env)
	uscc := env.createEnterprise("MA01JF011", map[string]any{"name": "北京望京乐游游泳馆有限公司"})
	other := env.createEnterprise("MA01JF012", map[string]any{"name": "北京望京小树苗美术培训学校"})
	s := env.signIn(t, user.Regulator)

	opPath := consoleOperation(t, env, s, uscc, lower(other))
	formPath := opPath + "/inspections/" + uscc
	page := env.page(t, s, "GET", opPath, nil)
	require.Equal(t, http.StatusOK, page.Status)
	body := string(page.Body)
	assert.Contains(t, body, "望京地区预付式消费联合执法")
	assert.Contains(t, body, "北京望京乐游游泳馆有限公司")
	assert.Contains(t, body, "北京望京小树苗美术培训学校", "a lower-case code is read")
	assert.Contains(t, body, `href="`+formPath+`"`)
	assert.NotContains(t, body, "took-part", "nobody has inspected yet")

	r := env.submit(t, s, formPath, formPath, inspectionForm("0"))
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, opPath, r.Header.Get("Location"))

	page = env.page(t, s, "GET", opPath, nil)
	require.Equal(t, http.StatusOK, page.Status)
	matrix := section(t, page.Body, `id="matrix"`, "</table>")
	assert.Contains(t, section(t, []byte(matrix), `id="row-market"`, "</tr>"), "✓ 1人")
	assert.Contains(t, section(t, []byte(matrix), `id="row-sports"`, "</tr>"), "✓ 1人")
	assert.NotContains(t, section(t, []byte(matrix), `id="row-commerce"`, "</tr>"), "✓")
	assert.Contains(t, section(t, []byte(matrix), `id="row-fines"`, "</tr>"), "8,000.50 元（1 笔）")
	assert.Contains(t, section(t, []byte(matrix), `id="row-findings"`, "</tr>"), "预付卡面额超过限额")
	assert.Contains(t, string(page.Body), "/api/v1/operations/", "links the record's PDF")

	// The session reads the PDF the page links.
	pdf := env.page(t, s, "GET", "/api/v1"+strings.TrimPrefix(formPath, "/console")+"/record.pdf", nil)
	require.Equal(t, http.StatusOK, pdf.Status, "body: %s", pdf.Body)
	assert.Equal(t, "application/pdf", pdf.Header.Get("Content-Type"))

	// The form opens again with the record, at its version, the blank row left out.
	form := env.page(t, s, "GET", formPath, nil)
	require.Equal(t, http.StatusOK, form.Status)
	assert.Contains(t, string(form.Body), `name="version" value="1"`)
	assert.Contains(t, string(form.Body), `name="inspectors[1].name" value="刘体"`)
	assert.Contains(t, string(form.Body), `value="8000.50"`)
	assert.Contains(t, string(form.Body), `value="14:30"`)

	t.Run("stale version", func(t *testing.T) {
		r := env.submit(t, s, formPath, formPath, inspectionForm("0"))
		require.Equal(t, http.StatusPreconditionFailed, r.Status, "body: %s", r.Body)
		assert.Contains(t, string(r.Body), "已被他人修改")
		assert.Contains(t, string(r.Body), "发售面额8000元的不记名卡", "the input is kept")
	})

	t.Run("not a target", func(t *testing.T) {
		stranger := validUSCC(t, "MA01JF019")
		r := env.page(t, s, "GET", opPath+"/inspections/"+stranger, nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}

func TestConsole_InspectionFormErrors(t *testing.T) {
	env := newTestEnv(t)
	setOperationClock(env)
	uscc := env.createEnterprise("MA01JF021", nil)
	s := env.signIn(t, user.Regulator)
	opPath := consoleOperation(t, env, s, uscc)
	formPath := opPath + "/inspections/" + uscc

	for _, tc := range []struct {
		name, amount, want string
	}{
		{"negative", "-500", "罚款金额不能为负数"},
		{"three decimals", "12.345", "最多两位小数"},
		{"not a number", "八千", "最多两位小数"},
	} {
		t.Run("fine "+tc.name, func(t *testing.T) {
			form := inspectionForm("0")
			form.Set("measures[0].amount", tc.amount)
			r := env.submit(t, s, formPath, formPath, form)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			block := section(t, r.Body, `id="measures-0-amount"`, "</div>")
			assert.Contains(t, block, tc.want)
			assert.Contains(t, block, `value="`+tc.amount+`"`, "the amount is kept")
			assert.Contains(t, string(r.Body), "发售面额8000元的不记名卡", "the rest is kept")
		})
	}

	t.Run("service messages by row", func(t *testing.T) {
		form := inspectionForm("0")
		form.Set("inspectors[2].department", "health") // not taking part
		form.Set("measures[0].amount", "0")
		form.Del("acknowledgement.name")
		form.Del("acknowledgement.role")
		r := env.submit(t, s, formPath, formPath, form)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, section(t, r.Body, `id="inspectors-2-department"`, "</td>"), "未参加本次联合执法")
		assert.Contains(t, section(t, r.Body, `id="measures-0-amount"`, "</div>"), "罚款金额应大于零")
		assert.Contains(t, section(t, r.Body, `id="field-acknowledgement"`, `<div class="grid">`),
			"请填写企业现场负责人签字确认情况")
	})

	t.Run("nothing was written", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1"+strings.TrimPrefix(formPath, "/console"), nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})

	t.Run("operation form keeps what was typed", func(t *testing.T) {
		form := operationForm(uscc, wrongCheck(t, uscc))
		form.Set("title", "")
		r := env.submit(t, s, "/console/operations/new", "/console/operations", form)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "title"), "请填写此项")
		assert.Contains(t, fieldBlock(t, r.Body, "targets"), "第3行：")
		assert.Contains(t, fieldBlock(t, r.Body, "departments"), `value="sports" checked`)
	})

	t.Run("needs the CSRF token", func(t *testing.T) {
		r := env.page(t, s, "POST", formPath, inspectionForm("0"))
		assert.Equal(t, http.StatusForbidden, r.Status)
	})
}

// section returns the HTML from the first marker to the first stop after it.
func section(t *testing.T, body []byte, marker, stop string) string {
	t.Helper()
	html := string(body)
	start := strings.Index(html, marker)
	require.GreaterOrEqual(t, start, 0, "no %s on the page", marker)
	rest := html[start:]
	if end := strings.Index(rest, stop); end >= 0 {
		return rest[:end]
	}
	return rest
}
