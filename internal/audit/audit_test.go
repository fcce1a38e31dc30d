package audit_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/store/storetest"
)

func appendN(t *testing.T, log *audit.Log, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		_, err := log.Append(context.Background(), audit.Entry{
			Actor:   audit.Actor{Username: "li", Role: "regulator", Via: "api"},
			Action:  "enterprise.update",
			Target:  "enterprise/X",
			Version: int64(i),
			Change:  map[string]any{"name": map[string]any{"to": i}},
		})
		require.NoError(t, err)
	}
}

func TestLog_VerifyIntactChain(t *testing.T) {
	db := storetest.New(t)
	log := audit.NewLog(db)
	appendN(t, log, 5)

	rep, err := log.Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, rep.OK(), "problems: %v", rep.Problems)
	assert.EqualValues(t, 5, rep.Records)
}

func TestLog_VerifyNamesTampering(t *testing.T) {
	ctx := context.Background()
	t.Run("edited record", func(t *testing.T) {
		db := storetest.New(t)
		log := audit.NewLog(db)
		appendN(t, log, 5)
		_, err := db.Collection(audit.RecordsCollection).UpdateOne(ctx, bson.M{"_id": 3}, bson.M{"$set": bson.M{"actor": "mallory"}})
		require.NoError(t, err)

		rep, err := log.Verify(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Problems, 1)
		assert.EqualValues(t, 3, rep.Problems[0].Seq)
		assert.Contains(t, rep.Problems[0].What, "altered")
	})

	t.Run("deleted record", func(t *testing.T) {
		db := storetest.New(t)
		log := audit.NewLog(db)
		appendN(t, log, 5)
		_, err := db.Collection(audit.RecordsCollection).DeleteOne(ctx, bson.M{"_id": 2})
		require.NoError(t, err)

		rep, err := log.Verify(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, rep.Problems)
		assert.EqualValues(t, 2, rep.Problems[0].Seq)
		assert.Contains(t, rep.Problems[0].What, "missing")
	})

	t.Run("records cut off the end", func(t *testing.T) {
		db := storetest.New(t)
		log := audit.NewLog(db)
		appendN(t, log, 5)
		_, err := db.Collection(audit.RecordsCollection).DeleteMany(ctx, bson.M{"_id": bson.M{"$gte": 4}})
		require.NoError(t, err)

		rep, err := log.Verify(ctx)
		require.NoError(t, err)
		require.Len(t, rep.Problems, 1)
		assert.Contains(t, rep.Problems[0].What, "records 4 to 5 were cut off the end")
	})

	t.Run("change without audit record", func(t *testing.T) {
		db := storetest.New(t)
		log := audit.NewLog(db)
		appendN(t, log, 2)
		_, err := db.Collection("things").InsertOne(ctx, bson.M{"_id": "X", "version": 3})
		require.NoError(t, err)

		rep, err := log.Verify(ctx, audit.Versioned{Collection: "things", Kind: "enterprise"})
		require.NoError(t, err)
		require.Len(t, rep.Problems, 1)
		assert.Equal(t, "enterprise/X", rep.Problems[0].Target)
		assert.Contains(t, rep.Problems[0].What, "version 3")
	})
}

func TestLog_AppendContinuesChainAfterRestart(t *testing.T) {
	db := storetest.New(t)
	appendN(t, audit.NewLog(db), 2)
	appendN(t, audit.NewLog(db), 2)

	rep, err := audit.NewLog(db).Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, rep.OK(), "problems: %v", rep.Problems)
	assert.EqualValues(t, 4, rep.Records)
}

func TestLog_AppendManyContinuesTheChain(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	log := audit.NewLog(db)
	appendN(t, log, 2)

	batch := make([]audit.Entry, 30)
	for i := range batch {
		batch[i] = audit.Entry{Actor: audit.System, Action: "interview.create",
			Target: "interview/IV-" + string(rune('A'+i)), Version: 1, Change: map[string]any{"n": i}}
	}
	recs, err := log.AppendMany(ctx, batch)
	require.NoError(t, err)
	require.Len(t, recs, 30)
	assert.EqualValues(t, 3, recs[0].Seq)
	assert.EqualValues(t, 32, recs[29].Seq)

	// A second log on the same database, as after a restart, continues after the batch.
	again := audit.NewLog(db)
	r, err := again.Append(ctx, audit.Entry{Actor: audit.System, Action: "x", Target: "t/1"})
	require.NoError(t, err)
	assert.EqualValues(t, 33, r.Seq)

	rep, err := again.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "problems: %v", rep.Problems)
	assert.EqualValues(t, 33, rep.Records)
}
