package mediation

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

func (s *MongoStore) ensureMediatorIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.bodies, mongo.IndexModel{
		Keys: bson.D{{Key: "name", Value: 1}}, Options: options.Index().SetUnique(true),
	})
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation.ensureMediatorIndexes", err)
	}
	err = store.EnsureIndexes(ctx, s.mediators, mongo.IndexModel{Keys: bson.D{{Key: "body", Value: 1}}})
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation.ensureMediatorIndexes", err)
	}
	return nil
}

// InsertBody implements MediatorStore.
func (s *MongoStore) InsertBody(ctx context.Context, b *Body) error {
	_, err := s.bodies.InsertOne(ctx, b)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "mediation.InsertBody",
			"同名或同编号的调解组织已存在 (a body with this name or id exists)")
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation.InsertBody", err)
	}
	return nil
}

// GetBody implements MediatorStore.
func (s *MongoStore) GetBody(ctx context.Context, id string) (*Body, error) {
	var b Body
	err := s.bodies.FindOne(ctx, bson.M{"_id": id}).Decode(&b)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "mediation.GetBody", "没有这个调解组织 (no such mediation body)")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "mediation.GetBody", err)
	}
	return &b, nil
}

// InsertMediator implements MediatorStore.
func (s *MongoStore) InsertMediator(ctx context.Context, m *Mediator) error {
	_, err := s.mediators.InsertOne(ctx, m)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "mediation.InsertMediator", "该调解员已登记 (this mediator is already on file)")
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation.InsertMediator", err)
	}
	return nil
}

// GetMediator implements MediatorStore.
func (s *MongoStore) GetMediator(ctx context.Context, username string) (*Mediator, error) {
	var m Mediator
	err := s.mediators.FindOne(ctx, bson.M{"_id": username}).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "mediation.GetMediator", "没有这位调解员 (no such mediator)")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "mediation.GetMediator", err)
	}
	return &m, nil
}

// ListBodies implements MediatorStore.
func (s *MongoStore) ListBodies(ctx context.Context) ([]Body, error) {
	const op = "mediation.ListBodies"
	return store.FindAll[Body](ctx, s.bodies, op, bson.M{}, options.Find().SetSort(bson.D{{Key: "name", Value: 1}}))
}

// ListMediators implements MediatorStore.
func (s *MongoStore) ListMediators(ctx context.Context, body string) ([]Mediator, error) {
	const op = "mediation.ListMediators"
	filter := bson.M{}
	if body != "" {
		filter["body"] = body
	}
	return store.FindAll[Mediator](ctx, s.mediators, op, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
}

// ReplaceMediator implements MediatorStore. The embedded store does not apply a guarded
// update atomically, so the write holds the mediator's lock (store.Locks).
func (s *MongoStore) ReplaceMediator(ctx context.Context, m *Mediator) error {
	const op = "mediation.ReplaceMediator"
	defer store.LockDocument(MediatorsCollection, m.Username)()
	res, err := s.mediators.ReplaceOne(ctx, bson.M{"_id": m.Username, "version": m.Version - 1}, m)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, op, "调解员信息已被他人修改，请刷新后重试 (the mediator changed since you read it)")
	}
	return nil
}

// deskStates are the states in which a case is on its mediator's desk.
var deskStates = []State{StateAssigned, StateInMediation, StateAgreement}

// OpenCaseCounts implements MediatorStore with one $group over the cases.
func (s *MongoStore) OpenCaseCounts(ctx context.Context) (map[string]int, error) {
	const op = "mediation.OpenCaseCounts"
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: bson.M{"state": bson.M{"$in": deskStates}, "mediator": bson.M{"$gt": ""}}}},
		{{Key: "$group", Value: bson.M{"_id": "$mediator", "n": bson.M{"$sum": 1}}}},
	}
	cur, err := s.cases.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	var rows []struct {
		Mediator string `bson:"_id"`
		N        int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Mediator] = r.N
	}
	return counts, nil
}

// acceptedIn selects the cases accepted in [from, to) that have a body.
func acceptedIn(from, to time.Time) bson.M {
	return bson.M{"accepted_at": bson.M{"$gte": from.UTC(), "$lt": to.UTC()}, "body": bson.M{"$gt": ""}}
}

// CaseCounts implements MediatorStore with one $group over the cases.
func (s *MongoStore) CaseCounts(ctx context.Context, from, to time.Time) ([]StateCount, error) {
	const op = "mediation.CaseCounts"
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: acceptedIn(from, to)}},
		{{Key: "$group", Value: bson.M{
			"_id": bson.M{"body": "$body", "state": "$state"},
			"n":   bson.M{"$sum": 1},
		}}},
	}
	cur, err := s.cases.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	var rows []struct {
		Key struct {
			Body  string `bson:"body"`
			State State  `bson:"state"`
		} `bson:"_id"`
		N int `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := make([]StateCount, len(rows))
	for i, r := range rows {
		out[i] = StateCount{Body: r.Key.Body, State: r.Key.State, Count: r.N}
	}
	return out, nil
}

// FinishedCases implements MediatorStore with one projected find.
func (s *MongoStore) FinishedCases(ctx context.Context, from, to time.Time) ([]FinishedCase, error) {
	const op = "mediation.FinishedCases"
	filter := acceptedIn(from, to)
	filter["state"] = bson.M{"$in": finishedStates}
	opts := options.Find().SetProjection(bson.M{
		"body": 1, "state": 1, "accepted_at": 1, "ended_at": 1, "agreement.signed_at": 1,
	}).SetSort(bson.D{{Key: "_id", Value: 1}})
	cur, err := s.cases.Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	var docs []struct {
		ID         string     `bson:"_id"`
		Body       string     `bson:"body"`
		State      State      `bson:"state"`
		AcceptedAt time.Time  `bson:"accepted_at"`
		EndedAt    *time.Time `bson:"ended_at"`
		Agreement  *struct {
			SignedAt time.Time `bson:"signed_at"`
		} `bson:"agreement"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := make([]FinishedCase, len(docs))
	for i, d := range docs {
		out[i] = FinishedCase{ID: d.ID, Body: d.Body, State: d.State, AcceptedAt: d.AcceptedAt, EndedAt: d.EndedAt}
		if d.Agreement != nil && !d.Agreement.SignedAt.IsZero() {
			signed := d.Agreement.SignedAt
			out[i].AgreedAt = &signed
		}
	}
	return out, nil
}
