package enforcement

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
	"prepaidreg/registry"
)

func (s *MongoStore) ensureOperationIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.operations,
		mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}})
	if err != nil {
		return errs.Wrap(errs.Internal, "enforcement: ensure operation indexes", err)
	}
	err = store.EnsureIndexes(ctx, s.inspections,
		mongo.IndexModel{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "inspected_at", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "operation_id", Value: 1}}},
	)
	if err != nil {
		return errs.Wrap(errs.Internal, "enforcement: ensure inspection indexes", err)
	}
	return nil
}

// InsertOperation implements OperationStore.
func (s *MongoStore) InsertOperation(ctx context.Context, op *Operation) error {
	_, err := s.operations.InsertOne(ctx, op)
	if mongo.IsDuplicateKeyError(err) {
		return errOperationIDTaken
	}
	return errs.Wrap(errs.Internal, "enforcement.InsertOperation", err)
}

// GetOperation implements OperationStore.
func (s *MongoStore) GetOperation(ctx context.Context, id string) (*Operation, error) {
	var op Operation
	err := s.operations.FindOne(ctx, bson.M{"_id": id}).Decode(&op)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoOperation
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "enforcement.GetOperation", err)
	}
	op.fill()
	return &op, nil
}

// ListOperations implements OperationStore.
func (s *MongoStore) ListOperations(ctx context.Context, q OperationQuery) ([]Operation, error) {
	const op = "enforcement.ListOperations"
	filter := bson.M{}
	if q.After != nil {
		filter["$or"] = bson.A{
			bson.M{"created_at": bson.M{"$lt": q.After.CreatedAt}},
			bson.M{"created_at": q.After.CreatedAt, "_id": bson.M{"$lt": q.After.ID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(q.Limit))
	items, err := store.FindAll[Operation](ctx, s.operations, op, filter, opts)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].fill()
	}
	return items, nil
}

// GetInspection implements OperationStore.
func (s *MongoStore) GetInspection(ctx context.Context, id string) (*Inspection, error) {
	var ins Inspection
	err := s.inspections.FindOne(ctx, bson.M{"_id": id}).Decode(&ins)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoInspection
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "enforcement.GetInspection", err)
	}
	ins.fill()
	return &ins, nil
}

// PutInspection implements OperationStore. The embedded store does not apply a guarded write
// atomically, so the write holds the record's lock (store.Locks); on MongoDB the version in
// the filter, and the unique _id for a first version, guard it across instances.
func (s *MongoStore) PutInspection(ctx context.Context, ins *Inspection) error {
	const op = "enforcement.PutInspection"
	defer store.LockDocument(InspectionsCollection, ins.ID)()

	if ins.Version == 1 {
		_, err := s.inspections.InsertOne(ctx, ins)
		if mongo.IsDuplicateKeyError(err) {
			return errStaleInspection
		}
		return errs.Wrap(errs.Internal, op, err)
	}
	res, err := s.inspections.ReplaceOne(ctx, bson.M{"_id": ins.ID, "version": ins.Version - 1}, ins)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	if res.MatchedCount == 0 {
		return errStaleInspection
	}
	return nil
}

// InspectionsOfOperation implements OperationStore.
func (s *MongoStore) InspectionsOfOperation(ctx context.Context, opID string) ([]Inspection, error) {
	return s.findInspections(ctx, "enforcement.InspectionsOfOperation", bson.M{"operation_id": opID},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// InspectionsOf implements OperationStore.
func (s *MongoStore) InspectionsOf(ctx context.Context, uscc registry.USCC, limit int) ([]Inspection, error) {
	opts := options.Find().SetSort(bson.D{{Key: "inspected_at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return s.findInspections(ctx, "enforcement.InspectionsOf", bson.M{"uscc": string(uscc)}, opts)
}

func (s *MongoStore) findInspections(
	ctx context.Context,
	op string,
	filter bson.M,
	opts *options.FindOptionsBuilder,
) ([]Inspection, error) {
	items, err := store.FindAll[Inspection](ctx, s.inspections, op, filter, opts)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].fill()
	}
	return items, nil
}

// fill gives o empty lists where the store gave none, so that they read as [].
func (o *Operation) fill() {
	if o.Departments == nil {
		o.Departments = []Department{}
	}
	if o.Targets == nil {
		o.Targets = []registry.USCC{}
	}
}

// fill gives i empty lists where the store gave none, so that they read as [].
func (i *Inspection) fill() {
	if i.Inspectors == nil {
		i.Inspectors = []Inspector{}
	}
	if i.Findings == nil {
		i.Findings = []Finding{}
	}
	for k := range i.Findings {
		if i.Findings[k].Evidence == nil {
			i.Findings[k].Evidence = []string{}
		}
	}
	if i.Measures == nil {
		i.Measures = []Measure{}
	}
}
