package funds

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// allocBenchClaims is the size of the benchmarked plan.
const allocBenchClaims = 10_000

// allocBenchPlan returns 10,000 claims of up to 100,000 yuan each and funds of a third of
// their total, so that every claim is shared pro rata and thousands of remainder fen are
// handed out.
func allocBenchPlan(tb testing.TB) (int64, []RefundClaim) {
	tb.Helper()
	r := rand.New(rand.NewPCG(10_000, 1))
	claims := allocRandomClaims(r, allocBenchClaims)
	var total int64
	for i := range claims {
		claims[i].VerifiedFen = 1 + r.Int64N(10_000_000)
		claims[i].ClaimFen = claims[i].VerifiedFen
		total += claims[i].VerifiedFen
	}
	return total / 3, claims
}

func TestAllocateRefunds_10000ClaimsAddUpToTheFen(t *testing.T) {
	available, claims := allocBenchPlan(t)

	a, err := AllocateRefunds(available, claims)
	require.NoError(t, err)

	require.False(t, a.Full)
	var sum, extra int64
	for _, s := range a.Shares {
		sum += s.ShareFen
		extra += s.RemainderFen
	}
	require.Equal(t, available, sum)
	t.Logf("%d claims, %d fen available, %d remainder fen handed out", len(claims), available, extra)

	// The float baseline of the benchmark is not exact: its rounded shares miss the amount
	// available by some fen.
	var floatSum int64
	for _, f := range allocFloatProRata(available, claims) {
		floatSum += f
	}
	t.Logf("float pro rata, rounded to the fen, adds up to %d fen: %+d fen off", floatSum, floatSum-available)
}

// allocFloatProRata is the baseline of BenchmarkAllocate10000: the naive pro-rata share
// math.Round(available × verified / total) in float64. It is what AllocateRefunds replaces:
// its shares do not add up to what is available, and float64 cannot even hold the products
// of large amounts exactly.
func allocFloatProRata(available int64, claims []RefundClaim) []int64 {
	var total int64
	for _, c := range claims {
		total += c.VerifiedFen
	}
	out := make([]int64, len(claims))
	for i, c := range claims {
		out[i] = int64(math.Round(float64(available) * float64(c.VerifiedFen) / float64(total)))
	}
	return out
}

// BenchmarkAllocate10000 allocates 10,000 claims with AllocateRefunds: checking every
// claim, 128-bit quotas and the sort of the remainders.
func BenchmarkAllocate10000(b *testing.B) {
	available, claims := allocBenchPlan(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := AllocateRefunds(available, claims); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAllocate10000FloatBaseline is the baseline measured in the same run: the float
// pro rata of allocFloatProRata, with no checks, no remainder rule and no exact sum.
func BenchmarkAllocate10000FloatBaseline(b *testing.B) {
	available, claims := allocBenchPlan(b)
	b.ReportAllocs()
	for b.Loop() {
		allocFloatProRata(available, claims)
	}
}
