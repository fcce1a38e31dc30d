package funds

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

// Collection names.
const (
	AccountsCollection   = "fund_accounts"
	EntriesCollection    = "fund_entries"
	StatementsCollection = "fund_statements"
	AlertsCollection     = "fund_alerts"
	PlansCollection      = "refund_plans"
)

// MongoStore keeps supervised accounts and their ledgers in MongoDB.
type MongoStore struct {
	accounts   *mongo.Collection
	entries    *mongo.Collection
	statements *mongo.Collection
	alerts     *mongo.Collection
	plans      *mongo.Collection
}

var _ Store = (*MongoStore)(nil)

// NewMongoStore returns the module's store in db.
func NewMongoStore(db *mongo.Database) *MongoStore {
	return &MongoStore{
		accounts:   db.Collection(AccountsCollection),
		entries:    db.Collection(EntriesCollection),
		statements: db.Collection(StatementsCollection),
		alerts:     db.Collection(AlertsCollection),
		plans:      db.Collection(PlansCollection),
	}
}

// EnsureIndexes creates the indexes the module's queries use. The unique index on an entry's
// account and sequence is a rule, not a speed-up: it is how a posting finds an entry a stopped
// posting left unapplied, so EnsureIndexes must run before the service takes entries.
func (s *MongoStore) EnsureIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.accounts,
		mongo.IndexModel{Keys: bson.D{{Key: "uscc", Value: 1}, {Key: "created_at", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "account_number", Value: 1}}},
	)
	if err == nil {
		err = store.EnsureIndexes(ctx, s.entries,
			// One sequence number per account, and the ledger in its order.
			mongo.IndexModel{Keys: bson.D{{Key: "account_id", Value: 1}, {Key: "seq", Value: 1}},
				Options: options.Index().SetUnique(true)},
			mongo.IndexModel{Keys: bson.D{{Key: "corrects", Value: 1}}},
		)
	}
	if err == nil {
		err = s.ensureStatementIndexes(ctx)
	}
	if err == nil {
		err = s.ensureAlertIndexes(ctx)
	}
	if err == nil {
		err = s.ensurePlanIndexes(ctx)
	}
	if err != nil {
		return errs.Wrap(errs.Internal, "funds: ensure indexes", err)
	}
	return nil
}

var (
	errNoAccount = errs.E(errs.NotFound, "funds.GetAccount", "没有这个存管账户 (no such fund account)")
	errNoEntry   = errs.E(errs.NotFound, "funds.GetEntry", "没有这条记录 (no such ledger entry)")
)

// InsertAccount implements Store.
func (s *MongoStore) InsertAccount(ctx context.Context, a *Account) error {
	_, err := s.accounts.InsertOne(ctx, a)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "funds.InsertAccount", "账户编号已被占用 (account id taken)")
	}
	return internal("funds.InsertAccount", err)
}

// GetAccount implements Store.
func (s *MongoStore) GetAccount(ctx context.Context, id string) (*Account, error) {
	var a Account
	err := s.accounts.FindOne(ctx, bson.M{"_id": id}).Decode(&a)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoAccount
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "funds.GetAccount", err)
	}
	return &a, nil
}

// UpdateAccount implements Store.
func (s *MongoStore) UpdateAccount(ctx context.Context, a *Account) error {
	res, err := s.accounts.ReplaceOne(ctx, bson.M{"_id": a.ID, "version": a.Version - 1}, a)
	if err != nil {
		return errs.Wrap(errs.Internal, "funds.UpdateAccount", err)
	}
	if res.MatchedCount == 0 {
		return errStaleAccount
	}
	return nil
}

// AccountsOf implements Store.
func (s *MongoStore) AccountsOf(ctx context.Context, uscc registry.USCC) ([]Account, error) {
	return s.findAccounts(ctx, "funds.AccountsOf", bson.M{"uscc": string(uscc)})
}

// AllAccounts implements Store.
func (s *MongoStore) AllAccounts(ctx context.Context) ([]Account, error) {
	return s.findAccounts(ctx, "funds.AllAccounts", bson.M{})
}

// OpenAccountByNumber implements Store.
func (s *MongoStore) OpenAccountByNumber(ctx context.Context, uscc registry.USCC, number string) (*Account, error) {
	var a Account
	err := s.accounts.FindOne(ctx,
		bson.M{"uscc": string(uscc), "account_number": number, "state": string(AccountOpen)}).Decode(&a)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoAccount
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "funds.OpenAccountByNumber", err)
	}
	return &a, nil
}

func (s *MongoStore) findAccounts(ctx context.Context, op string, filter bson.M) ([]Account, error) {
	cur, err := s.accounts.Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []Account{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// CorrectionsOf implements Store.
func (s *MongoStore) CorrectionsOf(ctx context.Context, accountID, id string) ([]Entry, error) {
	const op = "funds.CorrectionsOf"
	cur, err := s.entries.Find(ctx, bson.M{"corrects": id, "account_id": accountID})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []Entry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// InsertEntry implements Store.
func (s *MongoStore) InsertEntry(ctx context.Context, e *Entry) error {
	_, err := s.entries.InsertOne(ctx, e)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "funds.InsertEntry",
			"记录已存在或序号已被占用，请重试 (entry or sequence taken; try again)")
	}
	return internal("funds.InsertEntry", err)
}

// GetEntry implements Store.
func (s *MongoStore) GetEntry(ctx context.Context, id string) (*Entry, error) {
	var e Entry
	err := s.entries.FindOne(ctx, bson.M{"_id": id}).Decode(&e)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoEntry
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "funds.GetEntry", err)
	}
	return &e, nil
}

// EntriesOf implements Store.
func (s *MongoStore) EntriesOf(ctx context.Context, accountID string, afterSeq int64, limit int) ([]Entry, error) {
	const op = "funds.EntriesOf"
	opts := options.Find().SetSort(bson.D{{Key: "account_id", Value: 1}, {Key: "seq", Value: 1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.entries.Find(ctx, bson.M{"account_id": accountID, "seq": bson.M{"$gt": afterSeq}}, opts)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := []Entry{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return out, nil
}

// EachEntry implements Store, reading only the fields balances are computed from.
func (s *MongoStore) EachEntry(ctx context.Context, fn func(e *Entry) error) error {
	const op = "funds.EachEntry"
	cur, err := s.entries.Find(ctx, bson.M{}, options.Find().SetProjection(bson.M{
		"account_id": 1, "seq": 1, "type": 1, "amount_fen": 1, "corrects": 1}).SetBatchSize(5000))
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var e Entry
		if err := cur.Decode(&e); err != nil {
			return errs.Wrap(errs.Internal, op, err)
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return internal(op, cur.Err())
}

func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	return errs.Wrap(errs.Internal, op, err)
}
