package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/enforcement"
	"prepaidreg/internal/user"
)

// officialListBody is the officials list as a client reads it.
type officialListBody struct {
	Items []enforcement.Official `json:"items"`
}

func TestOfficialAPI(t *testing.T) {
	env := newIvEnv(t)
	zhang, li := env.createOfficial(t, "张明"), env.createOfficial(t, "李华")

	list := func(t *testing.T, query string) []string {
		t.Helper()
		r := env.do(user.Supervisor, "GET", "/api/v1/officials"+query, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var got officialListBody
		r.JSON(t, &got)
		ids := []string{}
		for _, o := range got.Items {
			ids = append(ids, o.ID)
		}
		return ids
	}

	t.Run("read one with its version", func(t *testing.T) {
		r := env.do(user.Regulator, "GET", "/api/v1/officials/"+zhang, nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"1"`, r.Header.Get("ETag"))
		var o enforcement.Official
		r.JSON(t, &o)
		assert.Equal(t, "张明", o.Name)
		assert.Equal(t, enforcement.Department("market"), o.Department)
		assert.True(t, o.Active)
		assert.Equal(t, http.StatusNotFound, env.do(user.Regulator, "GET", "/api/v1/officials/OF-nobody", nil).Status)
	})

	t.Run("deactivate with If-Match", func(t *testing.T) {
		path := "/api/v1/officials/" + li + "/deactivate"
		assert.Equal(t, http.StatusPreconditionRequired, env.do(user.Regulator, "POST", path, nil).Status)
		assert.Equal(t, http.StatusPreconditionFailed,
			env.do(user.Regulator, "POST", path, nil, "If-Match", `"7"`).Status)

		r := env.do(user.Regulator, "POST", path, nil, "If-Match", `"1"`)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		assert.Equal(t, `"2"`, r.Header.Get("ETag"))
		var o enforcement.Official
		r.JSON(t, &o)
		assert.False(t, o.Active)

		r = env.do(user.Regulator, "POST", path, nil, "If-Match", `"2"`)
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Contains(t, r.Problem(t).Detail, "已停用")
	})

	t.Run("list, the inactive when asked", func(t *testing.T) {
		assert.Equal(t, []string{zhang}, list(t, ""))
		assert.ElementsMatch(t, []string{zhang, li}, list(t, "?include_inactive=true"))
	})

	t.Run("an inactive official is not scheduled", func(t *testing.T) {
		uscc := env.createEnterprise("MA01KFF01", nil)
		r := env.do(user.Regulator, "POST", "/api/v1/interviews",
			interviewBody(uscc, []string{li}, shanghai(t, "2026-09-22", "10:00"), "第一约谈室"))
		require.Equal(t, http.StatusBadRequest, r.Status, "body: %s", r.Body)
		p := r.Problem(t)
		assert.Contains(t, p.fieldNames(), "officials")
		assert.Contains(t, string(r.Body), "已停用")
	})

	t.Run("only regulators", func(t *testing.T) {
		assert.Equal(t, http.StatusForbidden, env.do(user.Mediator, "GET", "/api/v1/officials", nil).Status)
		assert.Equal(t, http.StatusForbidden, env.do(user.Admin, "POST", "/api/v1/officials",
			map[string]string{"name": "王五", "department": "market"}).Status)
	})
}

func TestDepartmentAPI(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Mediator, "GET", "/api/v1/departments", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got struct {
		Items []enforcement.DepartmentInfo `json:"items"`
	}
	r.JSON(t, &got)
	require.Len(t, got.Items, len(enforcement.Departments))
	assert.Equal(t, enforcement.DepartmentInfo{Code: "market", Name: "区市场监督管理局"}, got.Items[0])
	assert.Equal(t, http.StatusUnauthorized, env.do(user.Public, "GET", "/api/v1/departments", nil).Status)
}
