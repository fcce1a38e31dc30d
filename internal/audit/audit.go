// Package audit keeps the trail of every change: who made it, through which channel, to which
// record, when, and what changed. Records form a hash chain so that an edited, deleted or
// truncated trail is found by Verify.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/errs"
	"prepaidreg/internal/store"
)

// Collection names used by the trail.
const (
	RecordsCollection = "audit_records"
	headCollection    = "audit_head"
)

// Actor says who made a change and through which channel.
type Actor struct {
	Username  string
	Role      string
	Via       string // "api", "console", "cli" or "system"
	RequestID string
}

// System is the actor for changes the program makes by itself.
var System = Actor{Username: "system", Role: "system", Via: "system"}

// Entry is one change to record.
type Entry struct {
	Actor  Actor
	Action string // e.g. "enterprise.create"
	// Target names the record, as "<kind>/<id>".
	Target string
	// Version is the record's version after the change; Verify checks that every version of a
	// versioned record has its entry.
	Version int64
	// Change is what changed; it is stored as canonical JSON.
	Change any
}

// Record is a stored entry with its place in the chain.
type Record struct {
	Seq       int64     `bson:"_id" json:"seq"`
	At        time.Time `bson:"at" json:"at"`
	Actor     string    `bson:"actor" json:"actor"`
	Role      string    `bson:"role" json:"role"`
	Via       string    `bson:"via" json:"via"`
	RequestID string    `bson:"request_id,omitempty" json:"request_id,omitempty"`
	Action    string    `bson:"action" json:"action"`
	Target    string    `bson:"target" json:"target"`
	Version   int64     `bson:"version,omitempty" json:"version,omitempty"`
	Change    string    `bson:"change" json:"-"`
	PrevHash  string    `bson:"prev_hash" json:"prev_hash"`
	Hash      string    `bson:"hash" json:"hash"`
}

// ChangeJSON returns the change as raw JSON for API answers.
func (r Record) ChangeJSON() json.RawMessage { return json.RawMessage(r.Change) }

// Log appends to and reads the trail.
type Log struct {
	records *mongo.Collection
	head    *mongo.Collection
	now     func() time.Time

	mu       sync.Mutex
	lastSeq  int64
	lastHash string
	loaded   bool
}

// NewLog returns the trail kept in db.
func NewLog(db *mongo.Database) *Log {
	return &Log{
		records: db.Collection(RecordsCollection),
		head:    db.Collection(headCollection),
		now:     time.Now,
	}
}

// SetClock replaces the clock; tests use it.
func (l *Log) SetClock(now func() time.Time) { l.now = now }

// EnsureIndexes creates the indexes the trail is read by.
func (l *Log) EnsureIndexes(ctx context.Context) error {
	err := store.EnsureIndexes(ctx, l.records, mongo.IndexModel{
		Keys: bson.D{{Key: "target", Value: 1}, {Key: "_id", Value: 1}},
	})
	if err != nil {
		return fmt.Errorf("audit: ensure indexes: %w", err)
	}
	return nil
}

// Append records e at the end of the chain.
func (l *Log) Append(ctx context.Context, e Entry) (Record, error) {
	change, err := canonicalJSON(e.Change)
	if err != nil {
		return Record{}, errs.Wrap(errs.Internal, "audit.Append", err)
	}

	l.mu.Lock()
	defer l.mu.Unlock()

	// Another instance may have appended since the last look: on a sequence clash, reload the
	// tail and try again.
	for attempt := 0; attempt < 10; attempt++ {
		if !l.loaded {
			if err := l.loadTail(ctx); err != nil {
				return Record{}, err
			}
		}
		r := Record{
			Seq:       l.lastSeq + 1,
			At:        l.now().UTC().Truncate(time.Millisecond),
			Actor:     e.Actor.Username,
			Role:      e.Actor.Role,
			Via:       e.Actor.Via,
			RequestID: e.Actor.RequestID,
			Action:    e.Action,
			Target:    e.Target,
			Version:   e.Version,
			Change:    change,
			PrevHash:  l.lastHash,
		}
		r.Hash = r.computeHash()

		_, err := l.records.InsertOne(ctx, r)
		if mongo.IsDuplicateKeyError(err) {
			l.loaded = false
			continue
		}
		if err != nil {
			return Record{}, errs.Wrap(errs.Internal, "audit.Append", err)
		}
		l.lastSeq, l.lastHash = r.Seq, r.Hash

		_, err = l.head.UpdateOne(ctx,
			bson.M{"_id": "head", "seq": bson.M{"$lt": r.Seq}},
			bson.M{"$set": bson.M{"seq": r.Seq, "hash": r.Hash}},
		)
		if err != nil {
			return r, errs.Wrap(errs.Internal, "audit.Append: head", err)
		}
		return r, nil
	}
	return Record{}, errs.E(errs.Internal, "audit.Append", "audit trail is too busy; try again")
}

// AppendMany records entries at the end of the chain, in order, with one insert and one
// update of the head: a campaign of hundreds of interviews is recorded in two round trips.
// On a sequence clash with another instance nothing of the batch is kept and it is tried
// again from the new tail.
func (l *Log) AppendMany(ctx context.Context, entries []Entry) ([]Record, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	changes := make([]string, len(entries))
	for i, e := range entries {
		change, err := canonicalJSON(e.Change)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, "audit.AppendMany", err)
		}
		changes[i] = change
	}

	l.mu.Lock()
	defer l.mu.Unlock()

	for attempt := 0; attempt < 10; attempt++ {
		if !l.loaded {
			if err := l.loadTail(ctx); err != nil {
				return nil, err
			}
		}
		at := l.now().UTC().Truncate(time.Millisecond)
		records := make([]Record, len(entries))
		docs := make([]any, len(entries))
		seq, hash := l.lastSeq, l.lastHash
		for i, e := range entries {
			seq++
			r := Record{Seq: seq, At: at, Actor: e.Actor.Username, Role: e.Actor.Role, Via: e.Actor.Via,
				RequestID: e.Actor.RequestID, Action: e.Action, Target: e.Target, Version: e.Version,
				Change: changes[i], PrevHash: hash}
			r.Hash = r.computeHash()
			hash = r.Hash
			records[i], docs[i] = r, r
		}

		// Ordered: a clash on the first sequence number stops the batch before anything is
		// written, since every later number is higher still.
		_, err := l.records.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
		if mongo.IsDuplicateKeyError(err) {
			l.loaded = false
			continue
		}
		if err != nil {
			// Part of the batch may have landed; the tail must be read again.
			l.loaded = false
			return nil, errs.Wrap(errs.Internal, "audit.AppendMany", err)
		}
		last := records[len(records)-1]
		l.lastSeq, l.lastHash = last.Seq, last.Hash

		_, err = l.head.UpdateOne(ctx,
			bson.M{"_id": "head", "seq": bson.M{"$lt": last.Seq}},
			bson.M{"$set": bson.M{"seq": last.Seq, "hash": last.Hash}},
		)
		if err != nil {
			return records, errs.Wrap(errs.Internal, "audit.AppendMany: head", err)
		}
		return records, nil
	}
	return nil, errs.E(errs.Internal, "audit.AppendMany", "audit trail is too busy; try again")
}

func (l *Log) loadTail(ctx context.Context) error {
	var last Record
	err := l.records.FindOne(ctx, bson.M{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&last)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		l.lastSeq, l.lastHash = 0, ""
	case err != nil:
		return errs.Wrap(errs.Internal, "audit: load tail", err)
	default:
		l.lastSeq, l.lastHash = last.Seq, last.Hash
	}

	// The head document remembers how long the chain has been, so that records cut off its
	// end are noticed. It is created once and only ever moves forward.
	_, err = l.head.UpdateOne(ctx,
		bson.M{"_id": "head"},
		bson.M{"$setOnInsert": bson.M{"seq": l.lastSeq, "hash": l.lastHash}},
		options.UpdateOne().SetUpsert(true),
	)
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return errs.Wrap(errs.Internal, "audit: init head", err)
	}
	l.loaded = true
	return nil
}

func (r Record) computeHash() string {
	h := sha256.New()
	for _, field := range []string{
		strconv.FormatInt(r.Seq, 10),
		r.At.UTC().Format(time.RFC3339Nano),
		r.Actor, r.Role, r.Via, r.RequestID,
		r.Action, r.Target,
		strconv.FormatInt(r.Version, 10),
		r.Change,
		r.PrevHash,
	} {
		// Length-prefixing keeps field boundaries unambiguous.
		fmt.Fprintf(h, "%d:%s;", len(field), field)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalJSON marshals v with map keys sorted, so that the same change always hashes alike.
func canonicalJSON(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return "", err
	}
	out, err := json.Marshal(generic)
	return string(out), err
}

// Page is one page of the trail, oldest first.
type Page struct {
	Records []Record
	// Next is the sequence to continue after, or 0 at the end.
	Next int64
}

// Query selects a page of the trail.
type Query struct {
	Target string
	After  int64
	Limit  int
	// Latest asks for the newest records first, ignoring After.
	Latest bool
}

// List returns records in sequence order.
func (l *Log) List(ctx context.Context, q Query) (Page, error) {
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 100
	}
	filter := bson.M{}
	order := 1
	if q.Latest {
		order = -1
	} else {
		filter["_id"] = bson.M{"$gt": q.After}
	}
	if q.Target != "" {
		filter["target"] = q.Target
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: order}}).SetLimit(int64(q.Limit) + 1)
	cur, err := l.records.Find(ctx, filter, opts)
	if err != nil {
		return Page{}, errs.Wrap(errs.Internal, "audit.List", err)
	}
	var recs []Record
	if err := cur.All(ctx, &recs); err != nil {
		return Page{}, errs.Wrap(errs.Internal, "audit.List", err)
	}
	page := Page{Records: recs}
	if len(recs) > q.Limit && q.Latest {
		page.Records = recs[:q.Limit]
	} else if len(recs) > q.Limit {
		page.Records = recs[:q.Limit]
		page.Next = page.Records[q.Limit-1].Seq
	}
	return page, nil
}
