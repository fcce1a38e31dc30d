package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

func TestSettings_ColumnMapping(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Admin, "GET", "/api/v1/settings/complaint-mapping", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, `"0"`, r.Header.Get("ETag"), "the default is version 0")
	var got struct {
		Mapping map[string]any `json:"mapping"`
		Version int64          `json:"version"`
	}
	r.JSON(t, &got)
	assert.Contains(t, got.Mapping["ticket"], "工单编号")

	// The bureau's export names the ticket column 工单号码 and the text column 来电内容.
	got.Mapping["ticket"] = []string{"工单号码"}
	got.Mapping["text"] = []string{"来电内容"}
	r = env.do(user.Admin, "PUT", "/api/v1/settings/complaint-mapping", got.Mapping, "If-Match", `"0"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))

	csv := "工单号码,受理时间,被反映主体,来电内容\nM1,2026-11-02 10:00,某店,商家拒绝退费\n"
	up := env.upload(t, "export.csv", []byte(csv))
	require.Equal(t, http.StatusAccepted, up.Status, "body: %s", up.Body)
	var started importBody
	up.JSON(t, &started)
	assert.Equal(t, 1, env.waitImport(t, started.ID).Imported, "the changed mapping is used")

	t.Run("stale version", func(t *testing.T) {
		r := env.do(user.Admin, "PUT", "/api/v1/settings/complaint-mapping", got.Mapping, "If-Match", `"0"`)
		assert.Equal(t, http.StatusPreconditionFailed, r.Status)
	})
	t.Run("invalid mapping", func(t *testing.T) {
		bad := map[string]any{}
		raw, _ := json.Marshal(got.Mapping)
		require.NoError(t, json.Unmarshal(raw, &bad))
		bad["ticket"] = []string{}
		bad["status_values"] = map[string]string{"已办结": "finished"}
		r := env.do(user.Admin, "PUT", "/api/v1/settings/complaint-mapping", bad, "If-Match", `"1"`)
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.ElementsMatch(t, []string{"ticket", "status_values.已办结"}, r.Problem(t).fieldNames())
	})
	t.Run("only administrators", func(t *testing.T) {
		r := env.do(user.Regulator, "PUT", "/api/v1/settings/complaint-mapping", got.Mapping, "If-Match", `"1"`)
		assert.Equal(t, http.StatusForbidden, r.Status)
	})
}

func TestSettings_WorkdayCalendar(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Regulator, "GET", "/api/v1/settings/workday-calendar", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"0"`, r.Header.Get("ETag"), "the shipped file is version 0")
	var got struct {
		Data struct {
			Description string           `json:"description"`
			Years       []map[string]any `json:"years"`
		} `json:"data"`
	}
	r.JSON(t, &got)
	require.Len(t, got.Data.Years, 2, "2025 and 2026 ship with the program")

	// The 2027 notice comes out: the administrator adds the year.
	next := got.Data
	next.Years = append(next.Years, map[string]any{"year": 2027, "notice": "2027 notice",
		"holidays": []map[string]string{{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}},
		"workdays": []map[string]string{}})

	t.Run("invalid file", func(t *testing.T) {
		bad := map[string]any{"years": []map[string]any{{"year": 2027,
			"workdays": []map[string]string{{"name": "x", "date": "2027-01-05"}}}}}
		r := env.do(user.Admin, "PUT", "/api/v1/settings/workday-calendar", bad, "If-Match", `"0"`)
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		assert.Equal(t, []string{"data"}, r.Problem(t).fieldNames())
	})
	t.Run("only administrators", func(t *testing.T) {
		r := env.do(user.Supervisor, "PUT", "/api/v1/settings/workday-calendar", next, "If-Match", `"0"`)
		assert.Equal(t, http.StatusForbidden, r.Status)
	})

	r = env.do(user.Admin, "PUT", "/api/v1/settings/workday-calendar", next, "If-Match", `"0"`)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	assert.Equal(t, `"1"`, r.Header.Get("ETag"))
	assert.Equal(t, []int{2025, 2026, 2027}, env.calendar.Calendar().Years())

	r = env.do(user.Admin, "PUT", "/api/v1/settings/workday-calendar", next, "If-Match", `"0"`)
	assert.Equal(t, http.StatusPreconditionFailed, r.Status, "a stale version is refused")
}
