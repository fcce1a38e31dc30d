package funds

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// planBenchClaims returns 10,000 claims with consumers, of up to 100,000 yuan verified each.
func planBenchClaims() ([]RefundClaim, int64) {
	r := rand.New(rand.NewPCG(10_000, 2))
	claims := make([]RefundClaim, allocBenchClaims)
	var total int64
	for i := range claims {
		v := 1 + r.Int64N(10_000_000)
		claims[i] = RefundClaim{ID: fmt.Sprintf("C-%05d", i), ConsumerName: "消费者" + fmt.Sprint(i),
			ConsumerPhone: fmt.Sprintf("138%08d", i), ClaimFen: v - r.Int64N(v), VerifiedFen: v,
			Source: ClaimFromImport}
		total += v
	}
	return claims, total
}

// planBenchAccount opens an account holding a sixth of total and insured for another
// sixth, and freezes it: the claims are shared pro rata.
func (f *fixture) planBenchAccount(tb testing.TB, total int64) *Account {
	tb.Helper()
	ctx := context.Background()
	a := f.account(tb)
	f.post(tb, a.ID, "sales", EntrySale, total)
	f.post(tb, a.ID, "deposit", EntryDeposit, total/6)
	a, err := f.svc.AddCover(ctx, officer, a.ID, f.get(tb, a.ID).Version, CoverInput{Kind: CoverInsurance,
		Insurer: "中国人民财产保险", PolicyNumber: "P-1",
		CoveredFen: total/6 + 1, ValidFrom: "2026-09-01", ValidTo: "2027-08-31"})
	require.NoError(tb, err)
	a, err = f.svc.Freeze(ctx, officer, a.ID, a.Version, "企业失联")
	require.NoError(tb, err)
	return a
}

func TestService_ProposePlan10000ClaimsAddUpToTheFen(t *testing.T) {
	f := newFixture(t)
	claims, total := planBenchClaims()
	a := f.planBenchAccount(t, total)

	p, err := f.svc.ProposePlan(context.Background(), officer, a.ID, PlanInput{Claims: claims})
	require.NoError(t, err)
	require.False(t, p.Allocation.Full)
	require.Equal(t, a.HeldFen+a.InsuredFen, p.AvailableFen)

	var shares, fromAccount, fromCover int64
	for i, o := range p.Payouts {
		require.Equal(t, p.Allocation.Shares[i].ShareFen, o.ShareFen)
		require.LessOrEqual(t, o.ShareFen, claims[i].VerifiedFen)
		require.Equal(t, o.ShareFen, o.AccountFen+o.CoverFen)
		require.GreaterOrEqual(t, o.CoverFen, int64(0))
		shares += o.ShareFen
		fromAccount += o.AccountFen
		fromCover += o.CoverFen
	}
	require.Equal(t, p.AvailableFen, shares, "the shares add up to what is available")
	require.Equal(t, a.HeldFen, fromAccount, "the account pays what it holds")
	require.Equal(t, a.InsuredFen, fromCover, "the covers pay the rest")

	stored, err := f.svc.Plan(context.Background(), p.ID)
	require.NoError(t, err)
	require.Equal(t, p.Payouts, stored.Payouts)
	require.Len(t, stored.Claims, allocBenchClaims)
}

// BenchmarkRefundPlan10000 times a proposal of 10,000 claims on the embedded store
// (allocation, split, one plan document stored, one audit record) against its baseline in
// the same run, AllocateRefunds alone on the same claims: the ratio is what the store adds.
//
//	go test ./funds/ -run '^$' -bench 'BenchmarkRefundPlan10000' -benchtime 10x -benchmem
//
// Every proposal stays in the one database, as plans do: on the embedded store a query reads
// every document of its collection, so each proposal's open-plan check reads the earlier
// 10,000-claim plans whole and the time per proposal grows with their number
// (-benchtime 1x times a proposal on an empty collection).
func BenchmarkRefundPlan10000(b *testing.B) {
	claims, total := planBenchClaims()

	b.Run("allocate", func(b *testing.B) {
		available := total/6 + total/6 + 1
		for b.Loop() {
			if _, err := AllocateRefunds(available, claims); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("propose", func(b *testing.B) {
		f := newFixture(b)
		ctx := context.Background()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			a := f.planBenchAccount(b, total)
			b.StartTimer()
			if _, err := f.svc.ProposePlan(ctx, officer, a.ID, PlanInput{Claims: claims}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
