package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

// TestOpenAPI_ListsEveryRoute checks the served document against the routes the app really
// serves, so that a route added outside the table, or left out of the document, is caught.
func TestOpenAPI_ListsEveryRoute(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Public, "GET", "/api/openapi.json", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var doc struct {
		OpenAPI string                            `json:"openapi"`
		Paths   map[string]map[string]interface{} `json:"paths"`
	}
	r.JSON(t, &doc)
	assert.Equal(t, "3.1.0", doc.OpenAPI)

	param := regexp.MustCompile(`:([a-z_]+)`)
	for _, rt := range env.app.GetRoutes(true) {
		if rt.Method == "HEAD" || rt.Method == "USE" {
			continue
		}
		if !strings.HasPrefix(rt.Path, "/api/") && rt.Path != "/healthz" && rt.Path != "/readyz" {
			continue
		}
		p := param.ReplaceAllString(rt.Path, "{$1}")
		ops, ok := doc.Paths[p]
		if assert.True(t, ok, "path %s missing from the OpenAPI document", p) {
			assert.Contains(t, ops, strings.ToLower(rt.Method), "%s %s missing", rt.Method, p)
		}
	}
}

func TestOpenAPI_StateChangesNameIfMatch(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Public, "GET", "/api/openapi.json", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name     string `json:"name"`
				In       string `json:"in"`
				Required bool   `json:"required"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	r.JSON(t, &doc)
	ifMatch := func(path, method string) (found, required bool) {
		for _, p := range doc.Paths[path][method].Parameters {
			if p.Name == "If-Match" && p.In == "header" {
				return true, p.Required
			}
		}
		return false, false
	}
	found, required := ifMatch("/api/v1/interviews/{id}/hold", "post")
	assert.True(t, found && required, "a state change names the version it read")
	found, required = ifMatch("/api/v1/operations/{id}/inspections/{uscc}", "put")
	assert.True(t, found && !required, "an absent If-Match creates the inspection")
	found, _ = ifMatch("/api/v1/interviews", "post")
	assert.False(t, found, "creating an interview names no version")
}

func TestOpenAPI_UploadsAreMultipart(t *testing.T) {
	env := newTestEnv(t)
	r := env.do(user.Public, "GET", "/api/openapi.json", nil)
	require.Equal(t, http.StatusOK, r.Status)
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]any `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	r.JSON(t, &doc)
	for _, p := range []string{"/api/v1/complaints/import", "/api/v1/funds/accounts/{id}/statements"} {
		assert.Contains(t, doc.Paths[p]["post"].RequestBody.Content, "multipart/form-data", p)
	}
	assert.Contains(t, doc.Paths["/api/v1/interviews"]["post"].RequestBody.Content, "application/json")
}
