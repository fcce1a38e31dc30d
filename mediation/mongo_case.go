package mediation

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

var _ CaseStore = (*MongoStore)(nil)

func (s *MongoStore) ensureCaseIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.cases,
		// A mediator's queue, and the whole queue of open cases, by the next deadline.
		mongo.IndexModel{Keys: bson.D{
			{Key: "mediator", Value: 1}, {Key: "state", Value: 1}, {Key: "queue_at", Value: 1},
		}},
		mongo.IndexModel{Keys: bson.D{{Key: "state", Value: 1}, {Key: "queue_at", Value: 1}}},
		// An enterprise's cases: its dossier and its risk signals.
		mongo.IndexModel{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "submitted_at", Value: -1}}},
		// The cases opened from a complaint, so that one complaint opens one case.
		mongo.IndexModel{Keys: bson.D{{Key: "claims.complaint_id", Value: 1}}},
	)
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation: ensure case indexes", err)
	}
	return nil
}

// A list is read with a negative limit, one batch and no cursor left open: with a positive
// limit the embedded store keeps the cursor open and the driver sends a getMore to learn that
// it is spent. A page of at most MaxQueueLimit+1 cases without timelines fits a batch.

// listProjection leaves out what lists never show and what grows with a case's life.
var listProjection = bson.M{"timeline": 0, "sessions": 0}

// fill gives c empty lists where the store gave none, so that they read as [].
func (c *Case) fill() {
	if c.Claims == nil {
		c.Claims = []Claim{}
	}
	if c.Pauses == nil {
		c.Pauses = []Pause{}
	}
	if c.Sessions == nil {
		c.Sessions = []Session{}
	}
	if c.Timeline == nil {
		c.Timeline = []Event{}
	}
}

// InsertCase implements CaseStore.
func (s *MongoStore) InsertCase(ctx context.Context, c *Case) error {
	_, err := s.cases.InsertOne(ctx, c)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "mediation.InsertCase", "调解案件编号已被占用 (case id taken)")
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation.InsertCase", err)
	}
	return nil
}

// GetCase implements CaseStore.
func (s *MongoStore) GetCase(ctx context.Context, id string) (*Case, error) {
	var c Case
	err := s.cases.FindOne(ctx, bson.M{"_id": id}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "mediation.GetCase", "没有这件调解案件 (no such case)")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "mediation.GetCase", err)
	}
	c.fill()
	return &c, nil
}

// CasesFromComplaint implements CaseStore.
func (s *MongoStore) CasesFromComplaint(ctx context.Context, complaintID string) ([]Case, error) {
	opts := options.Find().SetProjection(bson.M{"timeline": 0, "sessions": 0})
	return s.findCases(ctx, "mediation.CasesFromComplaint", bson.M{"claims.complaint_id": complaintID}, opts)
}

// ReplaceCase implements CaseStore.
func (s *MongoStore) ReplaceCase(ctx context.Context, c *Case, prev int64) error {
	res, err := s.cases.ReplaceOne(ctx, bson.M{"_id": c.ID, "version": prev}, c)
	if err != nil {
		return errs.Wrap(errs.Internal, "mediation.ReplaceCase", err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, "mediation.ReplaceCase",
			"案件已被他人修改，请刷新后重试 (the case was changed meanwhile)")
	}
	return nil
}

// QueueCases implements CaseStore.
func (s *MongoStore) QueueCases(ctx context.Context, f QueueFilter, after *QueuePosition, limit int) ([]Case, error) {
	states := f.States
	if len(states) == 0 {
		states = openStates
	}
	filter := bson.M{"state": bson.M{"$in": states}}
	if f.Mediator != "" {
		filter["mediator"] = f.Mediator
	}
	if after != nil {
		filter["$or"] = bson.A{
			bson.M{"queue_at": bson.M{"$gt": after.QueueAt}},
			bson.M{"queue_at": after.QueueAt, "_id": bson.M{"$gt": after.ID}},
		}
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "queue_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(-int64(limit)).
		SetProjection(listProjection)
	return s.findCases(ctx, "mediation.QueueCases", filter, opts)
}

// CasesOf implements CaseStore.
func (s *MongoStore) CasesOf(ctx context.Context, uscc registry.USCC, limit int) ([]Case, error) {
	opts := options.Find().
		SetSort(bson.D{{Key: "submitted_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(-int64(limit)).
		SetProjection(listProjection)
	return s.findCases(ctx, "mediation.CasesOf", bson.M{"uscc": uscc}, opts)
}

// CountFailed implements CaseStore.
func (s *MongoStore) CountFailed(ctx context.Context, uscc registry.USCC) (int, error) {
	n, err := s.cases.CountDocuments(ctx, bson.M{"uscc": uscc, "$or": bson.A{
		bson.M{"ending": EndingNoAgreement},
		bson.M{"refused_by_enterprise": true},
		bson.M{"agreement.performed": false},
	}})
	if err != nil {
		return 0, errs.Wrap(errs.Internal, "mediation.CountFailed", err)
	}
	return int(n), nil
}

func (s *MongoStore) findCases(
	ctx context.Context,
	op string,
	filter bson.M,
	opts *options.FindOptionsBuilder,
) ([]Case, error) {
	out, err := store.FindAll[Case](ctx, s.cases, op, filter, opts)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].fill()
	}
	return out, nil
}
