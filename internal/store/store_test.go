package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"prepaidreg/internal/store"
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
