package store

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnsureIndexes creates the indexes of coll that do not exist yet, one at a time. The
// embedded store (FerretDB 1.24) fails with a server-side panic when one createIndexes
// command names several indexes of which some already exist, so existing ones are skipped.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	existing := map[string]bool{}
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	for _, s := range specs {
		existing[s.Name] = true
	}

	for _, m := range models {
		name := indexName(m)
		if existing[name] {
			continue
		}
		if m.Options == nil {
			m.Options = options.Index()
		}
		m.Options.SetName(name)
		if _, err := coll.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index %s on %s: %w", name, coll.Name(), err)
		}
	}
	return nil
}

// indexName gives the name MongoDB would: field_direction pairs joined by underscores.
func indexName(m mongo.IndexModel) string {
	keys, ok := m.Keys.(bson.D)
	if !ok {
		panic("store: index keys must be a bson.D")
	}
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k.Key, fmt.Sprint(k.Value))
	}
	return strings.Join(parts, "_")
}
