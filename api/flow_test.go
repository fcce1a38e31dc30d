package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/user"
)

// TestFlow_FromComplaintsToThePublicList follows an enterprise from a fresh start: complaints
// are imported, it reaches high risk and raises a warning, a regulator proposes a grey entry,
// a supervisor approves it, and anyone finds it on the public list, its CSV and its notice.
func TestFlow_FromComplaintsToThePublicList(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01FL0W0", map[string]any{"name": "北京朝阳金色年华健身俱乐部有限公司"})

	// A fortnight of refund complaints, then the gym is found shut.
	var rows [][]any
	for i := 0; i < 14; i++ {
		at := time.Now().In(time.FixedZone("CST", 8*3600)).Add(-time.Duration(i)*22*time.Hour - time.Hour)
		rows = append(rows, []any{fmt.Sprintf("F%03d", i), at.Format("2006-01-02 15:04"), fmt.Sprintf("会员%d", i),
			fmt.Sprintf("1390000%04d", i), "北京朝阳金色年华健身俱乐部有限公司",
			"来电人反映该健身房突然关门停业，老板联系不上，会员卡余额无法退还，要求退款。", "2,000元", "办理中"})
	}
	var started importBody
	up := env.upload(t, "12345.xlsx", hotlineXLSX(t, rows))
	require.Equal(t, http.StatusAccepted, up.Status, "body: %s", up.Body)
	up.JSON(t, &started)
	rep := env.waitImport(t, started.ID)
	require.Equal(t, 14, rep.Linked, "report: %+v", rep)

	var risk assessmentBody
	r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/risk", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	r.JSON(t, &risk)
	require.Contains(t, []string{"high", "critical"}, risk.Level, "score %d", risk.Score)

	var warnings struct {
		Items []struct {
			Kind string `json:"kind"`
		} `json:"items"`
	}
	env.do(user.Regulator, "GET", "/api/v1/warnings?uscc="+uscc, nil).JSON(t, &warnings)
	require.NotEmpty(t, warnings.Items, "a warning is raised")

	// The regulator proposes a grey entry on the assessment; a supervisor approves it.
	r = env.do(user.Regulator, "POST", "/api/v1/list-entries", map[string]any{
		"uscc": uscc, "kind": "grey", "reason": "预付卡投诉集中爆发，经营场所已关闭，风险评估为高风险",
		"evidence":  []map[string]string{{"kind": "assessment", "id": risk.ID}},
		"authority": "北京市朝阳区市场监督管理局", "decision_number": "京朝市监灰〔2026〕1号",
	})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var entry struct {
		ID    string `json:"id"`
		State string `json:"state"`
	}
	r.JSON(t, &entry)
	r = env.do(user.Regulator, "POST", "/api/v1/list-entries/"+entry.ID+"/approve", map[string]string{"note": "同意"})
	assert.Equal(t, http.StatusForbidden, r.Status, "a regulator cannot approve")
	r = env.do(user.Supervisor, "POST", "/api/v1/list-entries/"+entry.ID+"/approve",
		map[string]string{"note": "同意公示"})
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)

	// Anyone finds it by a fragment of its name, within seconds.
	var found struct {
		Items []map[string]any `json:"items"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r = env.do(user.Public, "GET", "/api/v1/public/lists?kind=grey&q="+url.QueryEscape("金色年华"), nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		r.JSON(t, &found)
		if len(found.Items) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Len(t, found.Items, 1)
	assert.Equal(t, uscc, found.Items[0]["uscc"])
	assert.NotContains(t, string(r.Body), "会员0", "no consumer data")
	assert.NotContains(t, string(r.Body), "score")

	page := env.do(user.Public, "GET", "/?q="+url.QueryEscape("金色年华"), nil)
	assert.Contains(t, string(page.Body), "北京朝阳金色年华健身俱乐部有限公司")

	csv := env.do(user.Public, "GET", "/api/v1/public/lists.csv", nil)
	require.Equal(t, http.StatusOK, csv.Status)
	assert.True(t, strings.HasPrefix(string(csv.Body), "\ufeff"), "UTF-8 with BOM")
	assert.Contains(t, string(csv.Body), "京朝市监灰〔2026〕1号")

	notice := env.do(user.Public, "GET", "/lists/entries/"+entry.ID+"/notice.pdf", nil)
	require.Equal(t, http.StatusOK, notice.Status)
	text := pdftest.Squash(pdftest.Text(t, notice.Body))
	for _, want := range []string{"北京朝阳金色年华健身俱乐部有限公司", uscc, "京朝市监灰〔2026〕1号"} {
		assert.Contains(t, text, pdftest.Squash(want))
	}
}
