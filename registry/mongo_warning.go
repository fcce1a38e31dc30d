package registry

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// WarningsCollection holds one document per early warning; none is deleted, closed ones stay.
const WarningsCollection = "warnings"

var _ warningStore = (*MongoStore)(nil)

// detectionBatch is the batch size of the detection's reads: their documents are small
// projections, and one batch keeps a run's round trips from growing with a burst's size.
const detectionBatch = 10_000

func (s *MongoStore) warningsColl() *mongo.Collection {
	return s.enterprises.Database().Collection(WarningsCollection)
}

// EnsureWarningIndexes creates the indexes the warnings queue and the detection read by.
func (s *MongoStore) EnsureWarningIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.warningsColl(), []mongo.IndexModel{
		{Keys: bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}},
		{Keys: bson.D{{Key: "state", Value: 1}, {Key: "created_at", Value: -1}}},
		{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "state", Value: 1}}},
	}...)
	return wrapInternal("registry.EnsureWarningIndexes", err)
}

func usccStrings(codes []USCC) []string {
	out := make([]string, len(codes))
	for i, u := range codes {
		out[i] = string(u)
	}
	return out
}

// warningSubjects implements warningStore: the enterprises' names, industries, daily series
// and counts by category, read in one query.
func (s *MongoStore) warningSubjects(ctx context.Context, codes []USCC) ([]warningSubject, error) {
	return s.findSubjects(ctx, "registry.warningSubjects", bson.M{"_id": bson.M{"$in": usccStrings(codes)}},
		bson.M{"name": 1, "industry": 1, "complaints.daily": 1, "complaints.by_category": 1})
}

// industrySeries implements warningStore: the daily series of every enterprise of the
// industries, read in one query.
func (s *MongoStore) industrySeries(ctx context.Context, industries []Industry) ([]warningSubject, error) {
	names := make([]string, len(industries))
	for i, ind := range industries {
		names[i] = string(ind)
	}
	return s.findSubjects(ctx, "registry.industrySeries", bson.M{"industry": bson.M{"$in": names}},
		bson.M{"industry": 1, "complaints.daily": 1})
}

func (s *MongoStore) findSubjects(
	ctx context.Context,
	op string,
	filter, projection bson.M,
) ([]warningSubject, error) {
	cur, err := s.enterprises.Find(ctx, filter, options.Find().SetProjection(projection).SetBatchSize(detectionBatch))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	var out []warningSubject
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// recentComplaints implements warningStore: the enterprises' complaints received in the
// window, newest first, with only what the rules look at.
func (s *MongoStore) recentComplaints(ctx context.Context, codes []USCC, w WarningWindow) ([]Complaint, error) {
	filter := bson.M{"uscc": bson.M{"$in": usccStrings(codes)}, "received_at": bson.M{"$gte": w.From, "$lt": w.To}}
	opts := options.Find().SetSort(bson.D{{Key: "received_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetProjection(bson.M{
			"uscc": 1, "received_at": 1, "category": 1, "complainant_name": 1, "complainant_phone": 1,
		}).
		SetBatchSize(detectionBatch)
	cur, err := s.complaints().Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.recentComplaints", err)
	}
	var out []Complaint
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.recentComplaints", err)
	}
	return out, nil
}

// OpenWarnings implements warningStore.
func (s *MongoStore) OpenWarnings(ctx context.Context, codes []USCC) ([]Warning, error) {
	filter := bson.M{"uscc": bson.M{"$in": usccStrings(codes)},
		"state": bson.M{"$in": bson.A{WarningNew, WarningAcknowledged}}}
	return s.findWarnings(ctx, "registry.OpenWarnings", filter, options.Find())
}

func (s *MongoStore) findWarnings(ctx context.Context, op string, filter bson.M,
	opts *options.FindOptionsBuilder) ([]Warning, error) {
	cur, err := s.warningsColl().Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []Warning{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// InsertWarning implements warningStore.
func (s *MongoStore) InsertWarning(ctx context.Context, w *Warning) error {
	_, err := s.warningsColl().InsertOne(ctx, w)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "registry.InsertWarning", "预警编号已存在 (a warning with this id is on file)")
	}
	return wrapInternal("registry.InsertWarning", err)
}

// UpdateWarning implements warningStore: it writes w if the stored version is still
// w.Version-1, under the document's lock (store.Locks says why).
func (s *MongoStore) UpdateWarning(ctx context.Context, w *Warning) error {
	defer store.LockDocument(WarningsCollection, w.ID)()
	res, err := s.warningsColl().ReplaceOne(ctx, bson.M{"_id": w.ID, "version": w.Version - 1}, w)
	if err != nil {
		return errs.Wrap(errs.Internal, "registry.UpdateWarning", err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, "registry.UpdateWarning",
			"预警已被他人修改，请刷新后重试 (the warning changed since you read it)")
	}
	return nil
}

// GetWarning implements warningStore.
func (s *MongoStore) GetWarning(ctx context.Context, id string) (*Warning, error) {
	var w Warning
	err := s.warningsColl().FindOne(ctx, bson.M{"_id": id}).Decode(&w)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoWarning
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetWarning", err)
	}
	return &w, nil
}

// ListWarnings implements warningStore, newest first. Every value in q is a typed, checked
// value.
func (s *MongoStore) ListWarnings(ctx context.Context, q WarningQuery) ([]Warning, error) {
	filter := bson.M{}
	if len(q.States) > 0 {
		filter["state"] = bson.M{"$in": q.States}
	}
	if q.Kind != "" {
		filter["kind"] = string(q.Kind)
	}
	if q.Severity != "" {
		filter["severity"] = string(q.Severity)
	}
	if q.USCC != "" {
		filter["uscc"] = string(q.USCC)
	}
	if q.After != nil {
		filter["$or"] = bson.A{
			bson.M{"created_at": bson.M{"$lt": q.After.CreatedAt}},
			bson.M{"created_at": q.After.CreatedAt, "_id": bson.M{"$lt": q.After.ID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(q.Limit))
	return s.findWarnings(ctx, "registry.ListWarnings", filter, opts)
}
