package registry

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
)

// publicFields are the fields of a list entry the public lists are made of: the published ones
// and what search and the removal need. The proposal's evidence, history and objections are
// never read, which also halves the time a load takes on the embedded store.
var publicFields = bson.D{
	{Key: "uscc", Value: 1}, {Key: "name", Value: 1}, {Key: "former_names", Value: 1}, {Key: "address", Value: 1},
	{Key: "district", Value: 1}, {Key: "industry", Value: 1}, {Key: "kind", Value: 1}, {Key: "state", Value: 1},
	{Key: "reason", Value: 1}, {Key: "legal_basis", Value: 1}, {Key: "authority", Value: 1},
	{Key: "decision_number", Value: 1}, {Key: "listed_at", Value: 1}, {Key: "removed_at", Value: 1},
	{Key: "updated_at", Value: 1},
}

// PublishedEntries implements PublicStore: one query over the list entries by state, reading
// only publicFields.
func (s *MongoStore) PublishedEntries(ctx context.Context) ([]ListEntry, error) {
	const op = "registry.PublishedEntries"
	coll := s.enterprises.Database().Collection(ListEntriesCollection)

	filter := bson.M{"state": bson.M{"$in": []EntryState{EntryPublished, EntryRemovalProposed, EntryRemoved}}}
	cur, err := coll.Find(ctx, filter, options.Find().SetProjection(publicFields))
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
