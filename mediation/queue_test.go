package mediation

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/errs"
)

func TestService_Queue(t *testing.T) {
	f := bulkFixture(t, nil)
	f.bulkCases(t, 600)
	ctx := context.Background()
	m07 := audit.Actor{Username: "m07", Role: RoleMediator}

	t.Run("a mediator's cases by next deadline, then the pool", func(t *testing.T) {
		q, err := f.svc.Queue(ctx, m07, QueueQuery{Limit: 5})
		require.NoError(t, err)
		var seen []QueueItem
		for {
			for _, it := range q.Cases {
				assert.Equal(t, "m07", it.Mediator)
				assert.Equal(t, "张伟", it.Consumers[0], "their own cases in full")
			}
			seen = append(seen, q.Cases...)
			if q.NextCursor == "" {
				break
			}
			q, err = f.svc.Queue(ctx, m07, QueueQuery{Limit: 5, Cursor: q.NextCursor})
			require.NoError(t, err)
		}
		assert.Len(t, seen, 12, "600 cases, a tenth in the pool, the rest across 50 mediators")
		for i := 1; i < len(seen); i++ {
			assert.False(t, seen[i].NextDeadline.Before(*seen[i-1].NextDeadline), "earliest first")
		}
		flags := map[DeadlineStatus]int{}
		for _, it := range seen {
			flags[it.Flag]++
		}
		assert.Positive(t, flags[DeadlineOverdue], "accepted up to 90 days ago: some past 45 working days")

		q, err = f.svc.Queue(ctx, m07, QueueQuery{Limit: 5})
		require.NoError(t, err)
		require.Len(t, q.Pool, 5)
		for _, it := range q.Pool {
			assert.Equal(t, StateAccepted, it.State)
			assert.Empty(t, it.Mediator)
			assert.Equal(t, "张*", it.Consumers[0], "pool cases masked")
		}
		assert.NotEmpty(t, q.PoolNextCursor)
	})

	t.Run("staff see every open case", func(t *testing.T) {
		total := 0
		q, err := f.svc.Queue(ctx, clerk, QueueQuery{Limit: 100})
		require.NoError(t, err)
		for {
			total += len(q.Cases)
			if q.NextCursor == "" {
				break
			}
			q, err = f.svc.Queue(ctx, clerk, QueueQuery{Limit: 100, Cursor: q.NextCursor})
			require.NoError(t, err)
		}
		assert.Equal(t, 600, total)
	})

	t.Run("a cursor from elsewhere", func(t *testing.T) {
		_, err := f.svc.Queue(ctx, m07, QueueQuery{Cursor: "eyIkZ3QiOiIifQ"})
		requireKind(t, err, errs.Invalid, "")
		_, err = f.svc.Queue(ctx, audit.Actor{Username: "x", Role: "fund_officer"}, QueueQuery{})
		requireKind(t, err, errs.Forbidden, "")
	})
}
