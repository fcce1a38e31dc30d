package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"prepaidreg/api"
	"prepaidreg/internal/user"
)

// concretePath fills a route's parameters with values that parse.
func concretePath(t *testing.T, p string) string {
	p = strings.ReplaceAll(p, ":uscc", validUSCC(t, "MA01NN0NE"))
	p = strings.ReplaceAll(p, ":username", "nobody")
	p = strings.ReplaceAll(p, ":id", "12345:NONE")
	return strings.ReplaceAll(p, "*", "site.css")
}

// TestRouteTable_RolesAreEnforced walks the route table: a caller without credentials gets 401
// (a page sends the browser to sign in), every role not listed gets 403, and every listed
// role gets past the guard.
func TestRouteTable_RolesAreEnforced(t *testing.T) {
	env := newTestEnv(t)
	all := append([]user.Role{user.Public}, user.Roles...)

	for _, r := range api.RouteTable() {
		path := concretePath(t, r.Path)
		public := slices.Contains(r.Roles, user.Public)
		for _, role := range all {
			allowed := public || slices.Contains(r.Roles, role)
			name := r.Method + " " + r.Path + " as " + string(role)
			t.Run(name, func(t *testing.T) {
				var res response
				if r.Page && role != user.Public {
					res = env.pageAs(t, role, r.Method, path)
				} else {
					res = env.do(role, r.Method, path, nil)
				}
				switch {
				case allowed:
					// A handler may answer 401 itself (a failed sign-in); the guard's refusal
					// is recognised by its message.
					assert.NotEqual(t, http.StatusForbidden, res.Status, "listed role was refused: %s", res.Body)
					assert.NotContains(t, string(res.Body), "请先登录", "listed role was refused")
				case role == user.Public && r.Page && r.Method == "GET":
					assert.Equal(t, http.StatusSeeOther, res.Status)
					assert.True(t, strings.HasPrefix(res.Header.Get("Location"), "/console/login"))
				case role == user.Public:
					assert.Equal(t, http.StatusUnauthorized, res.Status, "body: %s", res.Body)
				default:
					assert.Equal(t, http.StatusForbidden, res.Status, "body: %s", res.Body)
				}
			})
		}
	}
}

func TestRouteTable_EveryServedRouteIsInTheTable(t *testing.T) {
	env := newTestEnv(t)
	table := map[string]bool{}
	for _, r := range api.RouteTable() {
		table[r.Method+" "+r.Path] = true
	}
	for _, r := range env.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/" && r.Method == "USE" {
			continue
		}
		if r.Method == "USE" {
			continue
		}
		assert.True(t, table[r.Method+" "+r.Path], "%s %s is served but not in the route table", r.Method, r.Path)
	}
}
