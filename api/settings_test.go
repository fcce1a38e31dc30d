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
