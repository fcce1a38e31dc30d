package mediation

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Collection names.
const (
	CasesCollection     = "mediation_cases"
	BodiesCollection    = "mediation_bodies"
	MediatorsCollection = "mediators"
)

// MongoStore keeps cases, mediation bodies and mediators in MongoDB.
type MongoStore struct {
	cases     *mongo.Collection
	bodies    *mongo.Collection
	mediators *mongo.Collection
}

var _ Store = (*MongoStore)(nil)

// NewMongoStore returns the module's store in db.
func NewMongoStore(db *mongo.Database) *MongoStore {
	return &MongoStore{
		cases:     db.Collection(CasesCollection),
		bodies:    db.Collection(BodiesCollection),
		mediators: db.Collection(MediatorsCollection),
	}
}

// EnsureIndexes creates the indexes the module's queries use.
func (s *MongoStore) EnsureIndexes(ctx context.Context) error {
	if err := s.ensureCaseIndexes(ctx); err != nil {
		return err
	}
	return s.ensureMediatorIndexes(ctx)
}
