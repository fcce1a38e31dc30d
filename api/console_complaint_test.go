package api_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// fileComplaint files a complaint through the API, received the given number of days ago,
// and returns its console address.
func (e *testEnv) fileComplaint(t *testing.T, ticket, reported string, daysAgo int) string {
	t.Helper()
	in := complaintInput(ticket, reported)
	in["received_at"] = time.Now().AddDate(0, 0, -daysAgo).UTC().Format(time.RFC3339)
	r := e.do(user.Regulator, "POST", "/api/v1/complaints", in)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	return "/console/complaints/12345:" + ticket
}

// complaintJSON reads a complaint through the API.
func (e *testEnv) complaintJSON(t *testing.T, ticket string) complaintBody {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/complaints/12345:"+ticket, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got complaintBody
	r.JSON(t, &got)
	return got
}

// assertNoComplainant checks that a page shows neither the sample complainant's full name nor
// phone number.
func assertNoComplainant(t *testing.T, body []byte, where string) {
	t.Helper()
	assert.NotContains(t, string(body), "张伟", "full name on %s", where)
	assert.NotContains(t, string(body), "13812341234", "full phone on %s", where)
}

func TestConsole_ComplaintList(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01CL150", nil)
	linked := env.fileComplaint(t, "T0", "北京朝阳悦动健身有限公司", 2)
	unlinked := env.fileComplaint(t, "T1", "不认识的店", 1)
	s := env.signIn(t, user.Regulator)

	t.Run("complainants are masked", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		body := string(r.Body)
		assert.Contains(t, body, "张*")
		assert.Contains(t, body, "138****1234")
		assertNoComplainant(t, r.Body, "the list")
		assert.Contains(t, body, `href="`+linked+`"`)
		assert.Contains(t, body, `href="`+unlinked+`"`)
		assert.Contains(t, body, `href="/console/enterprises/`+uscc+`"`, "the linked enterprise's dossier")
		assert.Contains(t, body, "退费难")
		assert.Contains(t, body, "规则标注")
		assert.Contains(t, body, "3,800.00 元")
	})
	t.Run("unlinked queue", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints?linked=false", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		_, rows, _ := strings.Cut(string(r.Body), `id="results"`)
		assert.Contains(t, rows, `href="`+unlinked+`"`)
		assert.NotContains(t, rows, `href="`+linked+`"`)
		assert.Contains(t, string(r.Body), "<h1>未关联队列</h1>")
	})
	t.Run("filter by enterprise", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints?uscc="+uscc+"&category=&status=open&linked=", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Contains(t, string(r.Body), `href="`+linked+`"`)
		assert.NotContains(t, string(r.Body), `href="`+unlinked+`"`)
	})
	t.Run("next page keeps the filters", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints?limit=1&district=110105", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		next := regexp.MustCompile(`href="([^"]+)" id="next"`).FindSubmatch(r.Body)
		require.NotNil(t, next, "no next page link")
		u, err := url.Parse(strings.ReplaceAll(string(next[1]), "&amp;", "&"))
		require.NoError(t, err)
		assert.Equal(t, "110105", u.Query().Get("district"))
		assert.Equal(t, "1", u.Query().Get("limit"))
		second := env.page(t, s, "GET", u.RequestURI(), nil)
		require.Equal(t, http.StatusOK, second.Status, "body: %s", second.Body)
		assert.Contains(t, string(second.Body), `href="`+linked+`"`, "the older complaint is on page two")
		assert.NotContains(t, string(second.Body), `href="`+unlinked+`"`)
	})
	t.Run("bad filters are shown on the page", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints?from=20261120&category=vip&linked=maybe", nil)
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
		body := string(r.Body)
		assert.Contains(t, body, "日期格式应为")
		assert.Contains(t, body, "未知的投诉类别")
		assert.Contains(t, body, "应为 true 或 false")
		assert.Contains(t, body, `value="20261120"`, "typed values stay in the form")
		assert.NotContains(t, body, `id="results"`)

		r = env.page(t, s, "GET", "/console/complaints?uscc[$ne]=", nil)
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, string(r.Body), "未知的查询参数")
	})
	t.Run("start page links the queue", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console", nil)
		for _, want := range []string{`href="/console/complaints"`, `href="/console/complaints?linked=false"`,
			`href="/console/complaints/import"`, `href="/console/complaints/rates"`} {
			assert.Contains(t, string(r.Body), want)
		}
	})
}

func TestConsole_ComplaintPageShowsComplainant(t *testing.T) {
	env := newTestEnv(t)
	env.createEnterprise("MA01CP1G0", nil)
	path := env.fileComplaint(t, "P1", "北京朝阳悦动健身有限公司", 1)
	s := env.signIn(t, user.Regulator)

	r := env.page(t, s, "GET", path, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	body := string(r.Body)
	assert.Contains(t, body, "张伟")
	assert.Contains(t, body, "13812341234")
	assert.Contains(t, body, "拒绝退费", "the complaint's text")
	assert.Contains(t, body, "标注依据", "the tagger's evidence")
	assert.Contains(t, body, "北京朝阳悦动健身有限公司")

	escaped := env.page(t, s, "GET", "/console/complaints/12345%3AP1", nil)
	assert.Equal(t, http.StatusOK, escaped.Status, "a percent-encoded colon")
	missing := env.page(t, s, "GET", "/console/complaints/12345:none", nil)
	assert.Equal(t, http.StatusNotFound, missing.Status)
}

func TestConsole_LinkComplaintByHand(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01LNKF0", nil)
	path := env.fileComplaint(t, "L1", "悦动健身望京店", 1)
	s := env.signIn(t, user.Regulator)

	t.Run("bad code", func(t *testing.T) {
		r := env.submit(t, s, path, path+"/link", url.Values{"uscc": {wrongCheck(t, uscc)}})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "uscc"), "校验位应为")
	})
	t.Run("unknown enterprise", func(t *testing.T) {
		r := env.submit(t, s, path, path+"/link", url.Values{"uscc": {validUSCC(t, "MA01N0NE0")}})
		require.Equal(t, http.StatusNotFound, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "uscc"), "没有这个统一社会信用代码的企业")
	})
	assert.Empty(t, env.complaintJSON(t, "L1").USCC, "nothing linked yet")

	r := env.submit(t, s, path, path+"/link", url.Values{"uscc": {strings.ToLower(uscc)}, "add_alias": {"on"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	assert.Equal(t, path, r.Header.Get("Location"))
	got := env.complaintJSON(t, "L1")
	assert.Equal(t, uscc, got.USCC)
	assert.Equal(t, "manual", got.LinkedBy)
	assert.Contains(t, env.get(t, uscc).Aliases, "悦动健身望京店")

	page := env.page(t, s, "GET", path, nil)
	assert.Contains(t, string(page.Body), "人工关联")
	env.fileComplaint(t, "L2", "悦动健身（望京店）", 0)
	assert.Equal(t, uscc, env.complaintJSON(t, "L2").USCC, "the recorded alias links later complaints")
}

func TestConsole_CorrectCategory(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01CATF0", nil)
	path := env.fileComplaint(t, "C1", "北京朝阳悦动健身有限公司", 1)
	s := env.signIn(t, user.Regulator)

	page := env.page(t, s, "GET", path, nil)
	assert.Contains(t, string(page.Body), `name="version" value="1"`)
	r := env.page(t, s, "POST", path+"/category",
		url.Values{"csrf": {formCSRF(t, page)}, "category": {"transfer"}, "version": {"1"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	got := env.complaintJSON(t, "C1")
	assert.Equal(t, "transfer", got.Category)
	assert.Equal(t, "corrected", got.CategorySource)
	assert.Contains(t, string(env.page(t, s, "GET", path, nil).Body), "人工更正")

	t.Run("stale version", func(t *testing.T) {
		r := env.page(t, s, "POST", path+"/category",
			url.Values{"csrf": {s.csrf}, "category": {"other"}, "version": {"1"}})
		require.Equal(t, http.StatusPreconditionFailed, r.Status, "body: %s", r.Body)
		assert.Contains(t, string(r.Body), "已被他人修改")
		assert.Contains(t, string(r.Body), `name="version" value="2"`, "the form now carries the latest version")
		assert.Equal(t, "transfer", env.complaintJSON(t, "C1").Category)
	})
	t.Run("unknown category", func(t *testing.T) {
		r := env.page(t, s, "POST", path+"/category",
			url.Values{"csrf": {s.csrf}, "category": {"vip"}, "version": {"2"}})
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Contains(t, fieldBlock(t, r.Body, "category"), "未知的投诉类别")
	})

	dossier := env.page(t, s, "GET", "/console/enterprises/"+uscc, nil)
	_, section, _ := strings.Cut(string(dossier.Body), `id="complaints"`)
	assert.Contains(t, section, "转让纠纷")
	assert.NotContains(t, section, "退费难")
}

// uploadForm posts a file through the console's import form as a browser does: multipart,
// with the CSRF field unless csrf is empty.
func (e *testEnv) uploadForm(t *testing.T, s session, csrf, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		require.NoError(t, mw.WriteField("csrf", csrf))
	}
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", "/console/complaints/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "prepaidreg_session", Value: s.cookie})
	resp, err := e.app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// waitReportPage polls an import's report page until the import is no longer running.
func (e *testEnv) waitReportPage(t *testing.T, s session, path string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := e.page(t, s, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		if !strings.Contains(string(r.Body), "import-running") {
			assert.NotContains(t, string(r.Body), `http-equiv="refresh"`, "a finished report stays put")
			return string(r.Body)
		}
		assert.Contains(t, string(r.Body), `<meta http-equiv="refresh" content="2">`)
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import at %s still running", path)
	return ""
}

// countOf reads a number the report page shows by its element id.
func countOf(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(body)
	require.NotNil(t, m, "no %s on the page", id)
	return m[1]
}

func TestConsole_ImportThroughTheForm(t *testing.T) {
	env := newTestEnv(t)
	env.createEnterprise("MA01XMPF0", nil)
	s := env.signIn(t, user.Regulator)
	text := "来电人反映该店突然关门，电话无人接听，要求退还预付卡余额。"
	file := hotlineXLSX(t, [][]any{
		{"F001", "2026-11-03 09:30", "李娜", "13900001111", "北京朝阳悦动健身有限公司", text, "3,800元", "办理中"},
		{"F002", "2026-11-05 10:00", "赵敏", "13900003333", "没登记的店", text, "", "已回复"},
		{"", "2026-11-05 10:00", "钱七", "13900004444", "没登记的店", text, "", "已回复"},
	})

	form := env.page(t, s, "GET", "/console/complaints/import", nil)
	assert.Contains(t, string(form.Body), `enctype="multipart/form-data"`)
	r := env.uploadForm(t, s, formCSRF(t, form), "工单.xlsx", file)
	require.Equal(t, http.StatusSeeOther, r.Status, "body: %s", r.Body)
	loc := r.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/console/complaints/imports/"), "redirected to %s", loc)

	body := env.waitReportPage(t, s, loc)
	assert.Contains(t, body, "已完成")
	assert.Equal(t, "3", countOf(t, body, "count-rows"), "the title and header rows are not work orders")
	assert.Equal(t, "2", countOf(t, body, "count-imported"))
	assert.Equal(t, "0", countOf(t, body, "count-duplicates"))
	assert.Equal(t, "1", countOf(t, body, "count-linked"))
	assert.Equal(t, "1", countOf(t, body, "count-unlinked"))
	assert.Equal(t, "1", countOf(t, body, "count-rejected"))
	_, rejected, _ := strings.Cut(body, `id="rejected"`)
	assert.Contains(t, rejected, "第 5 行")
	assert.Contains(t, rejected, "工单编号：缺少工单编号")
	assert.NotContains(t, body, "13900001111", "the report names no complainant")

	t.Run("a running import refreshes itself", func(t *testing.T) {
		running, err := env.registry.NewImport(t.Context(), actorSystem, "工单.xlsx")
		require.NoError(t, err)
		r := env.page(t, s, "GET", "/console/complaints/imports/"+running.ID, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Contains(t, string(r.Body), `<meta http-equiv="refresh" content="2">`)
		assert.Contains(t, string(r.Body), "导入中")
	})
	t.Run("unknown import", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints/imports/20261203-000000-none", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}

func TestConsole_ImportRefusesBadFiles(t *testing.T) {
	env := newTestEnv(t)
	s := env.signIn(t, user.Regulator)
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string
	}{
		{"renamed PDF", "工单.xlsx", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
			"不是 xlsx 或 csv"},
		{"empty file", "工单.csv", nil, "文件为空"},
		{"missing columns", "工单.csv", []byte("工单编号,诉求人\nA1,张三\n"), "缺少必需的列"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.uploadForm(t, s, s.csrf, tt.file, tt.content)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
			assert.Contains(t, fieldBlock(t, r.Body, "file"), tt.want)
			assert.Contains(t, string(r.Body), `name="csrf"`, "the form is shown again")
		})
	}

	var list struct{ Items []complaintBody }
	env.do(user.Regulator, "GET", "/api/v1/complaints", nil).JSON(t, &list)
	assert.Empty(t, list.Items, "nothing was written")
	n, err := env.store.DB.Collection(registry.ImportsCollection).CountDocuments(t.Context(), bson.M{})
	require.NoError(t, err)
	assert.Zero(t, n, "no import job was recorded")
}

func TestConsole_ComplaintFormsNeedCSRF(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01C5RF1", nil)
	path := env.fileComplaint(t, "X1", "不认识的店", 1)
	s := env.signIn(t, user.Regulator)

	for _, tc := range []struct {
		name string
		do   func() response
	}{
		{"link", func() response {
			return env.page(t, s, "POST", path+"/link", url.Values{"uscc": {uscc}})
		}},
		{"category", func() response {
			return env.page(t, s, "POST", path+"/category", url.Values{"category": {"other"}, "version": {"1"}})
		}},
		{"import", func() response {
			return env.uploadForm(t, s, "", "工单.csv", []byte("工单编号,受理时间,被反映主体,诉求内容\n"))
		}},
		{"wrong token", func() response {
			return env.page(t, s, "POST", path+"/link", url.Values{"uscc": {uscc}, "csrf": {"not-the-token"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, http.StatusForbidden, tc.do().Status)
		})
	}
	got := env.complaintJSON(t, "X1")
	assert.Empty(t, got.USCC)
	assert.Equal(t, int64(1), got.Version)
}

func TestConsole_DossierComplaintsSection(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01D0CC0", nil)
	for i, days := range []int{0, 3, 45, 120} {
		env.fileComplaint(t, fmt.Sprintf("D%d", i), "北京朝阳悦动健身有限公司", days)
	}
	s := env.signIn(t, user.Regulator)

	r := env.page(t, s, "GET", "/console/enterprises/"+uscc, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	_, section, ok := strings.Cut(string(r.Body), `id="complaints"`)
	require.True(t, ok)
	section, _, _ = strings.Cut(section, "</section>")
	assert.Equal(t, "4", countOf(t, section, "complaints-total"))
	assert.Equal(t, "4", countOf(t, section, "complaints-open"))
	assert.Equal(t, "2", countOf(t, section, "complaints-30"))
	assert.Equal(t, "3", countOf(t, section, "complaints-90"))
	assert.Equal(t, "15,200.00", countOf(t, section, "complaints-amount"))
	assert.Contains(t, section, "退费难")
	first := time.Now().AddDate(0, 0, -120).In(shanghaiZone(t)).Format(time.DateOnly)
	assert.Contains(t, section, first, "the first complaint's date")
	assert.Contains(t, section, `href="/console/complaints?uscc=`+uscc+`"`)

	assert.Contains(t, section, "<svg")
	assert.Contains(t, section, "<title>近180天每日投诉件数</title>")
	assert.Equal(t, 180, strings.Count(section, "<rect"), "one bar a day")
	today := time.Now().In(shanghaiZone(t)).Format("01-02")
	assert.Contains(t, section, "<title>"+today+"：1</title>", "today's bar")
	assertNoComplainant(t, r.Body, "the dossier")
}

func shanghaiZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	return loc
}

func TestBrowser_ImportAndSeeChart(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01BRCH0", nil)
	base := serveLoopback(t, env.app)
	tab := newBrowser(t)

	text := "来电人反映在该健身房办理年卡，现商家拒绝退费，要求退还剩余课时费用。"
	rows := [][]any{{"", time.Now().Format("2006-01-02 15:04"), "钱七", "13900004444", "悦动健身", text, "", ""}}
	for i := range 40 {
		at := time.Now().AddDate(0, 0, -(i*i)%170).Format("2006-01-02 15:04")
		rows = append(rows, []any{fmt.Sprintf("B%03d", i), at, "李娜", "13900001111", "北京朝阳悦动健身有限公司",
			text, "1,200元", "办理中"})
	}
	rows = append(rows, []any{"B900", time.Now().Format("2006-01-02 15:04"), "赵敏", "13900003333",
		"悦动健身望京店", "该店关门跑路，预付卡无法使用。", "5000", "已回复"})
	file := filepath.Join(t.TempDir(), "工单.xlsx")
	require.NoError(t, os.WriteFile(file, hotlineXLSX(t, rows), 0o600))
	bad := filepath.Join(t.TempDir(), "假表格.xlsx")
	require.NoError(t, os.WriteFile(bad, []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), 0o600))

	// Sign in on the way to the upload form; a PDF renamed .xlsx is refused on the form.
	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+"/console/complaints/import"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "regulator1"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
	))
	follow(t, tab, http.StatusOK, "/console/complaints/import", chromedp.Click(chromedp.ID("login")))
	require.NoError(t, chromedp.Do(tab, chromedp.SetUploadFiles(chromedp.ID("file"), []string{bad})))
	follow(t, tab, http.StatusBadRequest, "/console/complaints/import", chromedp.Click(chromedp.ID("upload")))
	msg, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("#field-file .field-error")))
	require.NoError(t, err)
	assert.Contains(t, msg, "不是 xlsx 或 csv 表格")
	screenshot(t, tab, "prepaidreg-import-refused")

	// The real export leads to its report, which refreshes itself until the import is done.
	require.NoError(t, chromedp.Do(tab, chromedp.SetUploadFiles(chromedp.ID("file"), []string{file})))
	follow(t, tab, http.StatusOK, "/console/complaints/imports/", chromedp.Click(chromedp.ID("upload")))
	require.NoError(t, chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS("#import-status.import-done"))))
	imported, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("count-imported")))
	require.NoError(t, err)
	assert.Equal(t, "41", imported)
	screenshot(t, tab, "prepaidreg-import-report")

	// The unlinked one waits in the queue; link it by hand and keep its name as an alias.
	follow(t, tab, http.StatusOK, "linked=false",
		chromedp.Click(chromedp.CSS(`a[href="/console/complaints?linked=false"]`)))
	screenshot(t, tab, "prepaidreg-unlinked-queue")
	follow(t, tab, http.StatusOK, "/console/complaints/12345:B900",
		chromedp.Click(chromedp.CSS(`#results td.code a`)))
	who, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("phone")))
	require.NoError(t, err)
	assert.Equal(t, "13900003333", who, "the complaint's own page shows the phone in full")
	require.NoError(t, chromedp.Do(tab,
		chromedp.SendKeys(chromedp.ID("link-uscc"), uscc),
		chromedp.Click(chromedp.CSS(`input[name="add_alias"]`)),
	))
	follow(t, tab, http.StatusOK, "/console/complaints/12345:B900", chromedp.Click(chromedp.ID("link-save")))
	linked, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("linked-enterprise")))
	require.NoError(t, err)
	assert.Contains(t, linked, "北京朝阳悦动健身有限公司")
	screenshot(t, tab, "prepaidreg-complaint")

	// The dossier counts all of them and draws the daily series.
	follow(t, tab, http.StatusOK, "/console/enterprises/"+uscc, chromedp.Click(chromedp.ID("linked-enterprise")))
	total, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("complaints-total")))
	require.NoError(t, err)
	assert.Equal(t, "41", total)
	bars, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#complaints svg rect").length`))
	require.NoError(t, err)
	assert.Equal(t, 180, bars, "one bar a day")
	screenshot(t, tab, "prepaidreg-dossier-chart")

	follow(t, tab, http.StatusOK, "uscc="+uscc, chromedp.Click(chromedp.ID("complaint-list")))
	list, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("results")))
	require.NoError(t, err)
	assert.Contains(t, list, "李*")
	assert.NotContains(t, list, "13900001111")
	screenshot(t, tab, "prepaidreg-complaints")

	follow(t, tab, http.StatusOK, "/console", chromedp.Click(chromedp.CSS(`header a[href="/console"]`)))
	require.NoError(t, chromedp.Do(tab, chromedp.WaitVisible(chromedp.ID("unlinked-queue"))))
	screenshot(t, tab, "prepaidreg-console")
}
