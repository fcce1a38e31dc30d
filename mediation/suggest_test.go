package mediation

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/registry"
)

// insertCases puts cases straight into the cases collection, as the case service would have
// left them.
func (f *bodiesFixture) insertCases(t *testing.T, cases ...Case) {
	t.Helper()
	docs := make([]any, len(cases))
	for i := range cases {
		if cases[i].Timeline == nil {
			cases[i].Timeline = []Event{}
		}
		docs[i] = cases[i]
	}
	_, err := f.db.Collection(CasesCollection).InsertMany(context.Background(), docs)
	require.NoError(t, err)
}

// assignedCase is a case of the given state on mediator's desk.
func assignedCase(id, body, mediator string, state State) Case {
	accepted := time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC)
	return Case{ID: id, USCC: "91110105MA01R8XK2N", EnterpriseName: "某健身公司", Industry: registry.IndustryFitness,
		District: "110105", State: state, SubmittedAt: accepted, AcceptedAt: &accepted, Body: body, Mediator: mediator,
		Version: 1}
}

func TestService_SuggestMediators(t *testing.T) {
	f := newBodiesFixture(t)
	ctx := context.Background()
	b, err := f.svc.CreateBody(ctx, mediationAdmin,
		BodyInput{Name: "朝阳区消费者协会调解委员会", Kind: BodyConsumerAssociation})
	require.NoError(t, err)
	enterprise := testUSCC(t, 1)

	register := func(username string, industries []registry.Industry, districts []string) {
		_, err := f.svc.RegisterMediator(ctx, mediationAdmin, MediatorInput{Username: username, Name: "调解员" + username,
			Body: b.ID, Industries: industries, Districts: districts})
		require.NoError(t, err)
	}
	fitness := []registry.Industry{registry.IndustryFitness}
	register("a-idle-stranger", nil, nil)
	register("b-idle-fitness", fitness, nil)
	register("c-idle-fitness-local", fitness, []string{"110105"})
	register("d-busy-fitness-local", fitness, []string{"110105"})
	register("e-idle-local", []registry.Industry{registry.IndustryBeauty}, []string{"110105"})
	register("f-conflicted", fitness, []string{"110105"})
	register("g-inactive", fitness, []string{"110105"})
	register("h-twin-of-c", fitness, []string{"110105"})
	_, err = f.svc.RecordConflict(ctx, mediationAdmin, "f-conflicted", 1, enterprise, "其配偶为该企业股东")
	require.NoError(t, err)
	_, err = f.svc.DeactivateMediator(ctx, mediationAdmin, "g-inactive", 1)
	require.NoError(t, err)

	// d has two open cases and one that no longer counts; b has one open case.
	f.insertCases(t,
		assignedCase("MC-1", b.ID, "d-busy-fitness-local", StateInMediation),
		assignedCase("MC-2", b.ID, "d-busy-fitness-local", StateAgreement),
		assignedCase("MC-3", b.ID, "d-busy-fitness-local", StateEnded),
		assignedCase("MC-4", b.ID, "b-idle-fitness", StateAssigned),
		assignedCase("MC-5", b.ID, "", StateAccepted),
	)
	counts, err := f.svc.store.OpenCaseCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"d-busy-fitness-local": 2, "b-idle-fitness": 1}, counts)

	c := &Case{ID: "MC-9", USCC: enterprise, Industry: registry.IndustryFitness, District: "110105"}
	got, err := f.svc.SuggestMediators(ctx, c, 0)
	require.NoError(t, err)

	type row struct {
		user    string
		score   int
		reasons []string
	}
	var rows []row
	for _, s := range got {
		rows = append(rows, row{s.Username, s.Score, s.Reasons})
	}
	assert.Equal(t, []row{
		{"c-idle-fitness-local", 3, []string{"在办案件 0 件", "熟悉健身行业", "同区"}},
		{"h-twin-of-c", 3, []string{"在办案件 0 件", "熟悉健身行业", "同区"}},
		{"e-idle-local", 1, []string{"在办案件 0 件", "同区"}},
		{"a-idle-stranger", 0, []string{"在办案件 0 件"}},
		{"b-idle-fitness", -2, []string{"在办案件 1 件", "熟悉健身行业"}},
	}, rows, "conflicted and inactive mediators left out; limit 5 by default")

	all, err := f.svc.SuggestMediators(ctx, c, 10)
	require.NoError(t, err)
	require.Len(t, all, 6)
	last := all[5]
	assert.Equal(t, "d-busy-fitness-local", last.Username)
	assert.Equal(t, -5, last.Score)
	assert.Equal(t, 2, last.OpenCases)
	assert.True(t, last.Industry)
	assert.True(t, last.District)

	other := &Case{ID: "MC-10", USCC: testUSCC(t, 2), Industry: registry.IndustryEducation, District: "110108"}
	got, err = f.svc.SuggestMediators(ctx, other, 10)
	require.NoError(t, err)
	var names []string
	for _, s := range got {
		names = append(names, s.Username)
	}
	assert.Contains(t, names, "f-conflicted", "a conflict is against one enterprise only")
	assert.NotContains(t, names, "g-inactive")
}
