package api_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"prepaidreg/internal/user"
)

// hyperlinkText is a complaint text a spreadsheet would run as a formula if it were let.
const hyperlinkText = `=HYPERLINK("http://x","点我")`

// rateComplaint is one complaint of the small set the rates and export tests share.
type rateComplaint struct {
	ticket, at, reported, district, street, status, satisfaction, text string
}

// fileRateSet registers a gym and a school and files four complaints whose rates are known:
// 2026-11-30T17:00Z is already December in Shanghai.
func fileRateSet(t *testing.T, env *testEnv) {
	t.Helper()
	env.createEnterprise("MA01RATE1", nil)
	env.createEnterprise("MA01RATE2", map[string]any{"name": "北京青禾教育科技有限公司", "aliases": []string{},
		"industry": "education"})
	for _, c := range []rateComplaint{
		{"T1", "2026-11-10T02:00:00Z", "北京朝阳悦动健身有限公司", "110105", "望京街道", "已办结", "满意", ""},
		{"T2", "2026-11-12T02:00:00Z", "北京朝阳悦动健身有限公司", "110105", "望京街道", "未解决", "不满意", ""},
		{"T3", "2026-11-30T17:00:00Z", "无名小店", "110105", "酒仙桥街道", "已回复", "基本满意", hyperlinkText},
		{"T4", "2026-12-02T03:00:00Z", "北京青禾教育科技有限公司", "110108", "中关村街道", "办理中", "", ""},
	} {
		in := complaintInput(c.ticket, c.reported)
		in["received_at"], in["district"], in["street"] = c.at, c.district, c.street
		in["handling_status"], in["satisfaction"] = c.status, c.satisfaction
		if c.text != "" {
			in["text"] = c.text
		}
		r := env.do(user.Regulator, "POST", "/api/v1/complaints", in)
		require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	}
}

type ratioBody struct {
	Numerator   int64   `json:"numerator"`
	Denominator int64   `json:"denominator"`
	Rate        *string `json:"rate"`
}

// String writes the ratio as "2/3=66.7%", or "0/0=null".
func (r ratioBody) String() string {
	rate := "null"
	if r.Rate != nil {
		rate = *r.Rate
	}
	return fmt.Sprintf("%d/%d=%s", r.Numerator, r.Denominator, rate)
}

type rateGroupBody struct {
	Key          string          `json:"key"`
	Label        string          `json:"label"`
	Complaints   int64           `json:"complaints"`
	Response     ratioBody       `json:"response"`
	Resolution   ratioBody       `json:"resolution"`
	Satisfaction ratioBody       `json:"satisfaction"`
	Streets      []rateGroupBody `json:"streets"`
}

// figures writes a group as one line, for exact comparison.
func (g rateGroupBody) figures() string {
	return fmt.Sprintf("%s %s n=%d resp %s res %s sat %s", g.Key, g.Label, g.Complaints,
		g.Response, g.Resolution, g.Satisfaction)
}

type ratesBody struct {
	Definitions []struct {
		Name    string `json:"name"`
		Chinese string `json:"chinese"`
		English string `json:"english"`
		Formula string `json:"formula"`
	} `json:"definitions"`
	Total      rateGroupBody   `json:"total"`
	ByMonth    []rateGroupBody `json:"by_month"`
	ByDistrict []rateGroupBody `json:"by_district"`
	ByIndustry []rateGroupBody `json:"by_industry"`
}

func figuresOf(gs []rateGroupBody) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.figures()
	}
	return out
}

func TestRates_API(t *testing.T) {
	env := newTestEnv(t)
	fileRateSet(t, env)

	t.Run("every grouping with exact figures", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/complaints/rates", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var b ratesBody
		r.JSON(t, &b)

		require.Len(t, b.Definitions, 3)
		assert.Equal(t, "response", b.Definitions[0].Name)
		assert.Equal(t, "解决率", b.Definitions[1].Chinese)
		assert.Contains(t, b.Definitions[2].Formula, "满意＋基本满意")
		assert.Equal(t, " 合计 n=4 resp 3/4=75.0% res 1/2=50.0% sat 2/3=66.7%", b.Total.figures())
		assert.Equal(t, []string{
			"2026-11 2026年11月 n=2 resp 2/2=100.0% res 1/2=50.0% sat 1/2=50.0%",
			"2026-12 2026年12月 n=2 resp 1/2=50.0% res 0/0=null sat 1/1=100.0%",
		}, figuresOf(b.ByMonth))
		assert.Equal(t, []string{
			"110105 朝阳区 n=3 resp 3/3=100.0% res 1/2=50.0% sat 2/3=66.7%",
			"110108 海淀区 n=1 resp 0/1=0.0% res 0/0=null sat 0/0=null",
		}, figuresOf(b.ByDistrict))
		assert.Equal(t, []string{
			"酒仙桥街道 酒仙桥街道 n=1 resp 1/1=100.0% res 0/0=null sat 1/1=100.0%",
			"望京街道 望京街道 n=2 resp 2/2=100.0% res 1/2=50.0% sat 1/2=50.0%",
		}, figuresOf(b.ByDistrict[0].Streets))
		assert.Equal(t, []string{
			"fitness 健身 n=2 resp 2/2=100.0% res 1/2=50.0% sat 1/2=50.0%",
			"education 教育培训 n=1 resp 0/1=0.0% res 0/0=null sat 0/0=null",
			"unlinked 未关联 n=1 resp 1/1=100.0% res 0/0=null sat 1/1=100.0%",
		}, figuresOf(b.ByIndustry))
		assert.Contains(t, string(r.Body), `"rate":null`)
	})
	t.Run("filters by Shanghai dates and district", func(t *testing.T) {
		var b ratesBody
		env.do(user.Regulator, "GET", "/api/v1/complaints/rates?from=2026-12-01&to=2026-12-31", nil).JSON(t, &b)
		assert.Equal(t, " 合计 n=2 resp 1/2=50.0% res 0/0=null sat 1/1=100.0%", b.Total.figures())
		env.do(user.Regulator, "GET", "/api/v1/complaints/rates?district=110108", nil).JSON(t, &b)
		assert.Equal(t, " 合计 n=1 resp 0/1=0.0% res 0/0=null sat 0/0=null", b.Total.figures())
	})
	t.Run("bad query", func(t *testing.T) {
		for _, q := range []string{"?limit=5", "?status=open", "?from=2026/12/01", "?district=999999",
			"?from=2026-12-05&to=2026-12-01", "?district[$ne]=", "?from=2026-12-01&from=2026-12-02"} {
			r := env.do(user.Regulator, "GET", "/api/v1/complaints/rates"+q, nil)
			require.Equal(t, http.StatusBadRequest, r.Status, q)
			assert.NotEmpty(t, r.Problem(t).Errors, q)
		}
	})
	t.Run("regulators only", func(t *testing.T) {
		assert.Equal(t, http.StatusForbidden, env.do(user.Mediator, "GET", "/api/v1/complaints/rates", nil).Status)
		assert.Equal(t, http.StatusUnauthorized, env.do(user.Public, "GET", "/api/v1/complaints/rates", nil).Status)
	})
}

func TestRates_ConsolePage(t *testing.T) {
	env := newTestEnv(t)
	fileRateSet(t, env)
	s := env.signIn(t, user.Regulator)

	t.Run("tables, definitions and charts", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints/rates", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		body := string(r.Body)
		for _, want := range []string{
			"统计口径", "响应率", "解决率", "满意率", "已解决 ÷ 已办结", "resolved ÷ concluded",
			"<svg", "75.0%", "3/4", "2026-12", "望京街道", "未关联", "教育培训", "—",
		} {
			assert.Contains(t, body, want)
		}
		assert.Equal(t, 3, strings.Count(body, "<svg"), "one chart per rate")
	})
	t.Run("filter form keeps its values", func(t *testing.T) {
		q := url.Values{"from": {"2026-12-01"}, "to": {"2026-12-31"}, "district": {"110108"}}
		r := env.page(t, s, "GET", "/console/complaints/rates?"+q.Encode(), nil)
		require.Equal(t, http.StatusOK, r.Status)
		body := string(r.Body)
		assert.Contains(t, body, `value="2026-12-01"`)
		assert.Contains(t, body, `<option value="110108" selected>`)
		assert.Contains(t, body, "0/1")
		assert.NotContains(t, body, "望京街道")
	})
	t.Run("bad filter is shown on the page", func(t *testing.T) {
		r := env.page(t, s, "GET", "/console/complaints/rates?district=999999&from=2026-13-01", nil)
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
		assert.Contains(t, string(r.Body), "未知的区代码")
		assert.Contains(t, string(r.Body), "日期格式应为")
		assert.NotContains(t, string(r.Body), "<svg")
	})
	t.Run("regulators only", func(t *testing.T) {
		r := env.page(t, env.signIn(t, user.Mediator), "GET", "/console/complaints/rates", nil)
		assert.Equal(t, http.StatusForbidden, r.Status)
	})
}

// exportColumns is the header row both exports start with.
var exportColumns = []string{
	"工单编号", "受理时间", "诉求人", "联系电话", "被反映主体", "关联企业统一社会信用代码", "区", "街乡",
	"诉求内容", "诉求类别", "类别来源", "涉及金额（元）", "办理状态", "满意度",
}

// exportTextColumn is the index of 诉求内容.
const exportTextColumn = 8

// readCSVExport checks the byte-order mark and parses the rest.
func readCSVExport(t *testing.T, r response) [][]string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	require.True(t, bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF")), "starts with the UTF-8 byte-order mark")
	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	assert.Equal(t, exportColumns, rows[0])
	return rows
}

// exportRowOf returns the row of a ticket.
func exportRowOf(t *testing.T, rows [][]string, ticket string) []string {
	t.Helper()
	i := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 0 && r[0] == ticket })
	require.GreaterOrEqual(t, i, 0, "no row for %s", ticket)
	return rows[i]
}

func TestExport_CSV(t *testing.T) {
	env := newTestEnv(t)
	fileRateSet(t, env)

	r := env.do(user.Regulator, "GET", "/api/v1/complaints.csv", nil)
	rows := readCSVExport(t, r)
	assert.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Regexp(t, `^attachment; filename="complaints-\d{8}\.csv"$`, r.Header.Get("Content-Disposition"))
	require.Len(t, rows, 5, "header and four complaints")
	assert.Contains(t, string(r.Body), "\r\n", "RFC 4180 line ends")

	t.Run("complainants masked", func(t *testing.T) {
		assert.NotContains(t, string(r.Body), "13812341234")
		assert.NotContains(t, string(r.Body), "张伟")
		t1 := exportRowOf(t, rows, "T1")
		assert.Equal(t, "张*", t1[2])
		assert.Equal(t, "138****1234", t1[3])
	})
	t.Run("cells", func(t *testing.T) {
		t1 := exportRowOf(t, rows, "T1")
		assert.Equal(t, []string{"T1", "2026-11-10 10:00"}, t1[:2], "received time in Shanghai")
		assert.Equal(t, validUSCC(t, "MA01RATE1"), t1[5])
		assert.Equal(t, []string{"朝阳区", "望京街道"}, t1[6:8])
		assert.Equal(t, []string{"退费难", "规则标注", "3,800.00", "已解决", "满意"}, t1[9:])
		t4 := exportRowOf(t, rows, "T4")
		assert.Equal(t, []string{"办理中", ""}, t4[12:])
	})
	t.Run("formula-looking text is escaped", func(t *testing.T) {
		assert.Equal(t, "'"+hyperlinkText, exportRowOf(t, rows, "T3")[exportTextColumn])
	})
	t.Run("filters as the list does", func(t *testing.T) {
		rows := readCSVExport(t, env.do(user.Regulator, "GET", "/api/v1/complaints.csv?district=110108", nil))
		require.Len(t, rows, 2)
		assert.Equal(t, "T4", rows[1][0])
		rows = readCSVExport(t, env.do(user.Regulator, "GET", "/api/v1/complaints.csv?linked=false", nil))
		require.Len(t, rows, 2)
		assert.Equal(t, "T3", rows[1][0])
	})
	t.Run("bad query", func(t *testing.T) {
		for _, q := range []string{"?limit=5", "?cursor=abc", "?status=done", "?extra=1"} {
			r := env.do(user.Regulator, "GET", "/api/v1/complaints.csv"+q, nil)
			assert.Equal(t, http.StatusBadRequest, r.Status, q)
		}
		assert.Equal(t, http.StatusForbidden, env.do(user.Mediator, "GET", "/api/v1/complaints.csv", nil).Status)
	})
}

func TestExport_XLSX(t *testing.T) {
	env := newTestEnv(t)
	fileRateSet(t, env)
	csvRows := readCSVExport(t, env.do(user.Regulator, "GET", "/api/v1/complaints.csv", nil))

	r := env.do(user.Regulator, "GET", "/api/v1/complaints.xlsx", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Regexp(t, `^attachment; filename="complaints-\d{8}\.xlsx"$`, r.Header.Get("Content-Disposition"))
	assert.NotContains(t, string(r.Body), "13812341234")
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"投诉"}, f.GetSheetList())
	rows, err := f.GetRows("投诉")
	require.NoError(t, err)

	t.Run("same rows as the CSV", func(t *testing.T) {
		require.Len(t, rows, len(csvRows))
		for i, row := range rows {
			// GetRows leaves out empty cells at the end of a row.
			row = append(row, make([]string, len(exportColumns)-len(row))...)
			want := slices.Clone(csvRows[i])
			want[exportTextColumn] = strings.TrimPrefix(want[exportTextColumn], "'")
			assert.Equal(t, want, row, "row %d", i+1)
		}
	})
	t.Run("formula-looking text is a string cell", func(t *testing.T) {
		i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == "T3" })
		require.GreaterOrEqual(t, i, 0)
		cell, err := excelize.CoordinatesToCellName(exportTextColumn+1, i+1)
		require.NoError(t, err)
		v, err := f.GetCellValue("投诉", cell)
		require.NoError(t, err)
		assert.Equal(t, hyperlinkText, v)
		formula, err := f.GetCellFormula("投诉", cell)
		require.NoError(t, err)
		assert.Empty(t, formula)
		typ, err := f.GetCellType("投诉", cell)
		require.NoError(t, err)
		assert.Contains(t, []excelize.CellType{excelize.CellTypeInlineString, excelize.CellTypeSharedString}, typ)
	})
	t.Run("complainants masked", func(t *testing.T) {
		for _, row := range rows[1:] {
			assert.Equal(t, "张*", row[2])
			assert.Equal(t, "138****1234", row[3])
		}
	})
}

func TestExport_FromTheConsoleSession(t *testing.T) {
	env := newTestEnv(t)
	env.do(user.Regulator, "POST", "/api/v1/complaints", complaintInput("S1", "某店"))
	s := env.signIn(t, user.Regulator)

	r := env.page(t, s, "GET", "/api/v1/complaints.csv", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Contains(t, string(r.Body), "S1")
	assert.NotContains(t, string(r.Body), "13812341234")

	t.Run("but not to change anything", func(t *testing.T) {
		r := env.page(t, s, "POST", "/api/v1/complaints", url.Values{"ticket": {"S2"}})
		assert.Equal(t, http.StatusUnauthorized, r.Status)
	})
	t.Run("nor with another role", func(t *testing.T) {
		m := env.signIn(t, user.Mediator)
		assert.Equal(t, http.StatusForbidden, env.page(t, m, "GET", "/api/v1/complaints.csv", nil).Status)
	})
}
