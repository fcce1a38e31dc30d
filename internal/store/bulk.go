package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// MaxUpdatesPerCommand bounds the update statements sent in one command. The embedded store
// (FerretDB 1.24) keeps each statement's query open on its own SQLite connection until the
// whole command ends, and its pool holds 100 connections: a bulk write of about a hundred
// updates waits forever for a connection. Forty stays well clear of that.
const MaxUpdatesPerCommand = 40

// BulkWrite writes models unordered in commands of at most MaxUpdatesPerCommand statements.
func BulkWrite(ctx context.Context, coll *mongo.Collection, models []mongo.WriteModel) error {
	for start := 0; start < len(models); start += MaxUpdatesPerCommand {
		part := models[start:min(start+MaxUpdatesPerCommand, len(models))]
		if _, err := coll.BulkWrite(ctx, part, options.BulkWrite().SetOrdered(false)); err != nil {
			return err
		}
	}
	return nil
}
