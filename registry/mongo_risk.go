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

// riskModelsCollection holds every risk model version; the highest is in force.
const riskModelsCollection = "risk_models"

// LatestRiskModel implements RiskStore, or NotFound while the default is in force.
func (s *MongoStore) LatestRiskModel(ctx context.Context) (*RiskModel, error) {
	var m RiskModel
	opts := options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})
	err := s.enterprises.Database().Collection(riskModelsCollection).FindOne(ctx, bson.M{}, opts).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "registry.LatestRiskModel", "no model stored")
	}
	return &m, wrapInternal("registry.LatestRiskModel", err)
}

// InsertRiskModel implements RiskStore; a version already stored is Stale.
func (s *MongoStore) InsertRiskModel(ctx context.Context, m *RiskModel) error {
	doc := struct {
		ID        int `bson:"_id"`
		RiskModel `bson:",inline"`
	}{m.Version, *m}
	_, err := s.enterprises.Database().Collection(riskModelsCollection).InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Stale, "registry.InsertRiskModel",
			"模型已被他人修改，请刷新后重试 (the model changed meanwhile)")
	}
	return wrapInternal("registry.InsertRiskModel", err)
}

// riskSubject is what an assessment of one enterprise is made from, read in bulk.
type riskSubject struct {
	Enterprise `bson:",inline"`
	Complaints ComplaintCounters `bson:"complaints"`
	Risk       *RiskSummary      `bson:"risk"`
	listed     ListKind
}

// riskSubjects reads the enterprises to assess in one query, and their list history in another.
func (s *MongoStore) riskSubjects(ctx context.Context, codes []USCC) ([]riskSubject, error) {
	ids := make([]string, len(codes))
	for i, u := range codes {
		ids[i] = string(u)
	}
	cur, err := s.enterprises.Find(ctx, bson.M{"_id": bson.M{"$in": ids}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.riskSubjects", err)
	}
	var subjects []riskSubject
	if err := cur.All(ctx, &subjects); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.riskSubjects", err)
	}

	cur, err = s.enterprises.Database().Collection(ListEntriesCollection).Find(ctx,
		bson.M{"uscc": bson.M{"$in": ids},
			"state": bson.M{"$in": bson.A{EntryPublished, EntryRemovalProposed, EntryRemoved}}},
		options.Find().SetProjection(bson.M{"uscc": 1, "kind": 1}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.riskSubjects", err)
	}
	var entries []struct {
		USCC USCC     `bson:"uscc"`
		Kind ListKind `bson:"kind"`
	}
	if err := cur.All(ctx, &entries); err != nil {
		return nil, errs.Wrap(errs.Internal, "registry.riskSubjects", err)
	}
	listed := map[USCC]ListKind{}
	for _, e := range entries {
		if listed[e.USCC] != ListBlack {
			listed[e.USCC] = e.Kind
		}
	}
	for i := range subjects {
		subjects[i].listed = listed[subjects[i].USCC]
	}
	return subjects, nil
}

// RecordAssessments implements RiskStore: one insert of the assessments, and one bulk write
// setting each enterprise's current risk, under the enterprises' locks.
func (s *MongoStore) RecordAssessments(ctx context.Context, as []Assessment) error {
	if len(as) == 0 {
		return nil
	}
	docs := make([]any, len(as))
	codes := make([]USCC, len(as))
	models := make([]mongo.WriteModel, len(as))
	for i, a := range as {
		docs[i] = a
		codes[i] = a.USCC
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": string(a.USCC)}).
			SetUpdate(bson.M{"$set": bson.M{"risk": a.summary()}})
	}
	if _, err := s.assessments().InsertMany(ctx, docs); err != nil {
		return errs.Wrap(errs.Internal, "registry.RecordAssessments", err)
	}
	defer lockEnterprises(codes)()
	if err := store.BulkWrite(ctx, s.enterprises, models); err != nil {
		return errs.Wrap(errs.Internal, "registry.RecordAssessments", err)
	}
	return nil
}

// ensureRiskIndexes creates the index an enterprise's history is read by.
func (s *MongoStore) ensureRiskIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.assessments(), mongo.IndexModel{
		Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "assessed_at", Value: -1}},
	})
}
