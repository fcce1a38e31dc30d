package enforcement

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Collection names.
const (
	InterviewsCollection  = "interviews"
	CampaignsCollection   = "interview_campaigns"
	OfficialsCollection   = "officials"
	OperationsCollection  = "operations"
	InspectionsCollection = "inspections"
)

// MongoStore keeps interviews, officials, operations and inspections in MongoDB.
type MongoStore struct {
	interviews  *mongo.Collection
	campaigns   *mongo.Collection
	officials   *mongo.Collection
	operations  *mongo.Collection
	inspections *mongo.Collection
}

var _ Store = (*MongoStore)(nil)

// NewMongoStore returns the module's store in db.
func NewMongoStore(db *mongo.Database) *MongoStore {
	return &MongoStore{
		interviews:  db.Collection(InterviewsCollection),
		campaigns:   db.Collection(CampaignsCollection),
		officials:   db.Collection(OfficialsCollection),
		operations:  db.Collection(OperationsCollection),
		inspections: db.Collection(InspectionsCollection),
	}
}

// EnsureIndexes creates the indexes the module's queries use.
func (s *MongoStore) EnsureIndexes(ctx context.Context) error {
	if err := s.ensureInterviewIndexes(ctx); err != nil {
		return err
	}
	return s.ensureOperationIndexes(ctx)
}
