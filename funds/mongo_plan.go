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

var (
	errNoPlan = errs.E(errs.NotFound, "funds.GetPlan", "没有这个退款方案 (no such refund plan)")
	// errPlanIDTaken says a new plan's id is already used; the service draws another.
	errPlanIDTaken = errors.New("refund plan id already taken")
	errStalePlan   = errs.E(errs.Stale, "funds.RefundPlan",
		"退款方案已被他人修改，请刷新后重试 (the refund plan changed since you read it)")
)

func (s *MongoStore) ensurePlanIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.plans,
		mongo.IndexModel{Keys: bson.D{{Key: "account_id", Value: 1}, {Key: "proposed_at", Value: 1}}})
}

// InsertPlan implements PlanStore.
func (s *MongoStore) InsertPlan(ctx context.Context, p *RefundPlan) error {
	_, err := s.plans.InsertOne(ctx, p)
	if mongo.IsDuplicateKeyError(err) {
		return errPlanIDTaken
	}
	return internal("funds.InsertPlan", err)
}

// GetPlan implements PlanStore.
func (s *MongoStore) GetPlan(ctx context.Context, id string) (*RefundPlan, error) {
	var p RefundPlan
	err := s.plans.FindOne(ctx, bson.M{"_id": id}).Decode(&p)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoPlan
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "funds.GetPlan", err)
	}
	return &p, nil
}

// UpdatePlan implements PlanStore.
func (s *MongoStore) UpdatePlan(ctx context.Context, p *RefundPlan) error {
	res, err := s.plans.ReplaceOne(ctx, bson.M{"_id": p.ID, "version": p.Version - 1}, p)
	if err != nil {
		return errs.Wrap(errs.Internal, "funds.UpdatePlan", err)
	}
	if res.MatchedCount == 0 {
		return errStalePlan
	}
	return nil
}

// PlanHeadsOf implements PlanStore.
func (s *MongoStore) PlanHeadsOf(ctx context.Context, accountID string) ([]RefundPlan, error) {
	const op = "funds.PlanHeadsOf"
	cur, err := s.plans.Find(ctx, bson.M{"account_id": accountID}, options.Find().
		SetSort(bson.D{{Key: "account_id", Value: 1}, {Key: "proposed_at", Value: 1}}).
		SetProjection(bson.M{"claims": 0, "allocation": 0, "payouts": 0, "payments": 0}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []RefundPlan{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}
