package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"prepaidreg/internal/user"
)

type complaintBody struct {
	ID               string   `json:"id"`
	Ticket           string   `json:"ticket"`
	ComplainantName  string   `json:"complainant_name"`
	ComplainantPhone string   `json:"complainant_phone"`
	Category         string   `json:"category"`
	CategorySource   string   `json:"category_source"`
	TagEvidence      []string `json:"tag_evidence"`
	USCC             string   `json:"uscc"`
	LinkedBy         string   `json:"linked_by"`
	Handling         string   `json:"handling"`
	AmountFen        int64    `json:"amount_fen"`
	Version          int64    `json:"version"`
}

func complaintInput(ticket, reported string) map[string]any {
	return map[string]any{
		"ticket": ticket, "received_at": "2026-11-20T02:30:00Z", "complainant_name": "张伟",
		"complainant_phone": "13812341234", "reported_name": reported, "district": "110105", "street": "望京街道",
		"text": "来电人反映在该健身房办理年卡3800元，现商家拒绝退费。", "amount_fen": 380000,
		"handling_status": "办理中",
	}
}

func TestComplaint_CreateIsIdempotentByTicket(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01CMPL0", nil)

	r := env.do(user.Regulator, "POST", "/api/v1/complaints",
		complaintInput("2026112000001", "北京朝阳悦动健身有限公司"))
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var first struct {
		Created   bool          `json:"created"`
		Complaint complaintBody `json:"complaint"`
	}
	r.JSON(t, &first)
	assert.True(t, first.Created)
	assert.Equal(t, "12345:2026112000001", first.Complaint.ID)
	assert.Equal(t, uscc, first.Complaint.USCC, "linked by exact name")
	assert.Equal(t, "refund_refused", first.Complaint.Category)
	assert.Equal(t, "rules", first.Complaint.CategorySource)
	assert.NotEmpty(t, first.Complaint.TagEvidence)

	r = env.do(user.Regulator, "POST", "/api/v1/complaints", complaintInput("2026112000001", "别的名字"))
	require.Equal(t, http.StatusOK, r.Status)
	var second struct {
		Created   bool          `json:"created"`
		Complaint complaintBody `json:"complaint"`
	}
	r.JSON(t, &second)
	assert.False(t, second.Created, "the second answer says it was already on file")
	assert.Equal(t, uscc, second.Complaint.USCC, "the one on file, unchanged")

	var d struct {
		Complaints struct {
			Total     int64            `json:"total"`
			Open      int64            `json:"open"`
			AmountFen int64            `json:"amount_fen"`
			Category  map[string]int64 `json:"by_category"`
			Daily     []struct {
				Date  string `json:"date"`
				Count int64  `json:"count"`
			} `json:"daily"`
		} `json:"complaints"`
	}
	env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil).JSON(t, &d)
	assert.EqualValues(t, 1, d.Complaints.Total)
	assert.EqualValues(t, 1, d.Complaints.Open)
	assert.EqualValues(t, 380000, d.Complaints.AmountFen)
	assert.Len(t, d.Complaints.Daily, 180)
}

func TestComplaint_PrivacyAndFilters(t *testing.T) {
	env := newTestEnv(t)
	env.createEnterprise("MA01CMPR0", nil)
	for i, name := range []string{"北京朝阳悦动健身有限公司", "不认识的店"} {
		r := env.do(user.Regulator, "POST", "/api/v1/complaints", complaintInput(fmt.Sprintf("T%d", i), name))
		require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	}

	full := env.do(user.Regulator, "GET", "/api/v1/complaints/"+url.PathEscape("12345:T0"), nil)
	require.Equal(t, http.StatusOK, full.Status, "body: %s", full.Body)
	assert.Contains(t, string(full.Body), `"complainant_phone":"13812341234"`)
	assert.Contains(t, string(full.Body), `"complainant_name":"张伟"`)

	list := env.do(user.Regulator, "GET", "/api/v1/complaints", nil)
	require.Equal(t, http.StatusOK, list.Status)
	assert.NotContains(t, string(list.Body), "13812341234")
	assert.NotContains(t, string(list.Body), "张伟")
	assert.Contains(t, string(list.Body), "138****1234")

	var unlinked struct{ Items []complaintBody }
	env.do(user.Regulator, "GET", "/api/v1/complaints?linked=false", nil).JSON(t, &unlinked)
	require.Len(t, unlinked.Items, 1)
	assert.Equal(t, "12345:T1", unlinked.Items[0].ID)

	var byDate struct{ Items []complaintBody }
	env.do(user.Regulator, "GET",
		"/api/v1/complaints?from=2026-11-20&to=2026-11-20&category=refund_refused&status=open",
		nil).JSON(t, &byDate)
	assert.Len(t, byDate.Items, 2, "02:30 UTC is 10:30 on the 20th in Shanghai")

	for _, q := range []string{"?linked=maybe", "?from=20261120", "?category=vip", "?uscc[$ne]=", "?status=done"} {
		r := env.do(user.Regulator, "GET", "/api/v1/complaints"+q, nil)
		assert.Equal(t, http.StatusBadRequest, r.Status, q)
	}
	assert.Equal(t, http.StatusForbidden, env.do(user.Mediator, "GET", "/api/v1/complaints", nil).Status)
}

func TestComplaint_LinkByHandAddsAlias(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01LNKH0", nil)
	r := env.do(user.Regulator, "POST", "/api/v1/complaints", complaintInput("L1", "悦动健身望京店"))
	require.Equal(t, http.StatusCreated, r.Status)

	r = env.do(user.Regulator, "POST", "/api/v1/complaints/12345:L1/link",
		map[string]any{"uscc": uscc, "add_alias": true})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var linked complaintBody
	r.JSON(t, &linked)
	assert.Equal(t, uscc, linked.USCC)
	assert.Equal(t, "manual", linked.LinkedBy)

	r = env.do(user.Regulator, "POST", "/api/v1/complaints", complaintInput("L2", "悦动健身（望京店）"))
	var later struct{ Complaint complaintBody }
	r.JSON(t, &later)
	assert.Equal(t, uscc, later.Complaint.USCC, "the recorded alias links later complaints")
	assert.Contains(t, env.get(t, uscc).Aliases, "悦动健身望京店")

	var d struct {
		Complaints struct{ Total int64 } `json:"complaints"`
	}
	env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil).JSON(t, &d)
	assert.EqualValues(t, 2, d.Complaints.Total)
}

func TestComplaint_CorrectCategory(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01CRCT0", nil)
	env.do(user.Regulator, "POST", "/api/v1/complaints", complaintInput("C1", "北京朝阳悦动健身有限公司"))

	r := env.do(user.Regulator, "PATCH", "/api/v1/complaints/12345:C1", map[string]any{"category": "transfer"},
		"If-Match", `"1"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got complaintBody
	r.JSON(t, &got)
	assert.Equal(t, "transfer", got.Category)
	assert.Equal(t, "corrected", got.CategorySource)

	r = env.do(user.Regulator, "PATCH", "/api/v1/complaints/12345:C1", map[string]any{"category": "other"},
		"If-Match", `"1"`)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status)

	var d struct {
		Complaints struct {
			ByCategory map[string]int64 `json:"by_category"`
		} `json:"complaints"`
	}
	env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil).JSON(t, &d)
	assert.Equal(t, map[string]int64{"transfer": 1}, d.Complaints.ByCategory)
}

// upload posts a file as the multipart field "file".
func (e *testEnv) upload(t *testing.T, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = fw.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req := httptest.NewRequest("POST", "/api/v1/complaints/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.tokens[user.Regulator])
	resp, err := e.app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

type importBody struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Rows       int    `json:"rows"`
	Imported   int    `json:"imported"`
	Duplicates int    `json:"duplicates"`
	Linked     int    `json:"linked"`
	Unlinked   int    `json:"unlinked"`
	Rejected   []struct {
		Row    int `json:"row"`
		Errors []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"rejected"`
}

// waitImport polls an import until it is no longer running.
func (e *testEnv) waitImport(t *testing.T, id string) importBody {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := e.do(user.Regulator, "GET", "/api/v1/complaints/imports/"+id, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var got importBody
		r.JSON(t, &got)
		if got.Status != "running" {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("import %s still running", id)
	return importBody{}
}

// hotlineXLSX makes a 12345 export as a spreadsheet program would: a title row merged across
// the columns, then the header, then the work orders.
func hotlineXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	require.NoError(t, f.SetCellValue(sh, "A1", "北京市12345热线工单导出（2026年11月）"))
	require.NoError(t, f.MergeCell(sh, "A1", "H1"))
	header := []any{"工单编号", "受理时间", "诉求人", "联系电话", "被反映主体", "诉求内容", "涉及金额", "办理状态"}
	require.NoError(t, f.SetSheetRow(sh, "A2", &header))
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		require.NoError(t, f.SetSheetRow(sh, cell, &r))
	}
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	return buf.Bytes()
}

func TestComplaint_ImportSpreadsheet(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01XMPT0", nil)
	text := "来电人反映该店突然关门，电话无人接听，要求退还预付卡余额。"
	file := hotlineXLSX(t, [][]any{
		{"X001", "2026-11-03 09:30", "李娜", "13900001111", "北京朝阳悦动健身有限公司", text, "3,800元", "办理中"},
		{"X002", "2026/11/4 9:30", "王强", "13900002222", "悦动健身", text, "1200", "已办结"},
		{"X003", "2026-11-05 10:00", "赵敏", "13900003333", "没登记的店", text, "", "已回复"},
		{"", "2026-11-05 10:00", "钱七", "13900004444", "没登记的店", text, "", "已回复"},
		{"X001", "2026-11-03 09:30", "李娜", "13900001111", "北京朝阳悦动健身有限公司", text, "3,800元", "办理中"},
		{"X005", "2026-11-06 10:00", "孙八", "13900005555", "没登记的店", `=HYPERLINK("http://x","点我")`, "", ""},
	})

	r := env.upload(t, "工单.xlsx", file)
	require.Equal(t, http.StatusAccepted, r.Status, "body: %s", r.Body)
	var started importBody
	r.JSON(t, &started)
	rep := env.waitImport(t, started.ID)
	assert.Equal(t, "done", rep.Status)
	assert.Equal(t, 6, rep.Rows)
	assert.Equal(t, 4, rep.Imported)
	assert.Equal(t, 1, rep.Duplicates, "the repeated row")
	assert.Equal(t, 2, rep.Linked, "by exact name and by the alias 悦动健身")
	assert.Equal(t, 2, rep.Unlinked)
	require.Len(t, rep.Rejected, 1)
	assert.Equal(t, 6, rep.Rejected[0].Row, "the row without a ticket, counted as the sheet numbers it")
	assert.Equal(t, "ticket", rep.Rejected[0].Errors[0].Field)

	formula := env.do(user.Regulator, "GET", "/api/v1/complaints/12345:X005", nil)
	var fc struct{ Text string }
	formula.JSON(t, &fc)
	assert.Equal(t, `=HYPERLINK("http://x","点我")`, fc.Text, "kept as text, never evaluated")

	again := env.waitImport(t, func() string {
		var s importBody
		env.upload(t, "工单.xlsx", file).JSON(t, &s)
		return s.ID
	}())
	assert.Equal(t, 0, again.Imported)
	assert.Equal(t, 5, again.Duplicates)

	var d struct {
		Complaints struct {
			Total     int64 `json:"total"`
			Open      int64 `json:"open"`
			AmountFen int64 `json:"amount_fen"`
		} `json:"complaints"`
	}
	env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil).JSON(t, &d)
	assert.EqualValues(t, 2, d.Complaints.Total)
	assert.EqualValues(t, 1, d.Complaints.Open)
	assert.EqualValues(t, 500000, d.Complaints.AmountFen)
}

func TestComplaint_ImportRefusesBadFiles(t *testing.T) {
	env := newTestEnv(t)
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string
	}{
		{"renamed PDF", "工单.xlsx", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
			"not a spreadsheet"},
		{"empty file", "工单.csv", nil, "empty"},
		{"missing columns", "工单.csv", []byte("工单编号,诉求人\nA1,张三\n"), "受理时间"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.upload(t, tt.file, tt.content)
			require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
			raw, _ := json.Marshal(r.Problem(t))
			assert.Contains(t, string(raw), tt.want)
		})
	}

	t.Run("no file field", func(t *testing.T) {
		r := env.do(user.Regulator, "POST", "/api/v1/complaints/import", map[string]string{"file": "x"})
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})
	var list struct{ Items []complaintBody }
	env.do(user.Regulator, "GET", "/api/v1/complaints", nil).JSON(t, &list)
	assert.Empty(t, list.Items, "nothing was written")
}
