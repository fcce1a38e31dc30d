// Package storetest gives each test its own database on one embedded store per test binary.
package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prepaidreg/internal/store"
)

var (
	once     sync.Once
	shared   *store.Embedded
	client   *mongo.Client
	startErr error
	seq      atomic.Int64
	unsafe   = regexp.MustCompile(`[^a-zA-Z0-9_]+`)
)

// URI returns the address of the test binary's embedded store, starting it on first use.
func URI(t testing.TB) string {
	t.Helper()
	start()
	if startErr != nil {
		t.Fatalf("embedded store: %v", startErr)
	}
	return shared.URI
}

func start() {
	once.Do(func() {
		dir, err := os.MkdirTemp("", "prepaidreg-test-store-")
		if err != nil {
			startErr = err
			return
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		shared, startErr = store.StartEmbedded(dir, false, logger)
		if startErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		client, startErr = mongo.Connect(options.Client().ApplyURI(shared.URI))
		if startErr == nil {
			startErr = client.Ping(ctx, nil)
		}
	})
}

// DBName returns a fresh database name for t.
func DBName(t testing.TB) string {
	name := unsafe.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("t%d_%s", seq.Add(1), name)
}

// New returns a database of its own for t on the shared embedded store.
func New(t testing.TB) *mongo.Database {
	t.Helper()
	URI(t)
	return client.Database(DBName(t))
}

// Open returns a store.Store of its own for t, with its own client (and monitor, when given),
// closed when the test ends. The shared embedded server stays up.
func Open(t testing.TB, mon *store.Monitor) *store.Store {
	t.Helper()
	uri := URI(t)
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{URI: uri, Database: DBName(t), Monitor: mon}, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}
