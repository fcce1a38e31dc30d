package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

// registerForm is the register form filled in as a clerk would, for a Chaoyang gym.
func registerForm(t *testing.T, org string) url.Values {
	t.Helper()
	return url.Values{
		"uscc":                 {validUSCC(t, org)},
		"name":                 {"北京朝阳悦动健身有限公司"},
		"aliases":              {"悦动健身\r\n\r\n悦动望京"},
		"legal_representative": {"王建国"},
		"registered_address":   {"北京市朝阳区望京街道阜通东大街6号"},
		"district":             {"110105"},
		"street":               {"望京街道"},
		"industry":             {"fitness"},
		"contact_phone":        {"010-84761234"},
		"status":               {"operating"},
		"stores":               {"望京店|朝阳区阜通东大街6号B1\r\n\r\n朝阳区酒仙桥路10号"},
		"card_types":           {"named", "sessions"},
		"balance":              {"123,456.78"},
		"supervised_account":   {"北京银行望京支行 0109 0001 2345"},
	}
}

// formCSRF reads the CSRF token off a form page the session has opened.
func formCSRF(t *testing.T, page response) string {
	t.Helper()
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	m := csrfField.FindSubmatch(page.Body)
	require.NotNil(t, m, "no csrf field on the page")
	return string(m[1])
}

// submit opens the form page at formPath, as a browser would, and posts form to action with
// the CSRF token the page carries.
func (e *testEnv) submit(t *testing.T, s session, formPath, action string, form url.Values) response {
	t.Helper()
	posted := url.Values{"csrf": {formCSRF(t, e.page(t, s, "GET", formPath, nil))}}
	for k, v := range form {
		posted[k] = v
	}
	return e.page(t, s, "POST", action, posted)
}

// fieldBlock returns the HTML of one form field: its label, input and message.
func fieldBlock(t *testing.T, body []byte, field string) string {
	t.Helper()
	html := string(body)
	start := strings.Index(html, `id="field-`+field+`"`)
	require.GreaterOrEqual(t, start, 0, "no field %s on the page", field)
	rest := html[start+len(`id="field-`+field+`"`):]
	end := len(rest)
	for _, stop := range []string{`id="field-`, "</fieldset>"} {
		if i := strings.Index(rest, stop); i >= 0 && i < end {
			end = i
		}
	}
	return rest[:end]
}

func TestConsole_EnterpriseListPage(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01L15T0", nil)

	t.Run("regulator sees rows and the register button", func(t *testing.T) {
		r := env.page(t, env.signIn(t, user.Regulator), "GET", "/console/enterprises", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		body := string(r.Body)
		assert.Contains(t, body, "登记企业")
		assert.Contains(t, body, `href="/console/enterprises/`+uscc+`"`)
		for _, want := range []string{"北京朝阳悦动健身有限公司", "朝阳区", "望京街道", "健身", "正常经营"} {
			assert.Contains(t, body, want)
		}
	})
	t.Run("mediator reads the list without register button or dossier links", func(t *testing.T) {
		r := env.page(t, env.signIn(t, user.Mediator), "GET", "/console/enterprises", nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Contains(t, string(r.Body), uscc)
		assert.NotContains(t, string(r.Body), "/console/enterprises/new")
		assert.NotContains(t, string(r.Body), `href="/console/enterprises/`+uscc+`"`)
	})
	t.Run("search by name and filters", func(t *testing.T) {
		s := env.signIn(t, user.Regulator)
		query := url.Values{"q": {"悦动"}, "district": {"110105"}, "industry": {"fitness"}}
		hit := env.page(t, s, "GET", "/console/enterprises?"+query.Encode(), nil)
		assert.Contains(t, string(hit.Body), uscc)
		miss := env.page(t, s, "GET", "/console/enterprises?q="+url.QueryEscape("洗衣"), nil)
		assert.NotContains(t, string(miss.Body), uscc)
		assert.Contains(t, string(miss.Body), "没有符合条件的企业")
	})
	t.Run("invalid query is shown on the page", func(t *testing.T) {
		s := env.signIn(t, user.Regulator)
		r := env.page(t, s, "GET", "/console/enterprises?uscc=IO&district=999999&status=gone", nil)
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
		body := string(r.Body)
		assert.Contains(t, body, "统一社会信用代码前缀")
		assert.Contains(t, body, "未知的区代码")
		assert.Contains(t, body, "未知的经营状态")
		assert.Contains(t, body, `value="IO"`, "typed values stay in the form")
	})
}

func TestConsole_EnterpriseListPaging(t *testing.T) {
	env := newTestEnv(t)
	first := env.createEnterprise("MA01PAGE1", nil)
	second := env.createEnterprise("MA01PAGE2", nil)
	s := env.signIn(t, user.Regulator)

	// The page reads its query as the API does, page size included.
	r := env.page(t, s, "GET", "/console/enterprises?limit=1", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Contains(t, string(r.Body), first)
	assert.NotContains(t, string(r.Body), second)
	assert.Contains(t, string(r.Body), "下一页")
}

func TestConsole_RegisterEnterprise(t *testing.T) {
	env := newTestEnv(t)
	s := env.signIn(t, user.Regulator)
	form := registerForm(t, "MA01REG00")
	uscc := form.Get("uscc")

	r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	require.Equal(t, "/console/enterprises/"+uscc, r.Header.Get("Location"))

	dossier := env.page(t, s, "GET", r.Header.Get("Location"), nil)
	require.Equal(t, http.StatusOK, dossier.Status, "body: %s", dossier.Body)
	for _, want := range []string{
		"北京朝阳悦动健身有限公司", "悦动健身、悦动望京", "朝阳区 望京街道", "健身", "望京店", "朝阳区酒仙桥路10号",
		"记名卡、课程/次卡", "123,456.78 元",
	} {
		assert.Contains(t, string(dossier.Body), want)
	}
	_, history, _ := strings.Cut(string(dossier.Body), `id="changes"`)
	assert.Contains(t, history, "regulator1")
	assert.Contains(t, history, "登记")

	list := env.page(t, s, "GET", "/console/enterprises", nil)
	assert.Contains(t, string(list.Body), uscc)

	got := env.get(t, uscc)
	assert.Equal(t, "北京朝阳悦动健身有限公司", got.Name)
	assert.Equal(t, []string{"悦动健身", "悦动望京"}, got.Aliases)
	assert.Equal(t, int64(12345678), got.Prepaid.OutstandingBalanceFen)
	var full struct {
		Stores []struct{ Name, Address string } `json:"stores"`
	}
	env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc, nil).JSON(t, &full)
	require.Len(t, full.Stores, 2)
	assert.Equal(t, "望京店", full.Stores[0].Name)
	assert.Equal(t, "朝阳区阜通东大街6号B1", full.Stores[0].Address)
	assert.Equal(t, "", full.Stores[1].Name)
}

func TestConsole_RegisterFormShowsFieldErrors(t *testing.T) {
	env := newTestEnv(t)
	s := env.signIn(t, user.Regulator)
	form := registerForm(t, "MA01BAD00")
	form.Set("uscc", wrongCheck(t, form.Get("uscc")))
	form.Set("name", "")
	form.Set("stores", "望京店|朝阳区阜通东大街6号B1\n\n酒仙桥店|")

	r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form)
	require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
	assert.Contains(t, fieldBlock(t, r.Body, "uscc"), "校验位应为")
	assert.Contains(t, fieldBlock(t, r.Body, "name"), "请填写企业名称")
	assert.Contains(t, fieldBlock(t, r.Body, "stores"), "第3行：请填写门店地址")
	assert.NotContains(t, fieldBlock(t, r.Body, "legal_representative"), "field-error")
	assert.Contains(t, fieldBlock(t, r.Body, "legal_representative"), `value="王建国"`, "typed values stay")
	assert.Contains(t, fieldBlock(t, r.Body, "card_types"), `value="named" checked`)
	assertNoEnterprises(t, env)
}

func TestConsole_RegisterDuplicateUSCC(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01DUP00", nil)
	s := env.signIn(t, user.Regulator)

	r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", registerForm(t, "MA01DUP00"))
	require.Equal(t, http.StatusConflict, r.Status, "body: %s", r.Body)
	assert.Contains(t, fieldBlock(t, r.Body, "uscc"), "该统一社会信用代码已登记")
	assert.Contains(t, fieldBlock(t, r.Body, "uscc"), uscc)
}

func TestConsole_RegisterNeedsCSRF(t *testing.T) {
	env := newTestEnv(t)
	s := env.signIn(t, user.Regulator)
	form := registerForm(t, "MA01C5RF0")

	r := env.page(t, s, "POST", "/console/enterprises", form)
	assert.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)
	form.Set("csrf", "not-the-token")
	r = env.page(t, s, "POST", "/console/enterprises", form)
	assert.Equal(t, http.StatusForbidden, r.Status, "body: %s", r.Body)
	assertNoEnterprises(t, env)
}

func TestConsole_EditEnterprise(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01ED1T0", nil)
	s := env.signIn(t, user.Regulator)
	edit := "/console/enterprises/" + uscc + "/edit"

	page := env.page(t, s, "GET", edit, nil)
	require.Equal(t, http.StatusOK, page.Status, "body: %s", page.Body)
	assert.Contains(t, fieldBlock(t, page.Body, "uscc"), "readonly")
	assert.Contains(t, fieldBlock(t, page.Body, "balance"), `value="123456.00"`)
	assert.Contains(t, fieldBlock(t, page.Body, "stores"), "望京店|朝阳区阜通东大街6号B1")
	assert.Contains(t, string(page.Body), `name="version" value="1"`)

	form := editForm(t, page)
	form.Set("name", "北京朝阳悦动健身科技有限公司")
	form.Set("status", "suspended")
	r := env.page(t, s, "POST", "/console/enterprises/"+uscc, form)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)

	got := env.get(t, uscc)
	assert.Equal(t, "北京朝阳悦动健身科技有限公司", got.Name)
	assert.Equal(t, "suspended", got.Status)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, int64(12345600), got.Prepaid.OutstandingBalanceFen, "balance survives the round trip")

	dossier := env.page(t, s, "GET", "/console/enterprises/"+uscc, nil)
	assert.Contains(t, string(dossier.Body), "暂停营业")
	assert.Contains(t, string(dossier.Body), "企业名称、经营状态", "change history names the fields")
}

// editForm reads the values an edit page is prefilled with, as the browser would post them.
func editForm(t *testing.T, page response) url.Values {
	t.Helper()
	form := url.Values{"csrf": {formCSRF(t, page)}}
	body := string(page.Body)
	for _, name := range []string{"version", "name", "legal_representative", "registered_address",
		"street", "contact_phone", "balance", "supervised_account"} {
		form.Set(name, attrValue(t, body, `name="`+name+`"`))
	}
	form.Set("district", "110105")
	form.Set("industry", "fitness")
	form.Set("status", "operating")
	form.Set("stores", "望京店|朝阳区阜通东大街6号B1")
	form["card_types"] = []string{"named", "sessions"}
	return form
}

// attrValue returns the value attribute of the first tag that holds marker.
func attrValue(t *testing.T, body, marker string) string {
	t.Helper()
	i := strings.Index(body, marker)
	require.GreaterOrEqual(t, i, 0, "no %s on the page", marker)
	tag := body[i : i+strings.Index(body[i:], ">")]
	_, after, ok := strings.Cut(tag, `value="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, `"`)
	return v
}

func TestConsole_EditStaleVersion(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA015TAL0", nil)
	s := env.signIn(t, user.Regulator)
	page := env.page(t, s, "GET", "/console/enterprises/"+uscc+"/edit", nil)
	form := editForm(t, page)

	// Someone else saves first, through the API.
	r := env.do(user.Supervisor, "PATCH", "/api/v1/enterprises/"+uscc, map[string]any{"name": "他人改过的名称"},
		"If-Match", `"1"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)

	form.Set("name", "我的修改")
	r = env.page(t, s, "POST", "/console/enterprises/"+uscc, form)
	require.Equal(t, http.StatusPreconditionFailed, r.Status, "body: %s", r.Body)
	assert.Contains(t, string(r.Body), "已被他人修改")
	assert.Contains(t, fieldBlock(t, r.Body, "name"), `value="我的修改"`, "what was typed stays for comparison")
	assert.Equal(t, "他人改过的名称", env.get(t, uscc).Name)
}

func TestConsole_BalanceInYuan(t *testing.T) {
	env := newTestEnv(t)
	s := env.signIn(t, user.Regulator)
	register := func(t *testing.T, org, typed string, changes url.Values) (response, string) {
		t.Helper()
		form := registerForm(t, org)
		form.Set("balance", typed)
		for k, v := range changes {
			form[k] = v
		}
		return env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form), form.Get("uscc")
	}

	for i, tc := range []struct {
		typed string
		fen   int64
	}{
		{"1234.56", 123456},
		{"1,234.5", 123450},
		{" 0.07 ", 7},
		{"", 0},
		{"10000000000", 1_000_000_000_000},
	} {
		t.Run("accepts "+tc.typed, func(t *testing.T) {
			r, uscc := register(t, fmt.Sprintf("MA01YUA0%d", i), tc.typed, nil)
			require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
			assert.Equal(t, tc.fen, env.get(t, uscc).Prepaid.OutstandingBalanceFen)
		})
	}

	for _, typed := range []string{"12.345", "abc", "-1", "1.", ".5", "1e3", "１２３", "99999999999999999999"} {
		t.Run("refuses "+typed, func(t *testing.T) {
			r, _ := register(t, "MA01YUA10", typed, url.Values{"name": {""}})
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Contains(t, fieldBlock(t, r.Body, "balance"), "金额应为不带符号的元数")
			assert.Contains(t, fieldBlock(t, r.Body, "name"), "请填写企业名称", "other fields are still checked")
		})
	}
	t.Run("refuses more than 100 亿元", func(t *testing.T) {
		r, _ := register(t, "MA01YUA11", "10000000000.01", nil)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "balance"), "0至100亿元")
	})
	t.Run("refused amount on an otherwise valid form writes nothing", func(t *testing.T) {
		r, uscc := register(t, "MA01YUA12", "12.345", nil)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "balance"), "金额应为不带符号的元数")
		missing := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc, nil)
		assert.Equal(t, http.StatusNotFound, missing.Status)
	})
}

func TestConsole_HostileInput(t *testing.T) {
	env := newTestEnv(t)
	s := env.signIn(t, user.Regulator)

	t.Run("markup in a name is shown as text", func(t *testing.T) {
		form := registerForm(t, "MA01X5500")
		form.Set("name", `<script>alert(1)</script>"><img src=x onerror=alert(2)>健身`)
		r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form)
		require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		dossier := r.Header.Get("Location")
		for _, path := range []string{dossier, dossier + "/edit", "/console/enterprises"} {
			page := env.page(t, s, "GET", path, nil)
			require.Equal(t, http.StatusOK, page.Status)
			assert.NotContains(t, string(page.Body), "<script>alert")
			assert.NotContains(t, string(page.Body), "<img src=x")
			assert.Contains(t, string(page.Body), "&lt;script&gt;")
		}
	})
	t.Run("100 KB field is refused", func(t *testing.T) {
		form := registerForm(t, "MA01B1G00")
		form.Set("name", strings.Repeat("长", 100<<10/3))
		form.Set("stores", strings.Repeat("店|址\n", 10<<10))
		r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form)
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, fieldBlock(t, r.Body, "name"), "企业名称最多100个字")
		assert.Contains(t, fieldBlock(t, r.Body, "stores"), "门店最多200个")
	})
	t.Run("form over 1 MiB is refused", func(t *testing.T) {
		form := registerForm(t, "MA01B1G01")
		form.Set("aliases", strings.Repeat("x", 2<<20))
		r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	})
	t.Run("operators in the query are plain errors", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/enterprises?name%5B%24ne%5D=x", nil)
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, string(r.Body), "未知的查询参数")
	})
	t.Run("invalid UTF-8 is stored with a replacement character", func(t *testing.T) {
		form := registerForm(t, "MA01UTF80")
		form.Set("name", "健身\xff\xfe工作室")
		r := env.submit(t, s, "/console/enterprises/new", "/console/enterprises", form)
		require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
		assert.Equal(t, "健身\uFFFD工作室", env.get(t, form.Get("uscc")).Name)
	})

	assert.Equal(t, http.StatusOK, env.do(user.Public, "GET", "/healthz", nil).Status)
	assert.Equal(t, http.StatusOK, env.page(t, s, "GET", "/console/enterprises", nil).Status)
}

func TestConsole_DossierPage(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01D0500", nil)
	s := env.signIn(t, user.Regulator)

	r := env.page(t, s, "GET", "/console/enterprises/"+uscc, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	body := string(r.Body)
	for _, section := range []string{"登记信息", "门店", "预付业务", "投诉", "风险评估", "名单状态", "行政约谈",
		"联合执法", "调解", "资金监管", "变更记录"} {
		assert.Contains(t, body, "<h2>"+section, "section %s", section)
	}
	assert.GreaterOrEqual(t, strings.Count(body, "暂无记录"), 6, "empty sections say so")
	assert.Contains(t, body, `id="risk-score"`, "the first assessment is shown")
	assert.Contains(t, body, "风险因素得分")
	assert.Contains(t, body, "123,456.00 元")
	assert.Contains(t, body, `href="/console/enterprises/`+uscc+`/edit"`)

	missing := env.page(t, s, "GET", "/console/enterprises/"+validUSCC(t, "MA01N0NE0"), nil)
	assert.Equal(t, http.StatusNotFound, missing.Status)
	assert.Contains(t, missing.Header.Get("Content-Type"), "text/html")
}
