package funds

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
)

// Eight clients post the same 1,000 entries twice to one account, each client a share of the
// first pass and another client's share of the second, both passes running at once: every
// entry is stored once, the balances are the sums of the entries, and Reconcile finds nothing.
func TestService_ConcurrentPostingOnce(t *testing.T) {
	const (
		clients = 8
		total   = 1000
	)
	f := newFixture(t)
	ctx := context.Background()
	a := f.account(t)

	// The entries and their sums, worked out apart from the service.
	inputs := make([]EntryInput, total)
	var wantHeld, wantOutstanding int64
	for i := range inputs {
		amount := int64(100 + i*7)
		switch i % 3 {
		case 0:
			inputs[i] = EntryInput{Type: EntrySale, AmountFen: amount}
			wantOutstanding += amount
		case 1:
			inputs[i] = EntryInput{Type: EntryDeposit, AmountFen: amount}
			wantHeld += amount
		default:
			inputs[i] = EntryInput{Type: EntryInterest, AmountFen: amount%50 + 1}
			wantHeld += amount%50 + 1
		}
		inputs[i].Reference = fmt.Sprintf("批次-%04d", i)
	}

	var posted, replayed atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Client c posts entry i of the first pass when i%8 == c and of the second when
			// i%8 == c+1, alternating, so that the two posts of an entry overlap in time.
			for i := range total {
				if i%clients != c && i%clients != (c+1)%clients {
					continue
				}
				actor := audit.Actor{Username: fmt.Sprintf("client-%d", c), Role: "fund_officer", Via: "api"}
				_, again, err := f.svc.PostEntry(ctx, actor, a.ID, fmt.Sprintf("batch-%04d", i), inputs[i])
				if err != nil {
					errc <- fmt.Errorf("client %d, entry %d: %w", c, i, err)
					return
				}
				if again {
					replayed.Add(1)
				} else {
					posted.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}

	assert.EqualValues(t, total, posted.Load(), "each entry posted once")
	assert.EqualValues(t, total, replayed.Load(), "and replayed once")
	assert.EqualValues(t, total, f.count(t, EntriesCollection))
	got := f.get(t, a.ID)
	assert.Equal(t, wantHeld, got.HeldFen)
	assert.Equal(t, wantOutstanding, got.OutstandingFen)
	assert.EqualValues(t, total, got.AppliedSeq)

	entries, err := f.st.EntriesOf(ctx, a.ID, 0, 0)
	require.NoError(t, err)
	for i, e := range entries {
		require.EqualValues(t, i+1, e.Seq, "sequence numbers without gaps")
	}

	n, err := f.svc.Reconcile(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing to fix")
	verifyTrail(t, f.log)
}
