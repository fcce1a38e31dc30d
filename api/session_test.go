package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

// session is a signed-in console browser: its cookie and CSRF token.
type session struct {
	cookie string
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in as the role's test account and reads the CSRF token off the start page.
func (e *testEnv) signIn(t *testing.T, role user.Role) session {
	t.Helper()
	form := url.Values{"username": {string(role) + "1"}, "password": {testPassword}}
	req := httptest.NewRequest("POST", "/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.app.Test(req, -1)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	var s session
	for _, c := range resp.Cookies() {
		if c.Name == "prepaidreg_session" {
			s.cookie = c.Value
			require.True(t, c.HttpOnly, "the session cookie is HttpOnly")
			require.Equal(t, http.SameSiteLaxMode, c.SameSite, "the session cookie is SameSite")
		}
	}
	require.NotEmpty(t, s.cookie, "no session cookie")

	home := e.page(t, s, "GET", "/console", nil)
	require.Equal(t, http.StatusOK, home.Status)
	m := csrfField.FindSubmatch(home.Body)
	require.NotNil(t, m, "no csrf token on the start page")
	s.csrf = string(m[1])
	return s
}

// page sends a console request with the session's cookie; a form is posted url-encoded.
func (e *testEnv) page(t *testing.T, s session, method, path string, form url.Values) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "prepaidreg_session", Value: s.cookie})
	resp, err := e.app.Test(req, -1)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// pageAs signs in as role (once per env and role) and sends a request with a valid CSRF token.
func (e *testEnv) pageAs(t *testing.T, role user.Role, method, path string) response {
	t.Helper()
	if e.sessions == nil {
		e.sessions = map[user.Role]session{}
	}
	s, ok := e.sessions[role]
	// Signing out ends the session, so it gets one of its own.
	if !ok || path == "/console/logout" {
		s = e.signIn(t, role)
		if path != "/console/logout" {
			e.sessions[role] = s
		}
	}
	var form url.Values
	if method != "GET" {
		form = url.Values{"csrf": {s.csrf}}
	}
	return e.page(t, s, method, path, form)
}
