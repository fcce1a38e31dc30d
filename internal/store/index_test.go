package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
)

func TestEnsureIndexes_IsRepeatable(t *testing.T) {
	ctx := context.Background()
	coll := storetest.New(t).Collection("things")
	models := []mongo.IndexModel{
		{Keys: bson.D{{Key: "a", Value: 1}}},
		{Keys: bson.D{{Key: "b", Value: 1}, {Key: "_id", Value: 1}}},
	}
	require.NoError(t, store.EnsureIndexes(ctx, coll, models[:1]...))
	// A second start, with one more index than before.
	require.NoError(t, store.EnsureIndexes(ctx, coll, models...))
	require.NoError(t, store.EnsureIndexes(ctx, coll, models...))

	cur, err := coll.Indexes().List(ctx)
	require.NoError(t, err)
	var specs []bson.M
	require.NoError(t, cur.All(ctx, &specs))
	var names []string
	for _, s := range specs {
		names = append(names, s["name"].(string))
	}
	assert.ElementsMatch(t, []string{"_id_", "a_1", "b_1__id_1"}, names)
}

func TestLockDocuments_OverlappingSetsDoNotDeadlock(t *testing.T) {
	// Many goroutines lock overlapping sets in different orders; with 300 ids over 256
	// stripes some ids share a stripe, which must not lock a stripe twice.
	ids := make([]string, 300)
	for i := range ids {
		ids[i] = fmt.Sprintf("id%03d", i)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < 200; k++ {
				set := []string{ids[(g*37+k)%300], ids[(k*11)%300], ids[(300-k-g)%300]}
				store.LockDocuments("things", set)()
				store.LockDocument("things", set[0])()
			}
		}(g)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("deadlock")
	}
	unlock := store.LockDocuments("things", ids)
	unlock()
}

// TestBulkWrite_ManyUpdates writes more updates than the embedded store's connection pool
// could hold in one command.
func TestBulkWrite_ManyUpdates(t *testing.T) {
	ctx := context.Background()
	coll := storetest.New(t).Collection("things")
	const n = 250
	docs := make([]any, n)
	models := make([]mongo.WriteModel, n)
	for i := range n {
		docs[i] = bson.M{"_id": i, "count": 0}
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": i}).SetUpdate(bson.M{"$inc": bson.M{"count": i}})
	}
	_, err := coll.InsertMany(ctx, docs)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() { done <- store.BulkWrite(ctx, coll, models) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(60 * time.Second):
		t.Fatal("the bulk write never finished")
	}
	var got struct{ Count int }
	require.NoError(t, coll.FindOne(ctx, bson.M{"_id": n - 1}).Decode(&got))
	assert.Equal(t, n-1, got.Count)
}
