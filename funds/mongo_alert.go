package funds

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

func (s *MongoStore) ensureAlertIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.alerts,
		mongo.IndexModel{Keys: bson.D{{Key: "raised_at", Value: -1}, {Key: "_id", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "state", Value: 1}, {Key: "raised_at", Value: -1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "state", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "account_id", Value: 1}, {Key: "kind", Value: 1},
			{Key: "state", Value: 1}}},
	)
}

var (
	errNoAlert    = errs.E(errs.NotFound, "funds.GetAlert", "没有这条资金预警 (no such fund alert)")
	errStaleAlert = errs.E(errs.Stale, "funds.Alert",
		"预警已被他人修改，请刷新后重试 (the alert changed since you read it)")
)

// InsertAlert implements AlertStore.
func (s *MongoStore) InsertAlert(ctx context.Context, a *Alert) error {
	_, err := s.alerts.InsertOne(ctx, a)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "funds.InsertAlert", "预警编号已存在 (alert id taken)")
	}
	return internal("funds.InsertAlert", err)
}

// GetAlert implements AlertStore.
func (s *MongoStore) GetAlert(ctx context.Context, id string) (*Alert, error) {
	var a Alert
	err := s.alerts.FindOne(ctx, bson.M{"_id": id}).Decode(&a)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoAlert
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "funds.GetAlert", err)
	}
	return &a, nil
}

// UpdateAlert implements AlertStore. The caller holds the alert's lock (store.Locks says why).
func (s *MongoStore) UpdateAlert(ctx context.Context, a *Alert) error {
	res, err := s.alerts.ReplaceOne(ctx, bson.M{"_id": a.ID, "version": a.Version - 1}, a)
	if err != nil {
		return errs.Wrap(errs.Internal, "funds.UpdateAlert", err)
	}
	if res.MatchedCount == 0 {
		return errStaleAlert
	}
	return nil
}

// OpenAlertsOf implements AlertStore.
func (s *MongoStore) OpenAlertsOf(ctx context.Context, accountID string) ([]Alert, error) {
	filter := bson.M{"account_id": accountID, "state": bson.M{"$in": bson.A{AlertNew, AlertAcknowledged}}}
	return s.findAlerts(ctx, "funds.OpenAlertsOf", filter, options.Find())
}

// CountAlerts implements AlertStore.
func (s *MongoStore) CountAlerts(ctx context.Context, accountID string, kind AlertKind) (int64, error) {
	n, err := s.alerts.CountDocuments(ctx, bson.M{"account_id": accountID, "kind": string(kind)})
	return n, internal("funds.CountAlerts", err)
}

// ListAlerts implements AlertStore. Every value of f is a parsed, typed value.
func (s *MongoStore) ListAlerts(ctx context.Context, f alertFilter) ([]Alert, error) {
	filter := bson.M{}
	if len(f.States) > 0 {
		filter["state"] = bson.M{"$in": f.States}
	}
	if f.USCC != "" {
		filter["uscc"] = string(f.USCC)
	}
	if f.Kind != "" {
		filter["kind"] = string(f.Kind)
	}
	if f.After != nil {
		filter["$or"] = bson.A{
			bson.M{"raised_at": bson.M{"$lt": f.After.RaisedAt}},
			bson.M{"raised_at": f.After.RaisedAt, "_id": bson.M{"$lt": f.After.ID}},
		}
	}
	opts := options.Find().SetSort(bson.D{{Key: "raised_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(f.Limit))
	return s.findAlerts(ctx, "funds.ListAlerts", filter, opts)
}

func (s *MongoStore) findAlerts(
	ctx context.Context,
	op string,
	filter bson.M,
	opts *options.FindOptionsBuilder,
) ([]Alert, error) {
	cur, err := s.alerts.Find(ctx, filter, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []Alert{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}
