package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

type assessmentBody struct {
	ID           string `json:"id"`
	Score        int    `json:"score"`
	Level        string `json:"level"`
	ModelVersion int    `json:"model_version"`
	AssessedAt   string `json:"assessed_at"`
	Factors      []struct {
		Name         string  `json:"name"`
		Value        float64 `json:"value"`
		Weight       float64 `json:"weight"`
		Contribution float64 `json:"contribution"`
		Explanation  string  `json:"explanation"`
	} `json:"factors"`
}

func TestRisk_API(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01RAPX0", nil)
	for i := 0; i < 12; i++ {
		in := complaintInput(fmt.Sprintf("RK%d", i), "北京朝阳悦动健身有限公司")
		in["received_at"] = nowMinusHours(i * 20)
		r := env.do(user.Regulator, "POST", "/api/v1/complaints", in)
		require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	}

	r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/risk", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var current assessmentBody
	r.JSON(t, &current)
	assert.Equal(t, 1, current.ModelVersion)
	assert.GreaterOrEqual(t, current.Score, 40)
	assert.Contains(t, []string{"medium", "high", "critical"}, current.Level)
	require.NotEmpty(t, current.Factors)
	for _, f := range current.Factors {
		assert.NotEmpty(t, f.Explanation)
	}

	var history struct{ Items []assessmentBody }
	env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/risk/history?limit=50", nil).JSON(t, &history)
	assert.Len(t, history.Items, 13, "one on registration and one per complaint")
	assert.Equal(t, current.ID, history.Items[0].ID)

	t.Run("a new model version", func(t *testing.T) {
		var model map[string]any
		r := env.do(user.Regulator, "GET", "/api/v1/settings/risk-model", nil)
		require.Equal(t, http.StatusOK, r.Status)
		r.JSON(t, &model)
		body := map[string]any{"weights": model["weights"], "medium": 30, "high": 50, "critical": 70}
		assert.Equal(t, http.StatusForbidden, env.do(user.Regulator, "PUT", "/api/v1/settings/risk-model", body,
			"If-Match", `"1"`).Status)
		r = env.do(user.Admin, "PUT", "/api/v1/settings/risk-model", body, "If-Match", `"1"`)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"2"`, r.Header.Get("ETag"))
		bad := map[string]any{"weights": map[string]float64{"luck": 5}, "medium": 50, "high": 40, "critical": 90}
		r = env.do(user.Admin, "PUT", "/api/v1/settings/risk-model", bad, "If-Match", `"2"`)
		assert.Equal(t, http.StatusBadRequest, r.Status)
	})

	t.Run("no assessment for an unknown enterprise", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+validUSCC(t, "MA01NNNN0")+"/risk", nil)
		assert.Equal(t, http.StatusNotFound, r.Status)
	})
}
