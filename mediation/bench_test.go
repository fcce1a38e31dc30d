package mediation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// queueMediators is how many mediators the bulk cases are spread across.
const queueMediators = 50

// bulkFixture is a fixture on a store whose commands mon counts.
func bulkFixture(t testing.TB, mon *store.Monitor) *fixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, mon).DB
	log := audit.NewLog(db)
	reg := registry.NewService(registry.NewMongoStore(db), log, registry.BeijingAreas())
	st := NewMongoStore(db)
	require.NoError(t, st.EnsureIndexes(ctx))
	f := &fixture{svc: NewService(st, log, reg, workday.Default()), reg: reg, st: st, log: log, db: db,
		now: at(t, "2026-12-01", "09:00")}
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// bulkCases puts n open cases straight into the store with a few InsertMany calls: every
// tenth waits in the open pool, the others are spread across queueMediators mediators
// ("m00".."m49"), accepted on days up to 90 days back so that some are overdue and some near.
func (f *fixture) bulkCases(t testing.TB, n int) {
	t.Helper()
	cal := f.svc.Calendar()
	code := uscc(t, 1)
	docs := make([]any, 0, 1000)
	flush := func() {
		if len(docs) == 0 {
			return
		}
		_, err := f.db.Collection(CasesCollection).InsertMany(context.Background(), docs)
		require.NoError(t, err)
		docs = docs[:0]
	}
	for i := range n {
		submitted := f.now.Add(-time.Duration(i%90+1) * 24 * time.Hour).UTC().Truncate(time.Millisecond)
		accepted := submitted.Add(time.Hour)
		c := Case{ID: fmt.Sprintf("MC-20260901-%08x", i), USCC: code, EnterpriseName: "测试健身001有限公司",
			Industry: registry.IndustryFitness, District: "110105",
			Claims: []Claim{{ConsumerName: "张伟", ConsumerPhone: "13812341234", Kind: ClaimRefund, ClaimFen: 100000}},
			Facts:  "退费纠纷", State: StateAssigned, SubmittedAt: submitted, AcceptedAt: &accepted,
			Mediator: fmt.Sprintf("m%02d", i%queueMediators), Body: "cca",
			Pauses: []Pause{}, Sessions: []Session{}, Timeline: []Event{{At: submitted, By: "li", What: "submit"}},
			Version: 3, CreatedBy: "li", UpdatedAt: accepted}
		if i%10 == 0 {
			c.State, c.Mediator, c.Body = StateAccepted, "", ""
		}
		refreshDeadlines(cal, &c, f.now)
		docs = append(docs, c)
		if len(docs) == cap(docs) {
			flush()
		}
	}
	flush()
}

// TestService_QueueRoundTrips shows that a queue costs the same commands with 500 open cases
// as with 5,000: one sorted, limited query for the reader's cases and one for the pool.
func TestService_QueueRoundTrips(t *testing.T) {
	counts := map[int][2]int{}
	for _, n := range []int{500, 5000} {
		mon := store.NewMonitor()
		f := bulkFixture(t, mon)
		f.bulkCases(t, n)

		mon.Reset()
		q, err := f.svc.Queue(context.Background(), audit.Actor{Username: "m07", Role: RoleMediator},
			QueueQuery{Limit: 50})
		require.NoError(t, err)
		mediator := mon.Total()
		assert.NotEmpty(t, q.Cases)
		assert.Len(t, q.Pool, 50)

		mon.Reset()
		_, err = f.svc.Queue(context.Background(), clerk, QueueQuery{Limit: 50})
		require.NoError(t, err)
		regulator := mon.Total()
		counts[n] = [2]int{mediator, regulator}
		t.Logf("%d open cases: mediator queue %d commands %v, regulator queue %d commands", n, mediator,
			mon.Counts(), regulator)
	}
	assert.Equal(t, counts[500], counts[5000], "commands per queue do not grow with the cases")
	assert.Equal(t, [2]int{2, 2}, counts[5000])
}

// BenchmarkQueue reads a mediator's queue among 500 and 5,000 open cases and reports the
// commands each read sends.
//
//	go test ./mediation -run '^$' -bench Queue -benchtime 20x
func BenchmarkQueue(b *testing.B) {
	for _, n := range []int{500, 5000} {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			mon := store.NewMonitor()
			f := bulkFixture(b, mon)
			f.bulkCases(b, n)
			actor := audit.Actor{Username: "m07", Role: RoleMediator}
			commands := 0
			for b.Loop() {
				mon.Reset()
				_, err := f.svc.Queue(context.Background(), actor, QueueQuery{Limit: 50})
				require.NoError(b, err)
				commands += mon.Total()
			}
			b.ReportMetric(float64(commands)/float64(b.N), "commands/op")
		})
	}
}
