package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/user"
)

// dossierBody is the part of a dossier these tests read.
type dossierBody struct {
	Risk struct {
		Factors []struct {
			Name         string  `json:"name"`
			Value        float64 `json:"value"`
			Contribution float64 `json:"contribution"`
		} `json:"factors"`
	} `json:"risk"`
	ListStatus struct {
		Grounds []string `json:"grounds"`
	} `json:"list_status"`
	Enforcement []struct {
		ID      string `json:"id"`
		Title   string `json:"title"`
		Outcome string `json:"outcome"`
		Link    string `json:"link"`
	} `json:"enforcement"`
}

func (d dossierBody) factor(name string) (value, contribution float64) {
	for _, f := range d.Risk.Factors {
		if f.Name == name {
			return f.Value, f.Contribution
		}
	}
	return 0, 0
}

// TestEnforcement_InspectionsReachTheDossierAndScore follows two joint operations that fine
// the same enterprise into its dossier: the inspections are listed, the enforcement factor of
// its risk score moves, and the second fine within a year shows as a black-list ground.
func TestEnforcement_InspectionsReachTheDossierAndScore(t *testing.T) {
	f := newOperationFixture(t)
	env := f.env
	dossier := func() dossierBody {
		t.Helper()
		r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+f.uscc+"/dossier", nil)
		require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Body)
		var d dossierBody
		r.JSON(t, &d)
		return d
	}

	before := dossier()
	assert.Empty(t, before.Enforcement)
	_, contribution := before.factor("enforcement")
	assert.Zero(t, contribution)

	f.record(t, f.uscc, inspectionInput(), http.StatusCreated)
	after := dossier()
	require.Len(t, after.Enforcement, 1)
	assert.Equal(t, "/console/operations/"+f.op.ID, after.Enforcement[0].Link)
	assert.Contains(t, after.Enforcement[0].Outcome, "12,345.67")
	value, contribution := after.factor("enforcement")
	assert.Positive(t, value, "one finding and one fine")
	assert.Positive(t, contribution, "the inspection moved the score")
	assert.Empty(t, after.ListStatus.Grounds, "one fine is no ground")

	second := env.createOperation(t, "朝阳区预付式消费复查", f.uscc)
	r := env.do(user.Regulator, "PUT", "/api/v1/operations/"+second.ID+"/inspections/"+f.uscc, inspectionInput())
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Body)
	twice := dossier()
	require.Len(t, twice.Enforcement, 2)
	_, more := twice.factor("enforcement")
	assert.GreaterOrEqual(t, more, contribution)
	require.Len(t, twice.ListStatus.Grounds, 1, "two fines within a year")
	assert.Contains(t, twice.ListStatus.Grounds[0], "一年内受到两次及以上行政处罚")

	page := env.page(t, env.signIn(t, user.Regulator), "GET", "/console/enterprises/"+f.uscc, nil)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, string(page.Body), `id="blacklist-grounds"`)
	assert.Contains(t, string(page.Body), "/console/operations/"+f.op.ID)
}
