package user

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// Collections used by accounts.
const (
	UsersCollection    = "users"
	sessionsCollection = "sessions"
)

// MongoStore keeps accounts and sessions in MongoDB.
type MongoStore struct {
	users    *mongo.Collection
	sessions *mongo.Collection
}

var _ Store = (*MongoStore)(nil)

// NewMongoStore returns the account store in db.
func NewMongoStore(db *mongo.Database) *MongoStore {
	return &MongoStore{users: db.Collection(UsersCollection), sessions: db.Collection(sessionsCollection)}
}

// EnsureIndexes creates the index tokens are looked up by.
func (s *MongoStore) EnsureIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, s.users, mongo.IndexModel{Keys: bson.D{{Key: "token_hash", Value: 1}}})
	if err != nil {
		return errs.Wrap(errs.Internal, "user: ensure indexes", err)
	}
	return nil
}

var errNoUser = errs.E(errs.NotFound, "user.Get", "没有这个用户 (no such user)")

// InsertUser implements Store.
func (s *MongoStore) InsertUser(ctx context.Context, u *User) error {
	_, err := s.users.InsertOne(ctx, u)
	if mongo.IsDuplicateKeyError(err) {
		return errs.E(errs.Conflict, "user.Insert", "用户名已存在 (username taken)")
	}
	return wrap("user.Insert", err)
}

// GetUser implements Store.
func (s *MongoStore) GetUser(ctx context.Context, username string) (*User, error) {
	return s.findUser(ctx, bson.M{"_id": username})
}

// UserByTokenHash implements Store.
func (s *MongoStore) UserByTokenHash(ctx context.Context, hash string) (*User, error) {
	return s.findUser(ctx, bson.M{"token_hash": hash})
}

func (s *MongoStore) findUser(ctx context.Context, filter bson.M) (*User, error) {
	var u User
	err := s.users.FindOne(ctx, filter).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "user.Get", err)
	}
	return &u, nil
}

// UpdateUser implements Store.
func (s *MongoStore) UpdateUser(ctx context.Context, u *User) error {
	defer store.LockDocument(UsersCollection, u.Username)()
	res, err := s.users.ReplaceOne(ctx, bson.M{"_id": u.Username, "version": u.Version - 1}, u)
	if err != nil {
		return errs.Wrap(errs.Internal, "user.Update", err)
	}
	if res.MatchedCount == 0 {
		return errs.E(errs.Stale, "user.Update", "用户已被他人修改，请重试 (the account changed meanwhile)")
	}
	return nil
}

// ListUsers implements Store.
func (s *MongoStore) ListUsers(ctx context.Context) ([]User, error) {
	cur, err := s.users.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "user.List", err)
	}
	users := []User{}
	if err := cur.All(ctx, &users); err != nil {
		return nil, errs.Wrap(errs.Internal, "user.List", err)
	}
	return users, nil
}

// CountUsers implements Store.
func (s *MongoStore) CountUsers(ctx context.Context) (int64, error) {
	n, err := s.users.CountDocuments(ctx, bson.M{})
	return n, wrap("user.Count", err)
}

// InsertSession implements Store.
func (s *MongoStore) InsertSession(ctx context.Context, sess *Session) error {
	_, err := s.sessions.InsertOne(ctx, sess)
	return wrap("user.InsertSession", err)
}

// GetSession implements Store.
func (s *MongoStore) GetSession(ctx context.Context, id string) (*Session, error) {
	var sess Session
	err := s.sessions.FindOne(ctx, bson.M{"_id": id}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, errs.E(errs.NotFound, "user.GetSession", "no such session")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "user.GetSession", err)
	}
	return &sess, nil
}

// EndSession implements Store.
func (s *MongoStore) EndSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.sessions.UpdateOne(ctx, bson.M{"_id": id, "ended_at": nil}, bson.M{"$set": bson.M{"ended_at": at}})
	return wrap("user.EndSession", err)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return errs.Wrap(errs.Internal, op, err)
}
