package registry

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/errs"
)

// PublishedEntries implements PublicStore: one query over the list entries by state.
func (s *MongoStore) PublishedEntries(ctx context.Context) ([]ListEntry, error) {
	const op = "registry.PublishedEntries"
	coll := s.enterprises.Database().Collection(ListEntriesCollection)

	cur, err := coll.Find(ctx, bson.M{"state": bson.M{"$in": []EntryState{
		EntryPublished, EntryRemovalProposed, EntryRemoved,
	}}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	var out []ListEntry
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// PublicationVersion implements PublicStore: the version field of the "lists" document in the
// publication collection, which every approved entry or removal increments.
func (s *MongoStore) PublicationVersion(ctx context.Context) (int64, error) {
	const op = "registry.PublicationVersion"
	coll := s.enterprises.Database().Collection(PublicationCollection)

	var doc struct {
		Version int64 `bson:"version"`
	}
	err := coll.FindOne(ctx, bson.M{"_id": "lists"}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, errs.Wrap(errs.Internal, op, err)
	}
	return doc.Version, nil
}
