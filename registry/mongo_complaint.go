package registry

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// Collections of complaint intake.
const (
	// ComplaintsCollection holds one document per complaint, keyed by source and ticket.
	ComplaintsCollection = "complaints"
	// ImportsCollection holds one report per import job.
	ImportsCollection = "complaint_imports"
	// ImportMarksCollection holds the marks of imports whose counts are not yet added.
	ImportMarksCollection = "complaint_import_marks"
)

func (s *MongoStore) complaints() *mongo.Collection {
	return s.enterprises.Database().Collection(ComplaintsCollection)
}

// ensureComplaintIndexes creates the indexes complaint lists and linking use.
func (s *MongoStore) ensureComplaintIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.complaints(), []mongo.IndexModel{
		{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "received_at", Value: -1}}},
		{Keys: bson.D{{Key: "received_at", Value: -1}, {Key: "_id", Value: -1}}},
		{Keys: bson.D{{Key: "reported_key", Value: 1}}},
		{Keys: bson.D{{Key: "reported_uscc", Value: 1}}},
	}...)
}

// InsertComplaints implements Store. It inserts what is new and names the ids already on file.
func (s *MongoStore) InsertComplaints(ctx context.Context, cs []*Complaint) (inserted, duplicates []string, err error) {
	if len(cs) == 0 {
		return nil, nil, nil
	}
	docs := make([]any, len(cs))
	for i, c := range cs {
		docs[i] = c
	}
	_, err = s.complaints().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	dup := map[int]bool{}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return nil, nil, errs.Wrap(errs.Internal, "registry.InsertComplaints", err)
			}
			dup[we.Index] = true
		}
		err = nil
	}
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, "registry.InsertComplaints", err)
	}
	for i, c := range cs {
		if dup[i] {
			duplicates = append(duplicates, c.ID)
		} else {
			inserted = append(inserted, c.ID)
		}
	}
	return inserted, duplicates, nil
}

// GetComplaint implements Store.
func (s *MongoStore) GetComplaint(ctx context.Context, id string) (*Complaint, error) {
	var c Complaint
	err := s.complaints().FindOne(ctx, bson.M{"_id": id}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "registry.GetComplaint", "没有这件投诉 (no such complaint)")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.GetComplaint", err)
	}
	return &c, nil
}

// UpdateComplaint implements Store: it writes c if the stored version is still c.Version-1.
func (s *MongoStore) UpdateComplaint(ctx context.Context, c *Complaint) error {
	defer store.LockDocument(ComplaintsCollection, c.ID)()
	res, err := s.complaints().ReplaceOne(ctx, bson.M{"_id": c.ID, "version": c.Version - 1}, c)
	if err != nil {
		return errs.Wrap(errs.Internal, "registry.UpdateComplaint", err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, "registry.UpdateComplaint",
			"投诉已被他人修改，请刷新后重试 (the complaint changed since you read it)")
	}
	return nil
}

// ListComplaints implements Store, newest first.
func (s *MongoStore) ListComplaints(ctx context.Context, q ComplaintQuery) ([]Complaint, error) {
	filter := complaintFilter(q)
	if q.After != nil {
		filter["$or"] = bson.A{
			bson.M{"received_at": bson.M{"$lt": q.After.ReceivedAt}},
			bson.M{"received_at": q.After.ReceivedAt, "_id": bson.M{"$lt": q.After.ID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "received_at", Value: -1}, {Key: "_id", Value: -1}})
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := s.complaints().Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.ListComplaints", err)
	}
	out := []Complaint{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.ListComplaints", err)
	}
	return out, nil
}

// complaintFilter builds a filter from checked, typed values only.
func complaintFilter(q ComplaintQuery) bson.M {
	f := bson.M{}
	if q.USCC != "" {
		f["uscc"] = string(q.USCC)
	}
	if q.Category != "" {
		f["category"] = string(q.Category)
	}
	if q.Handling != "" {
		f["handling"] = string(q.Handling)
	}
	if q.District != "" {
		f["district"] = q.District
	}
	if q.Linked != nil && *q.Linked {
		f["uscc"] = mergeCond(f["uscc"], "$ne", "")
	}
	if q.Linked != nil && !*q.Linked {
		f["uscc"] = ""
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		r := bson.M{}
		if !q.From.IsZero() {
			r["$gte"] = q.From
		}
		if !q.To.IsZero() {
			r["$lt"] = q.To
		}
		f["received_at"] = r
	}
	return f
}

// NameIndex implements Store: every enterprise's name keys and code, read in one query.
func (s *MongoStore) NameIndex(ctx context.Context) (*NameIndex, error) {
	cur, err := s.enterprises.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1, "name_keys": 1}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.NameIndex", err)
	}
	defer cur.Close(ctx)
	idx := newNameIndex()
	for cur.Next(ctx) {
		var doc struct {
			ID       USCC     `bson:"_id"`
			NameKeys []string `bson:"name_keys"`
		}
		if err := cur.Decode(&doc); err != nil {
			return nil, errs.Wrap(errs.Internal, "registry.NameIndex", err)
		}
		idx.add(doc.ID, doc.NameKeys)
	}
	if err := cur.Err(); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.NameIndex", err)
	}
	return idx, nil
}

// AddCounters implements Store: one bulk write adds each enterprise's counts and sets the
// assessment made from them, so that each enterprise is written once; the assessments are
// inserted first. The caller holds the enterprises' locks (lockEnterprises), so that no other
// write to them interleaves.
func (s *MongoStore) AddCounters(ctx context.Context, deltas map[USCC]*ComplaintCounters, risks []Assessment) error {
	if len(deltas) == 0 {
		return nil
	}
	risk := make(map[USCC]RiskSummary, len(risks))
	docs := make([]any, len(risks))
	for i, a := range risks {
		risk[a.USCC] = a.summary()
		docs[i] = a
	}
	if len(docs) > 0 {
		if _, err := s.assessments().InsertMany(ctx, docs); err != nil {
			return errs.Wrap(errs.Internal, "registry.AddCounters", err)
		}
	}
	codes := make([]string, 0, len(deltas))
	for u := range deltas {
		codes = append(codes, string(u))
	}
	slices.Sort(codes)

	models := make([]mongo.WriteModel, 0, len(codes))
	for _, u := range codes {
		d := deltas[USCC(u)]
		inc := bson.D{{Key: "complaints.total", Value: d.Total}, {Key: "complaints.open", Value: d.Open},
			{Key: "complaints.amount_fen", Value: d.AmountFen}}
		for _, k := range sortedKeys(d.ByCategory) {
			inc = append(inc, bson.E{Key: "complaints.by_category." + k, Value: d.ByCategory[k]})
		}
		for _, k := range sortedKeys(d.Daily) {
			inc = append(inc, bson.E{Key: "complaints.daily." + k, Value: d.Daily[k]})
		}
		update := bson.M{"$inc": inc}
		if r, ok := risk[USCC(u)]; ok {
			update["$set"] = bson.M{"risk": r}
		}
		if d.FirstAt != nil {
			update["$min"] = bson.M{"complaints.first_at": *d.FirstAt}
			update["$max"] = bson.M{"complaints.latest_at": *d.LatestAt}
		}
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": u}).SetUpdate(update))
	}
	if err := store.BulkWrite(ctx, s.enterprises, models); err != nil {
		return errs.Wrap(errs.Internal, "registry.AddCounters", err)
	}
	return nil
}

// MarkImport implements Store.
func (s *MongoStore) MarkImport(ctx context.Context, id string, enterprises []USCC, at time.Time) error {
	update := bson.M{
		"$set":         bson.M{"heartbeat": at},
		"$setOnInsert": bson.M{"done": false},
	}
	if len(enterprises) > 0 {
		update["$addToSet"] = bson.M{"enterprises": bson.M{"$each": enterprises}}
	}
	_, err := s.pending().UpdateOne(ctx, bson.M{"_id": id}, update, options.UpdateOne().SetUpsert(true))
	return wrapInternal("registry.MarkImport", err)
}

// CloseImport implements Store.
func (s *MongoStore) CloseImport(ctx context.Context, id string) error {
	_, err := s.pending().UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"done": true}})
	return wrapInternal("registry.CloseImport", err)
}

// OpenImports implements Store.
func (s *MongoStore) OpenImports(ctx context.Context) ([]ImportMark, error) {
	cur, err := s.pending().Find(ctx, bson.M{"done": false})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.OpenImports", err)
	}
	var out []ImportMark
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.OpenImports", err)
	}
	return out, nil
}

func (s *MongoStore) pending() *mongo.Collection {
	return s.enterprises.Database().Collection(ImportMarksCollection)
}

// Recount implements Store: under the enterprise's lock, it counts its complaints afresh and
// sets the counters. It returns the counters found before and after.
func (s *MongoStore) Recount(ctx context.Context, uscc USCC) (before, after ComplaintCounters, err error) {
	defer store.LockDocument(EnterprisesCollection, string(uscc))()
	file, err := s.GetEnterpriseFile(ctx, uscc)
	if err != nil {
		return before, after, err
	}
	before = file.Complaints
	marks, err := s.OpenImports(ctx)
	if err != nil {
		return before, after, err
	}
	open := make(map[string]bool, len(marks))
	for _, m := range marks {
		open[m.ID] = true
	}
	after, err = s.countComplaints(ctx, uscc, open)
	if err != nil {
		return before, after, err
	}
	if after.equal(before) {
		return before, after, nil
	}
	_, err = s.enterprises.UpdateOne(ctx, bson.M{"_id": string(uscc)}, bson.M{"$set": bson.M{"complaints": after}})
	if err != nil {
		return before, after, errs.Wrap(errs.Internal, "registry.Recount", err)
	}
	return before, after, nil
}

// countComplaints counts an enterprise's complaints, leaving out those of imports still open:
// their counts are added when the import ends.
func (s *MongoStore) countComplaints(
	ctx context.Context,
	uscc USCC,
	openImports map[string]bool,
) (ComplaintCounters, error) {
	c := emptyCounters()
	opts := options.Find().SetProjection(bson.M{
		"received_at": 1, "category": 1, "amount_fen": 1, "handling": 1, "import_id": 1,
	})
	cur, err := s.complaints().Find(ctx, bson.M{"uscc": string(uscc)}, opts)
	if err != nil {
		return c, errs.Wrap(errs.Internal, "registry.countComplaints", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var cp Complaint
		if err := cur.Decode(&cp); err != nil {
			return c, errs.Wrap(errs.Internal, "registry.countComplaints", err)
		}
		if !openImports[cp.ImportID] {
			c.add(&cp)
		}
	}
	return c, cur.Err()
}

// LinkWaiting implements Store: it links the unlinked complaints that name the enterprise by
// code or by one of its name keys, and returns their ids.
func (s *MongoStore) LinkWaiting(ctx context.Context, uscc USCC, keys []string, at time.Time) ([]string, error) {
	filter := bson.M{"uscc": "", "$or": bson.A{
		bson.M{"reported_uscc": string(uscc)}, bson.M{"reported_key": bson.M{"$in": keys}},
	}}
	cur, err := s.complaints().Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.LinkWaiting", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil || len(docs) == 0 {
		return nil, wrapInternal("registry.LinkWaiting", err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	_, err = s.complaints().UpdateMany(ctx, bson.M{"_id": bson.M{"$in": ids}, "uscc": ""}, bson.M{
		"$set": bson.M{"uscc": string(uscc), "linked_by": "later", "updated_at": at},
		"$inc": bson.M{"version": 1},
	})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.LinkWaiting", err)
	}
	return ids, nil
}

func wrapInternal(op string, err error) error {
	if err == nil {
		return nil
	}
	return errs.Wrap(errs.Internal, op, err)
}

// EnterpriseCodes implements Store: every enterprise's code, in order, for reconcile.
func (s *MongoStore) EnterpriseCodes(ctx context.Context) ([]USCC, error) {
	cur, err := s.enterprises.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{"_id": 1}).
		SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.EnterpriseCodes", err)
	}
	var docs []struct {
		ID USCC `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.EnterpriseCodes", err)
	}
	out := make([]USCC, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out, nil
}

// SaveImport implements Store.
func (s *MongoStore) SaveImport(ctx context.Context, r *ImportReport) error {
	coll := s.enterprises.Database().Collection(ImportsCollection)
	_, err := coll.ReplaceOne(ctx, bson.M{"_id": r.ID}, r, options.Replace().SetUpsert(true))
	return wrapInternal("registry.SaveImport", err)
}

// GetImport implements Store.
func (s *MongoStore) GetImport(ctx context.Context, id string) (*ImportReport, error) {
	var r ImportReport
	err := s.enterprises.Database().Collection(ImportsCollection).FindOne(ctx, bson.M{"_id": id}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "registry.GetImport", "没有这次导入 (no such import)")
	}
	return &r, wrapInternal("registry.GetImport", err)
}

// lockEnterprises locks the enterprises' documents and returns the function that unlocks them.
func lockEnterprises(codes []USCC) (unlock func()) {
	ids := make([]string, len(codes))
	for i, u := range codes {
		ids[i] = string(u)
	}
	return store.LockDocuments(EnterprisesCollection, ids)
}
