package audit

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Versioned names a collection whose documents carry a version that every change raises by
// one; Verify checks that each version of each document has its audit record.
type Versioned struct {
	Collection string
	// Kind is the target prefix its records use, e.g. "enterprise".
	Kind string
}

// Problem is one defect Verify found.
type Problem struct {
	Seq    int64  `json:"seq,omitempty"`
	Target string `json:"target,omitempty"`
	What   string `json:"what"`
}

// Report is the outcome of Verify.
type Report struct {
	Records  int64     `json:"records"`
	Problems []Problem `json:"problems"`
}

// OK reports whether the trail is intact.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks the whole trail and reports every record that was altered, removed or cut off
// the end, and every change to a versioned record that has no audit record.
func (l *Log) Verify(ctx context.Context, versioned ...Versioned) (Report, error) {
	var rep Report
	add := func(p Problem) { rep.Problems = append(rep.Problems, p) }

	cur, err := l.records.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	defer cur.Close(ctx)

	// seen[target] holds the versions recorded for each versioned target.
	seen := map[string]map[int64]bool{}
	var prevSeq int64
	prevHash := ""
	for cur.Next(ctx) {
		var r Record
		if err := cur.Decode(&r); err != nil {
			add(Problem{What: fmt.Sprintf("a record cannot be read: %v", err)})
			continue
		}
		rep.Records++
		if r.Seq != prevSeq+1 {
			add(Problem{Seq: prevSeq + 1, What: fmt.Sprintf("records %d to %d are missing", prevSeq+1, r.Seq-1)})
		}
		if r.computeHash() != r.Hash {
			add(Problem{Seq: r.Seq, Target: r.Target, What: "the record was altered after it was written"})
		}
		if r.PrevHash != prevHash && r.Seq == prevSeq+1 {
			add(Problem{Seq: r.Seq, Target: r.Target, What: "the record does not follow the one before it"})
		}
		if r.Version > 0 {
			if seen[r.Target] == nil {
				seen[r.Target] = map[int64]bool{}
			}
			seen[r.Target][r.Version] = true
		}
		prevSeq, prevHash = r.Seq, r.Hash
	}
	if err := cur.Err(); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}

	var head struct {
		Seq  int64  `bson:"seq"`
		Hash string `bson:"hash"`
	}
	err = l.head.FindOne(ctx, bson.M{"_id": "head"}).Decode(&head)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		if rep.Records > 0 {
			add(Problem{What: "the chain's head record is missing"})
		}
	case err != nil:
		return rep, fmt.Errorf("audit verify: head: %w", err)
	case head.Seq > prevSeq:
		add(Problem{Seq: prevSeq + 1, What: fmt.Sprintf("records %d to %d were cut off the end", prevSeq+1, head.Seq)})
	case head.Seq == prevSeq && head.Hash != prevHash:
		add(Problem{Seq: prevSeq, What: "the last record differs from the one the chain's head remembers"})
	}

	for _, v := range versioned {
		if err := l.verifyVersions(ctx, v, seen, add); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (l *Log) verifyVersions(
	ctx context.Context,
	v Versioned,
	seen map[string]map[int64]bool,
	add func(Problem),
) error {
	db := l.records.Database()
	cur, err := db.Collection(v.Collection).Find(ctx, bson.M{},
		options.Find().SetProjection(bson.M{"_id": 1, "version": 1}))
	if err != nil {
		return fmt.Errorf("audit verify: %s: %w", v.Collection, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var doc struct {
			ID      any   `bson:"_id"`
			Version int64 `bson:"version"`
		}
		if err := cur.Decode(&doc); err != nil {
			return fmt.Errorf("audit verify: %s: %w", v.Collection, err)
		}
		target := fmt.Sprintf("%s/%v", v.Kind, doc.ID)
		for ver := int64(1); ver <= doc.Version; ver++ {
			if !seen[target][ver] {
				add(Problem{Target: target, What: fmt.Sprintf("version %d has no audit record", ver)})
			}
		}
	}
	return cur.Err()
}
