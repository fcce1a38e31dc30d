package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/pdf/pdftest"
	"prepaidreg/internal/store"
	"prepaidreg/internal/user"
)

// TestDossier_RoundTripsDoNotGrowWithHistory counts the commands the driver sends to read a
// dossier, for an enterprise with 10 linked records and one with 1,000.
func TestDossier_RoundTripsDoNotGrowWithHistory(t *testing.T) {
	mon := store.NewMonitor()
	env := newTestEnvWithMonitor(t, mon)
	ctx := context.Background()

	link := func(uscc string, n int) {
		for i := 0; i < n; i++ {
			_, err := env.audit.Append(ctx, audit.Entry{
				Actor: audit.System, Action: "enterprise.note", Target: "enterprise/" + uscc,
				Change: map[string]any{"note": fmt.Sprintf("记录%d", i)},
			})
			require.NoError(t, err)
		}
	}
	small := env.createEnterprise("MA01XMAL0", nil)
	link(small, 9)
	large := env.createEnterprise("MA01LARG0", nil)
	link(large, 999)

	roundTrips := func(uscc string) (int, map[string]int) {
		mon.Reset()
		r := env.do(user.Regulator, "GET", "/api/v1/enterprises/"+uscc+"/dossier", nil)
		require.Equal(t, http.StatusOK, r.Status)
		return mon.Total(), mon.Counts()
	}
	nSmall, bySmall := roundTrips(small)
	nLarge, byLarge := roundTrips(large)

	assert.Equal(t, nSmall, nLarge, "10 records: %v; 1,000 records: %v", bySmall, byLarge)
	// The caller's account, the enterprise document, its current assessment, one bounded read
	// of its changes and one of its list entries; then the enforcement module's interviews and
	// inspections, once for the records and once for the signals behind the black-list grounds;
	// then the mediation module's cases and the funds module's accounts, once for each, and
	// the funds module's open alerts for the signals.
	assert.Equal(t, 14, nLarge, "commands: %v", byLarge)
}

func TestDossier_PDF(t *testing.T) {
	env := newTestEnv(t)
	uscc := env.createEnterprise("MA01PDFX0", nil)

	r := env.do(user.Supervisor, "GET", "/api/v1/enterprises/"+uscc+"/dossier.pdf", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %.300s", r.Body)
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	assert.Contains(t, r.Header.Get("Content-Disposition"), uscc)

	text := pdftest.Squash(pdftest.Text(t, r.Body))
	for _, want := range []string{"北京朝阳悦动健身有限公司", uscc, "北京市朝阳区望京街道阜通东大街6号", "望京街道",
		"王建国", "010-84761234", "123,456.00"} {
		assert.Contains(t, text, pdftest.Squash(want))
	}
}
