package funds

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
	"prepaidreg/registry"
)

// A gym sells cards and deposits part of the money, is covered in full, asks to release too
// much and is told by how much, releases what it may, is frozen and cannot release, and is
// unfrozen.
func TestService_FundSupervisionStory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 1)
	a, err := f.svc.OpenAccount(ctx, officer, accountInput(codes[0]))
	require.NoError(t, err)

	// Sales of 50,000 yuan reported, 25,000 deposited: 20,000 required (40 %), coverage 125 %.
	f.post(t, a.ID, "sales-2026-09", EntrySale, 5_000_000)
	f.post(t, a.ID, "deposit-1", EntryDeposit, 2_500_000)
	a = f.get(t, a.ID)
	assert.EqualValues(t, 2_000_000, a.RequiredFen)
	require.NotNil(t, a.Coverage)
	assert.InDelta(t, 1.25, *a.Coverage, 1e-9)

	// Releasing 10,000 yuan would leave 15,000 held against 16,000 required on the 40,000
	// still outstanding.
	_, _, err = f.svc.PostEntry(ctx, officer, a.ID, "release-1", EntryInput{Type: EntryRelease, AmountFen: 1_000_000})
	requireKind(t, err, errs.Conflict)
	assert.Contains(t, errs.MessageOf(err),
		"存管余额 25,000.00 元，本次划转 10,000.00 元，划转后 15,000.00 元，应存 16,000.00 元")
	assert.Contains(t, errs.MessageOf(err),
		"held 25,000.00 yuan, release 10,000.00, held after 15,000.00, required 16,000.00")

	// 8,000 yuan may go: 17,000 held against 16,800 required.
	f.post(t, a.ID, "release-2", EntryRelease, 800_000)
	a = f.get(t, a.ID)
	assert.EqualValues(t, 1_700_000, a.HeldFen)
	assert.EqualValues(t, 4_200_000, a.OutstandingFen)
	assert.EqualValues(t, 800_000, a.ReleasedFen)
	assert.EqualValues(t, 1_680_000, a.RequiredFen)

	sig, err := f.svc.RiskSignals(ctx, codes[0])
	require.NoError(t, err)
	assert.Equal(t, registry.RiskSignals{HeldFen: 1_700_000, RequiredFen: 1_680_000}, sig)

	// Frozen, nothing is released, however small.
	a, err = f.svc.Freeze(ctx, officer, a.ID, a.Version, "企业停业，待核查")
	require.NoError(t, err)
	before := f.written(t, a.ID)
	_, _, err = f.svc.PostEntry(ctx, officer, a.ID, "release-3", EntryInput{Type: EntryRelease, AmountFen: 100})
	requireKind(t, err, errs.Conflict)
	assert.Equal(t, before, f.written(t, a.ID))

	// Unfrozen, the same release passes.
	a, err = f.svc.Unfreeze(ctx, officer, a.ID, a.Version, "核查完毕，恢复经营")
	require.NoError(t, err)
	f.post(t, a.ID, "release-3", EntryRelease, 100)
	assert.EqualValues(t, 1_699_900, f.get(t, a.ID).HeldFen)

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	verifyTrail(t, f.log)
}

func TestService_FundsSummary(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	codes := f.enterprises(t, 2)
	first, err := f.svc.OpenAccount(ctx, officer, accountInput(codes[0]))
	require.NoError(t, err)
	in := accountInput(codes[0])
	in.Bank, in.AccountNumber, in.Tier = "中国建设银行", "11050123456789", TierScale
	second, err := f.svc.OpenAccount(ctx, officer, in)
	require.NoError(t, err)

	f.post(t, first.ID, "s", EntrySale, 1_000_001) // 40 %: 400,000.4 → 400,001
	f.post(t, first.ID, "d", EntryDeposit, 100_000)
	f.post(t, second.ID, "s", EntrySale, 500_000) // 20 %: 100,000
	f.post(t, second.ID, "d", EntryDeposit, 50_000)
	_, err = f.svc.AddCover(ctx, officer, second.ID, f.get(t, second.ID).Version, CoverInput{Kind: CoverBankGuarantee,
		Insurer: "中国建设银行", PolicyNumber: "BG-2026-7",
		CoveredFen: 150_000, ValidFrom: "2026-09-01", ValidTo: "2027-08-31"})
	require.NoError(t, err)

	sum, err := f.svc.FundsSummary(ctx, codes[0])
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Accounts)
	assert.EqualValues(t, 150_000, sum.HeldFen)
	assert.EqualValues(t, 500_001, sum.RequiredFen)
	assert.EqualValues(t, 150_000, sum.InsuredFen)
	require.NotNil(t, sum.Coverage)
	assert.InDelta(t, 0.6, *sum.Coverage, 1e-4)

	sec := sum.Section()
	require.NotNil(t, sec.SupervisedBalanceFen)
	assert.EqualValues(t, 300_000, *sec.SupervisedBalanceFen)
	assert.EqualValues(t, 500_001, *sec.RequiredDepositFen)

	sig, err := f.svc.RiskSignals(ctx, codes[0])
	require.NoError(t, err)
	assert.Equal(t, registry.RiskSignals{HeldFen: 300_000, RequiredFen: 500_001}, sig, "cover counts as held")

	// The registry's score takes the coverage in: 300,000 of 500,001 covered.
	f.reg.SetSignals(f.svc)
	scored, err := f.reg.Rescore(ctx, codes[:1])
	require.NoError(t, err)
	require.Len(t, scored, 1)
	var factor registry.Factor
	for _, fc := range scored[0].Factors {
		if fc.Name == registry.FactorFundCoverage {
			factor = fc
		}
	}
	assert.InDelta(t, 1-300_000.0/500_001, factor.Value, 1e-3)
	assert.Contains(t, factor.Explanation, "60%")

	none, err := f.svc.FundsSummary(ctx, codes[1])
	require.NoError(t, err)
	assert.Zero(t, none.Accounts)
	assert.Nil(t, none.Coverage)
	assert.Nil(t, none.Section().SupervisedBalanceFen, "no account: unknown, not zero")
}
