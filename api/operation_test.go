package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/enforcement"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/user"
)

// opDay is the day the operations of these tests take place on.
const opDay = "2026-11-20"

// setOperationClock puts the enforcement service at 15:00 on opDay in Asia/Shanghai, a second
// later at each reading, so that operations recorded one after another are ordered.
func setOperationClock(env *testEnv) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	env.enforcement.SetClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	})
}

// operationBody is an operation as the API returns it.
type operationBody struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	LegalBasis     string   `json:"legal_basis"`
	LeadDepartment string   `json:"lead_department"`
	Departments    []string `json:"departments"`
	Targets        []string `json:"targets"`
	Date           string   `json:"date"`
	Version        int64    `json:"version"`
}

// operationInput is a valid operation at the targets, led by market regulation with commerce
// and the street office taking part.
func operationInput(title string, targets ...string) map[string]any {
	return map[string]any{
		"title":           title,
		"legal_basis":     "《北京市单用途预付卡管理条例》第二十五条",
		"lead_department": "market",
		"departments":     []string{"commerce", "street_office"},
		"targets":         targets,
		"date":            opDay,
	}
}

// createOperation records an operation through the API.
func (e *testEnv) createOperation(t *testing.T, title string, targets ...string) operationBody {
	t.Helper()
	r := e.do(user.Regulator, "POST", "/api/v1/operations", operationInput(title, targets...))
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var o operationBody
	r.JSON(t, &o)
	assert.Equal(t, "/api/v1/operations/"+o.ID, r.Header.Get("Location"))
	return o
}

// inspectionInput is a record of two market inspectors and one from commerce who found an
// unfiled prepaid business, fined it 12,345.67 yuan and ordered it to rectify.
func inspectionInput() map[string]any {
	return map[string]any{
		"inspectors": []map[string]any{
			{"name": "张明", "department": "market", "badge_number": "11010500001"},
			{"name": "李华", "department": "market", "badge_number": "11010500002"},
			{"name": "王芳", "department": "commerce", "badge_number": "11010500103"},
		},
		"findings": []map[string]any{{
			"category":    "no_filing",
			"description": "现场发售储值卡，未按规定向商务部门备案预付式经营",
			"evidence":    []string{"照片-01", "售卡合同-03"},
		}},
		"measures": []map[string]any{
			{"kind": "fine", "amount_fen": 1234567, "decision_number": "京朝市监罚〔2026〕118号"},
			{"kind": "rectify", "deadline": "2026-12-20T00:00:00+08:00"},
		},
		"acknowledgement": map[string]any{"name": "赵店长", "role": "店长"},
	}
}

// inspectionBody is an inspection record as the API returns it.
type inspectionBody struct {
	ID         string `json:"id"`
	USCC       string `json:"uscc"`
	Version    int64  `json:"version"`
	Inspectors []struct {
		Name string `json:"name"`
	} `json:"inspectors"`
	Findings []struct {
		Description string `json:"description"`
	} `json:"findings"`
	Measures []struct {
		Kind      string `json:"kind"`
		AmountFen int64  `json:"amount_fen"`
	} `json:"measures"`
}

// operationFixture is an operation at two enterprises on file.
type operationFixture struct {
	env   *testEnv
	op    operationBody
	uscc  string
	other string
}

func newOperationFixture(t *testing.T) operationFixture {
	t.Helper()
	env := newTestEnv(t)
	setOperationClock(env)
	uscc := env.createEnterprise("MA01JF001", map[string]any{"name": "北京朝阳悦动健身有限公司"})
	other := env.createEnterprise("MA01JF002",
		map[string]any{"name": "北京朝阳启航教育培训学校", "industry": "education"})
	op := env.createOperation(t, "朝阳区预付式消费联合执法检查", uscc, other)
	return operationFixture{env: env, op: op, uscc: uscc, other: other}
}

// inspectionURL is the API address of the fixture's record of uscc.
func (f operationFixture) inspectionURL(uscc string) string {
	return "/api/v1/operations/" + f.op.ID + "/inspections/" + uscc
}

// record puts the inspection input at uscc and wants status.
func (f operationFixture) record(t *testing.T, uscc string, in any, status int, headers ...string) response {
	t.Helper()
	r := f.env.do(user.Regulator, "PUT", f.inspectionURL(uscc), in, headers...)
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	return r
}

func TestOperationAPI_CreateGetAndList(t *testing.T) {
	env := newTestEnv(t)
	setOperationClock(env)
	uscc := env.createEnterprise("MA01JF003", nil)
	var ids []string
	for i := range 3 {
		ids = append(ids, env.createOperation(t, fmt.Sprintf("第%d批联合执法", i+1), uscc).ID)
	}

	r := env.do(user.Supervisor, "GET", "/api/v1/operations/"+ids[0], nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	var got operationBody
	r.JSON(t, &got)
	assert.Equal(t, "第1批联合执法", got.Title)
	assert.Equal(t, []string{"market", "commerce", "street_office"}, got.Departments, "the lead takes part")
	assert.Equal(t, []string{uscc}, got.Targets)
	assert.Equal(t, opDay, got.Date)

	t.Run("pages newest first", func(t *testing.T) {
		var first struct {
			Items      []operationBody `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		env.do(user.Regulator, "GET", "/api/v1/operations?limit=2", nil).JSON(t, &first)
		require.Len(t, first.Items, 2)
		assert.Equal(t, []string{ids[2], ids[1]}, []string{first.Items[0].ID, first.Items[1].ID})
		require.NotEmpty(t, first.NextCursor)

		var second struct {
			Items      []operationBody `json:"items"`
			NextCursor string          `json:"next_cursor"`
		}
		env.do(user.Regulator, "GET", "/api/v1/operations?limit=2&cursor="+first.NextCursor, nil).JSON(t, &second)
		require.Len(t, second.Items, 1)
		assert.Equal(t, ids[0], second.Items[0].ID)
		assert.Empty(t, second.NextCursor)
	})

	t.Run("bad query", func(t *testing.T) {
		for _, q := range []string{"limit=0", "limit=abc", "cursor=not-a-cursor", "title[$ne]=x"} {
			r := env.do(user.Regulator, "GET", "/api/v1/operations?"+q, nil)
			assert.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", q, r.Body)
			assert.NotEmpty(t, r.Problem(t).Errors, q)
		}
	})

	t.Run("unknown operation", func(t *testing.T) {
		for _, p := range []string{"/api/v1/operations/OP-20261120-000000", "/api/v1/operations/OP-x/matrix"} {
			r := env.do(user.Regulator, "GET", p, nil)
			assert.Equal(t, http.StatusNotFound, r.Status, "%s: %s", p, r.Body)
		}
	})
}

func TestOperationAPI_RecordInspectionAndMatrix(t *testing.T) {
	f := newOperationFixture(t)

	// No If-Match creates the record.
	r := f.record(t, f.uscc, inspectionInput(), http.StatusCreated)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	assert.Equal(t, f.inspectionURL(f.uscc), r.Header.Get("Location"))

	r = f.env.do(user.Supervisor, "GET", f.inspectionURL(f.uscc), nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	var ins inspectionBody
	r.JSON(t, &ins)
	assert.Equal(t, f.uscc, ins.USCC)
	require.Len(t, ins.Measures, 2)
	assert.Equal(t, int64(1234567), ins.Measures[0].AmountFen)

	var m enforcement.Matrix
	f.env.do(user.Regulator, "GET", "/api/v1/operations/"+f.op.ID+"/matrix", nil).JSON(t, &m)
	assert.Equal(t,
		enforcement.MatrixTotals{Targets: 2, Inspected: 1, Findings: 1, Fines: 1, FinesFen: 1234567}, m.Totals)
	require.Len(t, m.Targets, 2)
	assert.Equal(t, "北京朝阳悦动健身有限公司", m.Targets[0].Name)
	assert.Equal(t, 3, m.Targets[0].Inspectors)
	assert.Equal(t, enforcement.MeasureCounts{Fine: 1, Rectify: 1}, m.Targets[0].Measures)
	assert.False(t, m.Targets[1].Inspected)
	cells := map[enforcement.Department][]int{}
	for _, row := range m.Rows {
		for _, c := range row.Cells {
			cells[row.Department] = append(cells[row.Department], c.Inspectors)
		}
	}
	assert.Equal(t, map[enforcement.Department][]int{
		"market": {2, 0}, "commerce": {1, 0}, "street_office": {0, 0},
	}, cells)
	assert.True(t, m.Rows[0].Lead)
	assert.Equal(t, int64(1234567), m.Rows[0].FinesFen)

	t.Run("replace at the version read", func(t *testing.T) {
		in := inspectionInput()
		in["address"] = "北京市朝阳区阜通东大街6号B1"
		r := f.record(t, f.uscc, in, http.StatusOK, "If-Match", `"1"`)
		assert.Equal(t, `"2"`, r.Header.Get("ETag"))
	})

	t.Run("stale version", func(t *testing.T) {
		for _, v := range []string{`"1"`, "0", `"7"`} {
			r := f.record(t, f.uscc, inspectionInput(), http.StatusPreconditionFailed, "If-Match", v)
			assert.Contains(t, r.Problem(t).Detail, "已被他人修改")
		}
		r := f.record(t, f.uscc, inspectionInput(), http.StatusPreconditionFailed)
		assert.Contains(t, r.Problem(t).Detail, "已被他人修改", "no If-Match only creates")
	})
}

func TestOperationAPI_InspectionPDF(t *testing.T) {
	f := newOperationFixture(t)
	f.record(t, f.uscc, inspectionInput(), http.StatusCreated)

	r := f.env.do(user.Regulator, "GET", f.inspectionURL(f.uscc)+"/record.pdf", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="inspection-`+f.op.ID+`-`+f.uscc+`.pdf"`,
		r.Header.Get("Content-Disposition"))

	text := pdftest.Squash(pdftest.Text(t, r.Body))
	for _, want := range []string{
		"北京朝阳悦动健身有限公司", f.uscc, "现场发售储值卡，未按规定向商务部门备案预付式经营",
		"12,345.67 元", "京朝市监罚〔2026〕118号", "2026-12-20",
	} {
		assert.Contains(t, text, pdftest.Squash(want))
	}

	r = f.env.do(user.Regulator, "GET", f.inspectionURL(f.other)+"/record.pdf", nil)
	assert.Equal(t, http.StatusNotFound, r.Status, "no record yet: %s", r.Body)
}

func TestOperationAPI_BadInput(t *testing.T) {
	f := newOperationFixture(t)
	f.record(t, f.uscc, inspectionInput(), http.StatusCreated)
	before := f.env.do(user.Regulator, "GET", f.inspectionURL(f.uscc), nil).Body

	// with returns the valid inspection with one measure, or one inspector, changed.
	withFine := func(amount any) map[string]any {
		in := inspectionInput()
		in["measures"] = []map[string]any{{"kind": "fine", "amount_fen": amount, "decision_number": "罚〔2026〕1号"}}
		return in
	}
	withInspector := func(dept string) map[string]any {
		in := inspectionInput()
		in["inspectors"] = []map[string]any{{"name": "张明", "department": dept, "badge_number": "1"}}
		return in
	}
	huge := `{"address":"` + strings.Repeat("x", 1<<20) + `"}`

	for _, tc := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"unknown field", `{"inspectorz":[]}`, http.StatusBadRequest, "inspectorz"},
		{"fine with decimals", withFine(12.5), http.StatusBadRequest, "measures.amount_fen"},
		{"fine as text", withFine("abc"), http.StatusBadRequest, "measures.amount_fen"},
		{"negative fine", withFine(-100), http.StatusBadRequest, "measures[0].amount_fen"},
		{"fine over 10^13", withFine(enforcement.MaxFineFen + 1), http.StatusBadRequest, "measures[0].amount_fen"},
		{"unknown department", withInspector("police"), http.StatusBadRequest, "inspectors[0].department"},
		{"department not taking part", withInspector("health"), http.StatusBadRequest, "inspectors[0].department"},
		{"hostile department", withInspector("<script>alert(1)</script>"), http.StatusBadRequest,
			"inspectors[0].department"},
		{"operator as a name", `{"inspectors":[{"name":{"$gt":""}}]}`, http.StatusBadRequest, "inspectors.name"},
		{"body over 1 MiB", huge, http.StatusRequestEntityTooLarge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.record(t, f.uscc, tc.body, tc.status, "If-Match", `"1"`)
			p := r.Problem(t)
			assert.NotEmpty(t, p.Detail)
			if tc.field != "" {
				assert.Contains(t, p.fieldNames(), tc.field, "body: %s", r.Body)
			}
		})
	}

	t.Run("enterprise not a target", func(t *testing.T) {
		stranger := f.env.createEnterprise("MA01JF009", nil)
		r := f.record(t, stranger, inspectionInput(), http.StatusNotFound)
		assert.Contains(t, r.Problem(t).Detail, "不是本次联合执法的检查对象")
	})

	t.Run("nothing was written", func(t *testing.T) {
		after := f.env.do(user.Regulator, "GET", f.inspectionURL(f.uscc), nil)
		require.Equal(t, http.StatusOK, after.Status)
		assert.JSONEq(t, string(before), string(after.Body))
		assert.Equal(t, `"1"`, after.Header.Get("ETag"))
	})

	t.Run("operation input", func(t *testing.T) {
		title := operationInput("x", f.uscc)
		title["title"] = map[string]string{"$gt": ""}
		script := operationInput("x", f.uscc)
		script["lead_department"] = "<script>"
		stranger := operationInput("x", f.uscc, "{\"$gt\":\"\"}")
		for _, tc := range []struct {
			name  string
			body  any
			field string
		}{
			{"operator as a title", title, "title"},
			{"hostile lead department", script, "lead_department"},
			{"operator as a target", stranger, "targets[1]"},
			{"unknown field", `{"titel":"x"}`, "titel"},
		} {
			r := f.env.do(user.Regulator, "POST", "/api/v1/operations", tc.body)
			require.Equal(t, http.StatusBadRequest, r.Status, "%s: %s", tc.name, r.Body)
			assert.Contains(t, r.Problem(t).fieldNames(), tc.field, tc.name)
		}
		var list struct {
			Items []operationBody `json:"items"`
		}
		f.env.do(user.Regulator, "GET", "/api/v1/operations", nil).JSON(t, &list)
		assert.Len(t, list.Items, 1, "no operation was written")
	})

	t.Run("a script is only text", func(t *testing.T) {
		o := f.env.createOperation(t, "<script>alert(1)</script>", f.uscc)
		page := f.env.pageAs(t, user.Regulator, "GET", "/console/operations/"+o.ID)
		require.Equal(t, http.StatusOK, page.Status)
		assert.NotContains(t, string(page.Body), "<script>alert(1)")
		assert.Contains(t, string(page.Body), "&lt;script&gt;alert(1)&lt;/script&gt;")
	})

	r := f.env.do(user.Public, "GET", "/healthz", nil)
	assert.Equal(t, http.StatusOK, r.Status, "the server keeps serving")
}
