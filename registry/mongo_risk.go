package registry

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
)

// AssessmentsCollection holds every risk assessment ever made; none is changed.
const AssessmentsCollection = "risk_assessments"

func (s *MongoStore) assessments() *mongo.Collection {
	return s.enterprises.Database().Collection(AssessmentsCollection)
}

// GetAssessment implements RiskStore.
func (s *MongoStore) GetAssessment(ctx context.Context, id string) (*Assessment, error) {
	var a Assessment
	err := s.assessments().FindOne(ctx, bson.M{"_id": id}).Decode(&a)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "registry.GetAssessment", "没有这次风险评估 (no such assessment)")
	}
	return &a, wrapInternal("registry.GetAssessment", err)
}

// AssessmentHistory implements RiskStore: an enterprise's assessments, newest first.
func (s *MongoStore) AssessmentHistory(ctx context.Context, uscc USCC, limit int) ([]Assessment, error) {
	opts := options.Find().SetSort(bson.D{{Key: "assessed_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(limit))
	cur, err := s.assessments().Find(ctx, bson.M{"uscc": string(uscc)}, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.AssessmentHistory", err)
	}
	out := []Assessment{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.AssessmentHistory", err)
	}
	return out, nil
}
