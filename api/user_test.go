package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/user"
)

func TestUsers_AdminCreatesAccountAndToken(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Admin, "POST", "/api/v1/users", map[string]any{"username": "zhang.wei", "role": "supervisor"})
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	var created struct {
		Token string `json:"token"`
		User  struct {
			Username string `json:"username"`
			Role     string `json:"role"`
		} `json:"user"`
	}
	r.JSON(t, &created)
	assert.True(t, strings.HasPrefix(created.Token, "ppr_"))
	assert.NotContains(t, string(r.Body), "token_hash")

	env.tokens["zhang"] = created.Token
	r = env.do("zhang", "GET", "/api/v1/me", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, string(r.Body), `"role":"supervisor"`)

	t.Run("only hashes are stored", func(t *testing.T) {
		raw, err := env.store.DB.Collection("users").FindOne(t.Context(), bson.M{"_id": "zhang.wei"}).Raw()
		require.NoError(t, err)
		assert.NotContains(t, raw.String(), created.Token[4:])
	})

	t.Run("a new token replaces the old", func(t *testing.T) {
		r := env.do(user.Admin, "POST", "/api/v1/users/zhang.wei/token", nil)
		require.Equal(t, http.StatusOK, r.Status)
		assert.Equal(t, http.StatusUnauthorized, env.do("zhang", "GET", "/api/v1/me", nil).Status)
	})

	t.Run("bad account input", func(t *testing.T) {
		r := env.do(user.Admin, "POST", "/api/v1/users", map[string]any{"username": "X Y", "role": "king",
			"password": "short"})
		require.Equal(t, http.StatusBadRequest, r.Status)
		assert.ElementsMatch(t, []string{"username", "role", "password"}, r.Problem(t).fieldNames())
	})

	t.Run("duplicate username", func(t *testing.T) {
		r := env.do(user.Admin, "POST", "/api/v1/users", map[string]any{"username": "zhang.wei", "role": "mediator"})
		assert.Equal(t, http.StatusConflict, r.Status)
	})
}

func TestConsole_SignInAndOut(t *testing.T) {
	env := newTestEnv(t)

	t.Run("wrong password", func(t *testing.T) {
		r := env.page(t, session{}, "POST", "/console/login",
			map[string][]string{"username": {"regulator1"}, "password": {"nope-nope-nope"}})
		assert.Equal(t, http.StatusUnauthorized, r.Status)
		assert.Contains(t, string(r.Body), "用户名或密码错误")
	})

	s := env.signIn(t, user.Regulator)
	assert.Equal(t, http.StatusOK, env.page(t, s, "GET", "/console", nil).Status)

	t.Run("sign-out without CSRF token is refused", func(t *testing.T) {
		r := env.page(t, s, "POST", "/console/logout", map[string][]string{"csrf": {"forged"}})
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, http.StatusOK, env.page(t, s, "GET", "/console", nil).Status)
	})

	r := env.page(t, s, "POST", "/console/logout", map[string][]string{"csrf": {s.csrf}})
	assert.Equal(t, http.StatusSeeOther, r.Status)
	r = env.page(t, s, "GET", "/console", nil)
	assert.Equal(t, http.StatusSeeOther, r.Status, "the ended session no longer signs in")
	assert.Equal(t, "/console/login?next=%2Fconsole", r.Header.Get("Location"))
}
