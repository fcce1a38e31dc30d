package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// ListEntriesCollection holds every list entry ever proposed; none is deleted.
const ListEntriesCollection = "list_entries"

// PublicationCollection holds the publication version: one document, {_id: "lists", version,
// updated_at}, whose version rises each time the public lists change. Every instance polls it
// to know when to rebuild what it serves to the public.
const PublicationCollection = "publication"

const publicationID = "lists"

func (s *MongoStore) listEntries() *mongo.Collection {
	return s.enterprises.Database().Collection(ListEntriesCollection)
}

// listEntryDoc is a list entry as stored, with the keys that keep one open entry per
// enterprise and kind.
type listEntryDoc struct {
	ListEntry `bson:",inline"`
	// OpenKey is "<uscc>/<kind>" while the entry is open and the entry's own id once it is
	// closed. Its unique index lets an enterprise have one open entry of each kind on MongoDB
	// as on the embedded store, without a partial index, which the embedded store lacks.
	OpenKey string `bson:"open_key"`
	// Open sorts an enterprise's open entries before its closed ones.
	Open bool `bson:"open"`
}

func newListEntryDoc(e *ListEntry) listEntryDoc {
	doc := listEntryDoc{ListEntry: *e, OpenKey: e.ID, Open: e.State.Open()}
	if doc.Open {
		doc.OpenKey = openKey(e.USCC, e.Kind)
	}
	return doc
}

func openKey(uscc USCC, kind ListKind) string { return string(uscc) + "/" + string(kind) }

// fill gives e empty lists where the store gave none, so that they read as [].
func (e *ListEntry) fill() {
	if e.FormerNames == nil {
		e.FormerNames = []string{}
	}
	if e.Evidence == nil {
		e.Evidence = []Evidence{}
	}
	if e.Objections == nil {
		e.Objections = []Objection{}
	}
	if e.History == nil {
		e.History = []EntryEvent{}
	}
}

// EnsureListEntryIndexes creates the indexes list entries are read by, and the unique index
// that allows one open entry per enterprise and kind.
func (s *MongoStore) EnsureListEntryIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.listEntries(), []mongo.IndexModel{
		{Keys: bson.D{{Key: "open_key", Value: 1}}, Options: options.Index().SetUnique(true)},
		{Keys: bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}},
		{Keys: bson.D{{Key: "state", Value: 1}, {Key: "created_at", Value: -1}}},
		{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "created_at", Value: -1}}},
		{Keys: bson.D{{Key: "state", Value: 1}, {Key: "review_at", Value: 1}}},
	}...)
	if err != nil {
		return errs.Wrap(errs.Internal, "registry: ensure list entry indexes", err)
	}
	return nil
}

// InsertEntry implements ListEntryStore. The check for an open entry and the insert hold the
// lock of the enterprise's open key, for the embedded store; on MongoDB the unique index on
// open_key refuses a second open entry from another instance.
func (s *MongoStore) InsertEntry(ctx context.Context, e *ListEntry) error {
	const op = "registry.InsertEntry"
	key := openKey(e.USCC, e.Kind)
	defer store.LockDocument(ListEntriesCollection, "open:"+key)()

	if err := s.noOpenEntry(ctx, op, e.Kind, key); err != nil {
		return err
	}
	_, err := s.listEntries().InsertOne(ctx, newListEntryDoc(e))
	if mongo.IsDuplicateKeyError(err) {
		// Either another instance's proposal took the open key, or the id was drawn twice.
		if err := s.noOpenEntry(ctx, op, e.Kind, key); err != nil {
			return err
		}
		return errEntryIDTaken
	}
	return wrapInternal(op, err)
}

// noOpenEntry refuses when an entry holds the open key, naming it.
func (s *MongoStore) noOpenEntry(ctx context.Context, op string, kind ListKind, key string) error {
	var open struct {
		ID    string     `bson:"_id"`
		State EntryState `bson:"state"`
	}
	err := s.listEntries().FindOne(ctx, bson.M{"open_key": key},
		options.FindOne().SetProjection(bson.M{"_id": 1, "state": 1})).Decode(&open)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	return errs.E(errs.Conflict, op, fmt.Sprintf("该企业已有未结的%s条目 %s（%s），同一时间只能有一项 "+
		"(the enterprise already has an open %s entry, %s)", kind.Label(), open.ID, open.State.Label(), kind, open.ID))
}

// GetEntry implements ListEntryStore.
func (s *MongoStore) GetEntry(ctx context.Context, id string) (*ListEntry, error) {
	var e ListEntry
	err := s.listEntries().FindOne(ctx, bson.M{"_id": id}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoEntry
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetEntry", err)
	}
	e.fill()
	return &e, nil
}

// ReplaceEntry implements ListEntryStore. The embedded store does not apply a guarded update
// atomically, so the write holds the entry's lock (store.Locks).
func (s *MongoStore) ReplaceEntry(ctx context.Context, e *ListEntry) error {
	const op = "registry.ReplaceEntry"
	defer store.LockDocument(ListEntriesCollection, e.ID)()
	res, err := s.listEntries().ReplaceOne(ctx, bson.M{"_id": e.ID, "version": e.Version - 1}, newListEntryDoc(e))
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, op, "名单条目已被他人修改，请刷新后重试 (the entry changed since you read it)")
	}
	return nil
}

// ListEntries implements ListEntryStore. Every value in q is a typed, checked value.
func (s *MongoStore) ListEntries(ctx context.Context, q ListEntryQuery) ([]ListEntry, error) {
	filter := bson.M{}
	if q.State != "" {
		filter["state"] = string(q.State)
	}
	if q.Kind != "" {
		filter["kind"] = string(q.Kind)
	}
	if q.USCC != "" {
		filter["uscc"] = string(q.USCC)
	}
	if q.ReviewDue {
		filter["review_at"] = bson.M{"$lte": q.DueAt}
	}
	if q.After != nil {
		filter["$or"] = bson.A{
			bson.M{"created_at": bson.M{"$lt": q.After.CreatedAt}},
			bson.M{"created_at": q.After.CreatedAt, "_id": bson.M{"$lt": q.After.ID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(q.Limit))
	return s.findEntries(ctx, "registry.ListEntries", filter, opts)
}

// EntriesOf implements ListEntryStore.
func (s *MongoStore) EntriesOf(ctx context.Context, uscc USCC, limit int) ([]ListEntry, error) {
	opts := options.Find().SetLimit(int64(limit)).
		SetSort(bson.D{{Key: "open", Value: -1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}})
	return s.findEntries(ctx, "registry.EntriesOf", bson.M{"uscc": string(uscc)}, opts)
}

func (s *MongoStore) findEntries(
	ctx context.Context,
	op string,
	filter bson.M,
	opts *options.FindOptionsBuilder,
) ([]ListEntry, error) {
	cur, err := s.listEntries().Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	items := []ListEntry{}
	if err := cur.All(ctx, &items); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	for i := range items {
		items[i].fill()
	}
	return items, nil
}

// BumpPublication implements ListEntryStore with one $inc, under the document's lock because
// the embedded store can lose a count of two concurrent $inc (store.Locks).
func (s *MongoStore) BumpPublication(ctx context.Context, at time.Time) (int64, error) {
	defer store.LockDocument(PublicationCollection, publicationID)()
	var doc struct {
		Version int64 `bson:"version"`
	}
	err := s.enterprises.Database().Collection(PublicationCollection).FindOneAndUpdate(ctx,
		bson.M{"_id": publicationID},
		bson.M{"$inc": bson.M{"version": int64(1)}, "$set": bson.M{"updated_at": at}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&doc)
	if err != nil {
		return 0, errs.Wrap(errs.Internal, "registry.BumpPublication", err)
	}
	return doc.Version, nil
}
