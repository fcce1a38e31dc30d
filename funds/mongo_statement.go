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

func (s *MongoStore) ensureStatementIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.statements,
		mongo.IndexModel{Keys: bson.D{{Key: "account_id", Value: 1}, {Key: "imported_at", Value: -1}}},
	)
}

var errNoStatement = errs.E(errs.NotFound, "funds.GetStatement", "没有这份对账单导入记录 (no such statement import)")

// InsertStatement implements StatementStore.
func (s *MongoStore) InsertStatement(ctx context.Context, imp *StatementImport) error {
	_, err := s.statements.InsertOne(ctx, imp)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "funds.InsertStatement", "该对账单已导入 (statement already imported)")
	}
	return internal("funds.InsertStatement", err)
}

// GetStatement implements StatementStore.
func (s *MongoStore) GetStatement(ctx context.Context, id string) (*StatementImport, error) {
	return s.findStatement(ctx, "funds.GetStatement", bson.M{"_id": id}, options.FindOne())
}

// LatestStatement implements StatementStore.
func (s *MongoStore) LatestStatement(ctx context.Context, accountID string) (*StatementImport, error) {
	return s.findStatement(ctx, "funds.LatestStatement", bson.M{"account_id": accountID},
		options.FindOne().SetSort(bson.D{{Key: "imported_at", Value: -1}, {Key: "_id", Value: -1}}))
}

func (s *MongoStore) findStatement(
	ctx context.Context,
	op string,
	filter bson.M,
	opts *options.FindOneOptionsBuilder,
) (*StatementImport, error) {
	var imp StatementImport
	err := s.statements.FindOne(ctx, filter, opts).Decode(&imp)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoStatement
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return &imp, nil
}
