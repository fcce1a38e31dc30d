package funds

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
)

// BenchmarkAccountRead reads an account's balances and coverage when its ledger holds 1,000
// and 100,000 entries, and counts the commands sent; "baseline" is a raw FindOne of the same
// account document in the same run, the least any read could cost. The entries are inserted
// in bulk straight into the collection and the cache is rebuilt by Reconcile.
//
//	go test ./funds -run '^$' -bench AccountRead -benchtime 200x
func BenchmarkAccountRead(b *testing.B) {
	mon := store.NewMonitor()
	st := storetest.Open(b, mon)
	ctx := context.Background()

	for _, n := range []int{1_000, 100_000} {
		db := st.Client.Database(storetest.DBName(b))
		f, a := benchAccount(b, db, n)

		b.Run(fmt.Sprintf("service/entries=%d", n), func(b *testing.B) {
			mon.Reset()
			ops := 0
			for b.Loop() {
				got, err := f.svc.Account(ctx, a.ID)
				if err != nil || got.Coverage == nil {
					b.Fatalf("read: %v", err)
				}
				ops++
			}
			b.ReportMetric(float64(mon.Total())/float64(ops), "commands/op")
		})

		b.Run(fmt.Sprintf("baseline/entries=%d", n), func(b *testing.B) {
			coll := db.Collection(AccountsCollection)
			mon.Reset()
			ops := 0
			for b.Loop() {
				var got Account
				if err := coll.FindOne(ctx, bson.M{"_id": a.ID}).Decode(&got); err != nil {
					b.Fatalf("read: %v", err)
				}
				ops++
			}
			b.ReportMetric(float64(mon.Total())/float64(ops), "commands/op")
		})
	}
}

// benchAccount opens an account on db whose ledger holds n entries, alternately sales and
// deposits, and checks its cached balances once Reconcile has rebuilt them.
func benchAccount(b *testing.B, db *mongo.Database, n int) (*fixture, *Account) {
	b.Helper()
	ctx := context.Background()
	f := fixtureOn(b, db)
	a := f.account(b)

	const batch = 5_000
	var held, outstanding int64
	docs := make([]any, 0, batch)
	for i := range n {
		e := Entry{ID: fmt.Sprintf("%s:bulk-%06d", a.ID, i), AccountID: a.ID, Seq: int64(i + 1),
			Type: EntrySale, AmountFen: int64(1_000 + i%997), Currency: Currency, Reference: "bench",
			OccurredAt: f.now.UTC(), IdempotencyKey: fmt.Sprintf("bulk-%06d", i),
			PostedAt: f.now.UTC(), PostedBy: "bench"}
		if i%2 == 1 {
			e.Type = EntryDeposit
			held += e.AmountFen
		} else {
			outstanding += e.AmountFen
		}
		docs = append(docs, e)
		if len(docs) == batch || i == n-1 {
			_, err := db.Collection(EntriesCollection).InsertMany(ctx, docs)
			require.NoError(b, err)
			docs = docs[:0]
		}
	}

	start := time.Now()
	fixed, err := f.svc.Reconcile(ctx)
	require.NoError(b, err)
	b.Logf("Reconcile of an account with %d entries: %v", n, time.Since(start).Round(time.Millisecond))
	require.Equal(b, 1, fixed)
	got := f.get(b, a.ID)
	require.Equal(b, held, got.HeldFen)
	require.Equal(b, outstanding, got.OutstandingFen)
	require.EqualValues(b, n, got.AppliedSeq)
	return f, got
}
