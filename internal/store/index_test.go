package store_test

import (
	"context"
	"testing"

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
