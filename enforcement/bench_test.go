package enforcement

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
	"prepaidreg/internal/workday"
	"prepaidreg/registry"
)

// BenchmarkPlanCampaign220 plans the 220-enterprise campaign of campaign_test.go on a fresh
// database each iteration and counts the commands sent; "insertmany" is the baseline: one
// InsertMany of the same 220 interviews, the least any plan could cost.
//
//	go test ./enforcement -run '^$' -bench PlanCampaign220 -benchtime 10x
func BenchmarkPlanCampaign220(b *testing.B) {
	mon := store.NewMonitor()
	st := storetest.Open(b, mon)
	var made []Interview

	b.Run("plan", func(b *testing.B) {
		commands := 0
		for b.Loop() {
			b.StopTimer()
			f, req := benchFixture(b, st.Client.Database(storetest.DBName(b)))
			mon.Reset()
			b.StartTimer()

			c, err := f.svc.PlanCampaign(context.Background(), clerk, req)

			b.StopTimer()
			require.NoError(b, err)
			commands += mon.Total()
			if made == nil {
				b.Logf("commands of one plan: %v", mon.Counts())
				_, made, err = f.svc.Campaign(context.Background(), c.ID)
				require.NoError(b, err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(commands)/float64(b.N), "commands/op")
	})

	b.Run("insertmany", func(b *testing.B) {
		require.Len(b, made, 220)
		docs := make([]any, len(made))
		for i := range made {
			docs[i] = made[i]
		}
		commands := 0
		for b.Loop() {
			b.StopTimer()
			coll := st.Client.Database(storetest.DBName(b)).Collection(InterviewsCollection)
			mon.Reset()
			b.StartTimer()

			_, err := coll.InsertMany(context.Background(), docs)

			b.StopTimer()
			require.NoError(b, err)
			commands += mon.Total()
			b.StartTimer()
		}
		b.ReportMetric(float64(commands)/float64(b.N), "commands/op")
	})
}

// benchFixture sets up a database with 220 enterprises and 9 officials, and returns the
// service on it and the campaign request.
func benchFixture(b *testing.B, db *mongo.Database) (*fixture, CampaignRequest) {
	ctx := context.Background()
	log := audit.NewLog(db)
	reg := registry.NewService(registry.NewMongoStore(db), log, registry.BeijingAreas())
	mst := NewMongoStore(db)
	require.NoError(b, mst.EnsureIndexes(ctx))
	now, err := time.ParseInLocation("2006-01-02 15:04", "2026-09-21 09:00", workday.Zone)
	require.NoError(b, err)
	f := &fixture{svc: NewService(mst, log, reg, workday.Default()), reg: reg, log: log, db: db, now: now}
	f.svc.SetClock(func() time.Time { return f.now })
	codes := f.enterprises(b, 220)
	officials := f.officials(b, 9)
	// The trail's tail is read once per process; read it now so the plan is measured warm.
	_, err = log.Append(ctx, audit.Entry{Actor: audit.System, Action: "bench.start", Target: "bench/1"})
	require.NoError(b, err)
	return f, campaignRequest(codes, officials)
}
