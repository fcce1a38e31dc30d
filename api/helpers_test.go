package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
)

func lower(s string) string { return strings.ToLower(s) }

// wrongCheck returns code with a different, still allowed, check character.
func wrongCheck(t *testing.T, code string) string {
	t.Helper()
	last := code[17]
	if last == '0' {
		return code[:17] + "1"
	}
	return code[:17] + "0"
}

func auditQuery(target string) audit.Query { return audit.Query{Target: target, Limit: 100} }

// get reads an enterprise through the API.
func (e *testEnv) get(t *testing.T, uscc string) enterpriseBody {
	t.Helper()
	r := e.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc, nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
	var got enterpriseBody
	r.JSON(t, &got)
	return got
}

func assertNoEnterprises(t *testing.T, env *testEnv) {
	t.Helper()
	r := env.do(user.Regulator, "GET", "/api/v1/enterprises", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var got enterpriseListBody
	r.JSON(t, &got)
	require.Empty(t, got.Items, "nothing should have been written")
}

// nowMinusHours is a time hours ago, as RFC 3339.
func nowMinusHours(hours int) string {
	return time.Now().UTC().Add(-time.Duration(hours) * time.Hour).Format(time.RFC3339)
}
