package mediation

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"prepaidreg/internal/errs"
)

func (s *MongoStore) ensureMediatorIndexes(ctx context.Context) error { return nil }

// InsertBody implements MediatorStore.
func (s *MongoStore) InsertBody(ctx context.Context, b *Body) error {
	_, err := s.bodies.InsertOne(ctx, b)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "mediation.InsertBody", "调解组织编号已存在 (a body with this id exists)")
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
