package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"prepaidreg/internal/user"
)

func TestHealth(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Public, "GET", "/healthz", nil)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"status":"ok"}`, string(r.Body))

	r = env.do(user.Public, "GET", "/readyz", nil)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.JSONEq(t, `{"status":"ready"}`, string(r.Body))

	t.Run("store unreachable", func(t *testing.T) {
		// Another store, closed: the app on it is up but not ready.
		other := newTestEnv(t)
		other.store.Client.Disconnect(t.Context())
		r := other.do(user.Public, "GET", "/readyz", nil)
		assert.Equal(t, http.StatusServiceUnavailable, r.Status)
		assert.Equal(t, http.StatusOK, other.do(user.Public, "GET", "/healthz", nil).Status)
	})
}
