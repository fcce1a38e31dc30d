package funds

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/errs"
)

// allocClaims returns claims with the space-separated ids and the verified amounts given,
// each asking for exactly what was verified.
func allocClaims(ids string, verified ...int64) []RefundClaim {
	var cs []RefundClaim
	for i, id := range strings.Fields(ids) {
		cs = append(cs, RefundClaim{ID: id, ConsumerName: "张伟", ConsumerPhone: "13812341234",
			ClaimFen: verified[i], VerifiedFen: verified[i], Source: ClaimFromComplaint})
	}
	return cs
}

// allocSharesOf returns each claim's share, in the claims' order.
func allocSharesOf(a Allocation) []int64 {
	out := make([]int64, len(a.Shares))
	for i, s := range a.Shares {
		out[i] = s.ShareFen
	}
	return out
}

func TestAllocateRefunds(t *testing.T) {
	const e13 = 10_000_000_000_000
	tests := []struct {
		name       string
		available  int64
		claims     []RefundClaim
		want       []int64
		wantRemain []int64
		full       bool
		surplus    int64
		shortfall  int64
	}{
		{
			// 100 × 100 / 300 = 33 remainder 100 for each; the one fen left goes to the
			// smallest id, "A", wherever it stands.
			name: "100 fen among 3 equal claims", available: 100,
			claims: allocClaims("C A B", 100, 100, 100),
			want:   []int64{33, 34, 33}, wantRemain: []int64{0, 1, 0}, shortfall: 200,
		},
		{
			// 7 × 3 / 10 = 2 r 1; 7 × 7 / 10 = 4 r 9: the larger remainder takes the fen,
			// before the smaller id.
			name: "largest remainder first", available: 7,
			claims: allocClaims("a b", 3, 7),
			want:   []int64{2, 5}, wantRemain: []int64{0, 1}, shortfall: 3,
		},
		{
			// 4 × 1 / 10 = 0 r 4; 4 × 6 / 10 = 2 r 4; 4 × 3 / 10 = 1 r 2. Equal remainders:
			// the smaller verified amount, "b", takes the fen although "a" sorts first.
			name: "equal remainders go to the smaller verified amount", available: 4,
			claims: allocClaims("b a c", 1, 6, 3),
			want:   []int64{1, 2, 1}, wantRemain: []int64{1, 0, 0}, shortfall: 6,
		},
		{
			name: "funds cover every claim", available: 100_000,
			claims: allocClaims("x y", 30_000, 45_000),
			want:   []int64{30_000, 45_000}, wantRemain: []int64{0, 0}, full: true, surplus: 25_000,
		},
		{
			name: "funds exactly cover every claim", available: 75_000,
			claims: allocClaims("x y", 30_000, 45_000),
			want:   []int64{30_000, 45_000}, wantRemain: []int64{0, 0}, full: true,
		},
		{
			// 10^13 × 10^13 overflows int64; the quota is 3,333,333,333,333⅓ fen each.
			name: "largest amounts", available: e13,
			claims:     allocClaims("k2 k1 k3", e13, e13, e13),
			want:       []int64{3_333_333_333_333, 3_333_333_333_334, 3_333_333_333_333},
			wantRemain: []int64{0, 1, 0}, shortfall: 2 * e13,
		},
		{
			// 1 × v / 1,000,001: every floor is 0; the one fen goes to the largest claim.
			name: "one fen among many", available: 1,
			claims: allocClaims("p q", 1, 1_000_000),
			want:   []int64{0, 1}, wantRemain: []int64{0, 1}, shortfall: 1_000_000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := AllocateRefunds(tt.available, tt.claims)
			require.NoError(t, err)

			assert.Equal(t, tt.want, allocSharesOf(a))
			var remain []int64
			for _, s := range a.Shares {
				remain = append(remain, s.RemainderFen)
			}
			assert.Equal(t, tt.wantRemain, remain)
			assert.Equal(t, tt.full, a.Full)
			assert.Equal(t, tt.surplus, a.SurplusFen)
			assert.Equal(t, tt.shortfall, a.ShortfallFen)
			assert.Equal(t, tt.available, a.AvailableFen)
			for i, c := range tt.claims {
				assert.Equal(t, c.ID, a.Shares[i].ClaimID)
			}
			if tt.full {
				assert.True(t, strings.HasPrefix(a.Rule, allocRuleFullZH), a.Rule)
			} else {
				assert.Equal(t, allocRuleProRataZH+" ("+allocRuleProRataEN+")", a.Rule)
			}
		})
	}
}

func TestAllocateRefunds_VerifiedAboveClaimIsNoted(t *testing.T) {
	claims := allocClaims("a b", 600, 400)
	claims[1].ClaimFen = 300

	a, err := AllocateRefunds(500, claims)
	require.NoError(t, err)

	assert.Equal(t, []int64{300, 200}, allocSharesOf(a), "shares follow the verified amounts")
	assert.Empty(t, a.Shares[0].Note)
	assert.Contains(t, a.Shares[1].Note, "按核实金额分配")
	assert.Equal(t, int64(300), a.Shares[1].ClaimFen)
}

func TestAllocateRefunds_Refused(t *testing.T) {
	over := func(cs []RefundClaim) []RefundClaim { cs[2].ClaimFen = cs[2].VerifiedFen + 1; return cs }
	withID := func(cs []RefundClaim, i int, id string) []RefundClaim { cs[i].ID = id; return cs }
	tests := []struct {
		name      string
		available int64
		claims    []RefundClaim
		field     string
		says      string
	}{
		{"claim above verified", 100, over(allocClaims("a b c-3", 10, 20, 30)),
			"claims[2].claim_fen", "c-3"},
		{"no funds", 0, allocClaims("a", 10), "available_fen", "须大于零"},
		{"negative funds", -1, allocClaims("a", 10), "available_fen", "须大于零"},
		{"funds too large", MaxRefundFen + 1, allocClaims("a", 10), "available_fen", "不能超过"},
		{"no claims", 100, nil, "claims", "至少"},
		{"too many claims", 100, make([]RefundClaim, MaxRefundClaims+1), "claims", "最多 100000 项"},
		{"no id", 100, withID(allocClaims("a b", 10, 10), 1, ""), "claims[1].id", "申请编号"},
		{"id with spaces", 100, withID(allocClaims("a b", 10, 10), 1, " b"), "claims[1].id", "空格"},
		{"repeated id", 100, allocClaims("a b a", 10, 10, 10), "claims[2].id", "与第 1 项重复"},
		{"verified zero", 100, allocClaims("a b", 10, 0), "claims[1].verified_fen", "须大于零"},
		{"verified too large", 100, allocClaims("a", MaxRefundFen+1), "claims[0].verified_fen", "不能超过"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AllocateRefunds(tt.available, tt.claims)
			require.Error(t, err)
			assert.True(t, errs.Is(err, errs.Invalid), "got %v", err)
			msg := ""
			for _, f := range errs.FieldsOf(err) {
				if f.Field == tt.field {
					msg = f.Message
				}
			}
			assert.Contains(t, msg, tt.says, "field %s in %v", tt.field, err)
		})
	}

	t.Run("unknown source and negative claim", func(t *testing.T) {
		cs := allocClaims("a", 10)
		cs[0].Source, cs[0].ClaimFen = "phone", -5
		_, err := AllocateRefunds(100, cs)
		var names []string
		for _, f := range errs.FieldsOf(err) {
			names = append(names, f.Field)
		}
		assert.Equal(t, []string{"claims[0].source", "claims[0].claim_fen"}, names)
	})

	t.Run("many problems are capped", func(t *testing.T) {
		cs := make([]RefundClaim, 200)
		_, err := AllocateRefunds(100, cs)
		fields := errs.FieldsOf(err)
		require.LessOrEqual(t, len(fields), allocMaxFieldErrors+1)
		last := fields[len(fields)-1]
		assert.Equal(t, "claims", last.Field)
		assert.Contains(t, last.Message, "另有")
	})
}

// allocReference allocates with math/big and a plain sort, as the rule reads, to check
// AllocateRefunds against.
func allocReference(available int64, claims []RefundClaim) []int64 {
	var total int64
	for _, c := range claims {
		total += c.VerifiedFen
	}
	out := make([]int64, len(claims))
	if available >= total {
		for i, c := range claims {
			out[i] = c.VerifiedFen
		}
		return out
	}
	type quota struct {
		i   int
		rem *big.Int
	}
	qs := make([]quota, len(claims))
	left := available
	for i, c := range claims {
		num := new(big.Int).Mul(big.NewInt(available), big.NewInt(c.VerifiedFen))
		q, r := new(big.Int).QuoRem(num, big.NewInt(total), new(big.Int))
		out[i] = q.Int64()
		left -= out[i]
		qs[i] = quota{i, r}
	}
	slices.SortStableFunc(qs, func(x, y quota) int {
		if c := y.rem.Cmp(x.rem); c != 0 {
			return c
		}
		if vx, vy := claims[x.i].VerifiedFen, claims[y.i].VerifiedFen; vx != vy {
			return int(min(max(vx-vy, -1), 1))
		}
		return strings.Compare(claims[x.i].ID, claims[y.i].ID)
	})
	for _, q := range qs[:left] {
		out[q.i]++
	}
	return out
}

// allocRandomClaims returns n claims of random magnitudes, up to MaxRefundFen, with some
// repeated amounts so that ties occur.
func allocRandomClaims(r *rand.Rand, n int) []RefundClaim {
	cs := make([]RefundClaim, n)
	for i := range cs {
		v := 1 + r.Int64N(allocPow10(1+r.IntN(13)))
		if i > 0 && r.IntN(4) == 0 {
			v = cs[r.IntN(i)].VerifiedFen
		}
		cs[i] = RefundClaim{ID: fmt.Sprintf("RC-%06d", r.IntN(1_000_000)*1000+i), ClaimFen: 1 + r.Int64N(v),
			VerifiedFen: v, Source: ClaimFromImport}
	}
	return cs
}

func allocPow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func TestAllocateRefunds_Properties(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 12))
	for round := range 2000 {
		claims := allocRandomClaims(r, 1+r.IntN(60))
		var total int64
		for _, c := range claims {
			total += c.VerifiedFen
		}
		available := 1 + r.Int64N(min(MaxRefundFen, total+total/10))

		a, err := AllocateRefunds(available, claims)
		require.NoError(t, err, "round %d", round)

		var sum, extra int64
		for i, s := range a.Shares {
			require.GreaterOrEqual(t, s.ShareFen, int64(0), "round %d share %d", round, i)
			require.LessOrEqual(t, s.ShareFen, s.VerifiedFen, "round %d share %d", round, i)
			require.Contains(t, []int64{0, 1}, s.RemainderFen)
			sum += s.ShareFen
			extra += s.RemainderFen
		}
		require.Equal(t, total, a.TotalVerifiedFen)
		if a.Full {
			require.Equal(t, total, sum, "round %d", round)
			require.Equal(t, available-total, a.SurplusFen)
		} else {
			require.Equal(t, available, sum, "round %d: shares must add up to what is available", round)
			require.Less(t, extra, int64(len(claims)))
			require.Equal(t, total-available, a.ShortfallFen)
		}
		require.Equal(t, allocReference(available, claims), allocSharesOf(a), "round %d", round)

		// The order of the claims changes nothing.
		perm := slices.Clone(claims)
		r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		b, err := AllocateRefunds(available, perm)
		require.NoError(t, err)
		byID := map[string]int64{}
		for _, s := range b.Shares {
			byID[s.ClaimID] = s.ShareFen
		}
		for _, s := range a.Shares {
			require.Equal(t, s.ShareFen, byID[s.ClaimID], "round %d claim %s after shuffling", round, s.ClaimID)
		}

		// A larger verified amount never gets a smaller share.
		sorted := slices.Clone(a.Shares)
		slices.SortFunc(sorted, func(x, y Share) int { return int(min(max(x.VerifiedFen-y.VerifiedFen, -1), 1)) })
		for i := 1; i < len(sorted); i++ {
			if sorted[i].VerifiedFen == sorted[i-1].VerifiedFen {
				continue
			}
			require.GreaterOrEqual(t, sorted[i].ShareFen, sorted[i-1].ShareFen, "round %d", round)
		}
	}
}
