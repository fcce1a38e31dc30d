package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/registry"
)

// fakeModule stands in for another module (interviews, mediation…): what it knows of one
// enterprise. It is not a store: the registry's own storage is the real embedded one.
type fakeModule struct {
	records registry.DossierRecords
	signals registry.RiskSignals
}

func (m fakeModule) DossierRecords(context.Context, registry.USCC) (registry.DossierRecords, error) {
	return m.records, nil
}

func (m fakeModule) RiskSignals(context.Context, registry.USCC) (registry.RiskSignals, error) {
	return m.signals, nil
}

func TestService_DossierListsOtherModulesRecords(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	e, err := svc.CreateEnterprise(ctx, clerk, input(t))
	require.NoError(t, err)

	at := time.Date(2026, 9, 28, 1, 0, 0, 0, time.UTC)
	interviews := fakeModule{
		records: registry.DossierRecords{
			Interviews:  []registry.DossierRecord{{ID: "IV-1", At: at, Title: "行政约谈", State: "未到场"}},
			Inspections: []registry.DossierRecord{{ID: "OP-1:X", At: at, Title: "联合执法检查", Outcome: "罚款"}},
		},
		signals: registry.RiskSignals{InterviewNoShows: 1, PenaltiesLastYear: 1, Penalties: 1},
	}
	mediation := fakeModule{
		records: registry.DossierRecords{Mediation: []registry.DossierRecord{{ID: "MC-1", At: at, Title: "调解"}}},
		signals: registry.RiskSignals{PenaltiesLastYear: 1},
	}

	t.Run("no modules", func(t *testing.T) {
		d, err := svc.Dossier(ctx, e.USCC.String())
		require.NoError(t, err)
		assert.Empty(t, d.Interviews)
		assert.Empty(t, d.ListStatus.Grounds)
	})

	svc.SetRecords(interviews, mediation)
	svc.SetSignals(interviews, mediation)
	d, err := svc.Dossier(ctx, e.USCC.String())
	require.NoError(t, err)
	require.Len(t, d.Interviews, 1)
	assert.Equal(t, "IV-1", d.Interviews[0].ID)
	require.Len(t, d.Enforcement, 1)
	assert.Equal(t, "OP-1:X", d.Enforcement[0].ID)
	require.Len(t, d.Mediation, 1)

	// One penalty in each module makes two within a year: the Shanghai black-list ground.
	require.Len(t, d.ListStatus.Grounds, 1)
	assert.Contains(t, d.ListStatus.Grounds[0], "一年内受到两次及以上行政处罚")

	// The signals add up in the score: the interview factor counts the no-show.
	as, err := svc.Rescore(ctx, []registry.USCC{e.USCC})
	require.NoError(t, err)
	require.Len(t, as, 1)
	var found bool
	for _, f := range as[0].Factors {
		if f.Name == registry.FactorInterviews {
			found = true
			assert.Greater(t, f.Contribution, 0.0, "a no-show should count")
		}
	}
	assert.True(t, found, "no interview factor in %+v", as[0].Factors)
}
