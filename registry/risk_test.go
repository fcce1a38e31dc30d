package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/registry"
)

func TestRisk_ComplaintsRaiseTheScoreAndKeepHistory(t *testing.T) {
	svc, _, _ := newImportEnv(t)
	ctx := context.Background()
	var levels []string
	svc.SetRiskLevelHook(func(_ context.Context, u registry.USCC, from, to registry.RiskLevel) error {
		levels = append(levels, fmt.Sprintf("%s→%s", from, to))
		return nil
	})
	u := register(t, svc, "MA01RXWK0", "北京悦动健身有限公司")

	first, err := svc.RiskHistory(ctx, u.String(), 10)
	require.NoError(t, err)
	require.Len(t, first, 1, "registering makes the first assessment")
	assert.Equal(t, registry.RiskLow, first[0].Level)

	// A month of refund complaints about the enterprise, then its closure.
	runImport(t, svc, recentCSV(25, "北京悦动健身有限公司"))
	status := registry.StatusUnreachable
	e, err := svc.Enterprise(ctx, u.String())
	require.NoError(t, err)
	_, err = svc.UpdateEnterprise(ctx, audit.System, u.String(), e.Version, registry.EnterprisePatch{Status: &status})
	require.NoError(t, err)

	history, err := svc.RiskHistory(ctx, u.String(), 10)
	require.NoError(t, err)
	require.Len(t, history, 3)
	assert.True(t, history[0].Level.AtLeastHigh(), "now %s (%d)", history[0].Level, history[0].Score)
	assert.Greater(t, history[0].Score, history[1].Score)
	assert.Equal(t, 1, history[0].ModelVersion)
	assert.NotEmpty(t, levels)

	d, err := svc.Dossier(ctx, u.String())
	require.NoError(t, err)
	require.NotNil(t, d.Risk.Score)
	assert.Equal(t, history[0].Score, *d.Risk.Score)
	assert.Equal(t, history[0].ID, d.Risk.AssessmentID)
}

func TestRisk_NewModelVersionKeepsOldAssessments(t *testing.T) {
	svc, _, _ := newImportEnv(t)
	ctx := context.Background()
	u := register(t, svc, "MA01RMDL0", "北京青禾教育科技有限公司")
	runImport(t, svc, recentCSV(8, "北京青禾教育科技有限公司"))
	before, err := svc.RiskHistory(ctx, u.String(), 10)
	require.NoError(t, err)

	m := registry.DefaultRiskModel()
	m.Weights[registry.FactorComplaints30d] = 40
	m.High = 50
	_, err = svc.SetRiskModel(ctx, audit.System, 1, m)
	require.NoError(t, err)
	_, err = svc.SetRiskModel(ctx, audit.System, 1, m)
	require.Error(t, err, "a stale version is refused")

	_, err = svc.Rescore(ctx, []registry.USCC{u})
	require.NoError(t, err)
	after, err := svc.RiskHistory(ctx, u.String(), 10)
	require.NoError(t, err)
	require.Len(t, after, len(before)+1)
	assert.Equal(t, 2, after[0].ModelVersion)
	assert.Greater(t, after[0].Score, before[0].Score)
	for i, a := range after[1:] {
		assert.Equal(t, before[i], a, "old assessments are never rewritten")
	}
}

// TestRisk_RescoreRoundTripsDoNotGrowWithHistory counts the commands re-scoring one
// enterprise sends, with a short and a long history.
func TestRisk_RescoreRoundTripsDoNotGrowWithHistory(t *testing.T) {
	ctx := context.Background()
	mon := store.NewMonitor()
	st := storetest.Open(t, mon)
	reg := registry.NewMongoStore(st.DB)
	require.NoError(t, reg.EnsureIndexes(ctx))
	svc := registry.NewService(reg, audit.NewLog(st.DB), registry.BeijingAreas())
	short := register(t, svc, "MA01RTW10", "北京短史健身有限公司")
	long := register(t, svc, "MA01RTL20", "北京长史健身有限公司")
	runImport(t, svc, recentCSV(10, "北京短史健身有限公司"))
	runImport(t, svc, recentCSV(1000, "北京长史健身有限公司"))
	for i := 0; i < 50; i++ {
		_, err := svc.Rescore(ctx, []registry.USCC{long})
		require.NoError(t, err)
	}

	count := func(u registry.USCC) map[string]int {
		mon.Reset()
		_, err := svc.Rescore(ctx, []registry.USCC{u})
		require.NoError(t, err)
		return mon.Counts()
	}
	assert.Equal(t, count(short), count(long))
}
