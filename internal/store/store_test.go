package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/store"
	"prepaidreg/internal/store/storetest"
)

func TestOpen_EmbeddedKeepsDataAcrossRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s, err := store.Open(ctx, store.Config{DataDir: dir}, nil)
	require.NoError(t, err)
	require.Equal(t, "embedded", s.Kind)
	_, err = s.DB.Collection("things").InsertOne(ctx, bson.M{"_id": "a", "n": 1})
	require.NoError(t, err)
	require.NoError(t, s.Close(ctx))

	s, err = store.Open(ctx, store.Config{DataDir: dir}, nil)
	require.NoError(t, err)
	defer s.Close(ctx)
	var got bson.M
	require.NoError(t, s.DB.Collection("things").FindOne(ctx, bson.M{"_id": "a"}).Decode(&got))
	require.EqualValues(t, 1, got["n"])
}

func TestOpen_SecondOpenOfSameDataDirFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	s, err := store.Open(ctx, store.Config{DataDir: dir}, nil)
	require.NoError(t, err)
	defer s.Close(ctx)

	_, err = store.Open(ctx, store.Config{DataDir: dir}, nil)
	require.ErrorIs(t, err, store.ErrDataDirInUse)
}

func TestFindAll(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	c := db.Collection("things")
	got, err := store.FindAll[bson.M](ctx, c, "test.FindAll", bson.M{})
	require.NoError(t, err)
	assert.NotNil(t, got, "no documents read as an empty list, not nil")
	assert.Empty(t, got)

	_, err = c.InsertMany(ctx, []any{bson.M{"_id": "a", "n": 1}, bson.M{"_id": "b", "n": 2}})
	require.NoError(t, err)
	type thing struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	things, err := store.FindAll[thing](ctx, c, "test.FindAll", bson.M{"n": bson.M{"$gt": 1}})
	require.NoError(t, err)
	assert.Equal(t, []thing{{ID: "b", N: 2}}, things)
}
