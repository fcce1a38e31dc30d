// Package store opens the MongoDB database the modules keep their records in: a MongoDB
// deployment named by a URI, or, with none, a FerretDB server embedded in this process on a
// SQLite data directory.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// DefaultDatabase is the database name used when the URI names none.
const DefaultDatabase = "prepaidreg"

// Config says which store to open.
type Config struct {
	// URI of a MongoDB deployment; empty starts the embedded store.
	URI string
	// DataDir holds the embedded store's files.
	DataDir string
	// Database is the database name; empty means DefaultDatabase.
	Database string
	// Debug lets the embedded server log at debug level; otherwise it logs errors only.
	Debug bool
	// Monitor, when set, observes every command the driver sends (tests count round trips).
	Monitor *Monitor
}

// Store is an open connection to the database, with the embedded server it started, if any.
type Store struct {
	Client *mongo.Client
	DB     *mongo.Database
	// Kind is "embedded" or "mongodb".
	Kind string
	// Where is the data directory or the URI's hosts, for the start-up log line.
	Where string

	stopEmbedded func()
}

// Open connects to the store cfg names and checks it answers.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Store, error) {
	name := cfg.Database
	if name == "" {
		name = DefaultDatabase
	}
	if cfg.URI != "" {
		client, err := connect(ctx, cfg.URI, cfg.Monitor)
		if err != nil {
			return nil, err
		}
		hosts := "MongoDB"
		if opts := options.Client().ApplyURI(cfg.URI); len(opts.Hosts) > 0 {
			hosts = fmt.Sprint(opts.Hosts)
		}
		return &Store{Client: client, DB: client.Database(name), Kind: "mongodb", Where: hosts}, nil
	}

	emb, err := StartEmbedded(cfg.DataDir, cfg.Debug, logger)
	if err != nil {
		return nil, err
	}
	client, err := connect(ctx, emb.URI, cfg.Monitor)
	if err != nil {
		emb.Stop()
		return nil, err
	}
	return &Store{Client: client, DB: client.Database(name), Kind: "embedded", Where: emb.Dir, stopEmbedded: emb.Stop}, nil
}

func connect(ctx context.Context, uri string, mon *Monitor) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(uri).
		SetWriteConcern(writeconcern.Majority()).
		SetServerSelectionTimeout(10 * time.Second)
	if mon != nil {
		opts.SetMonitor(mon.commandMonitor())
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	return client, nil
}

// Ping reports whether the store answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.Client.Ping(ctx, nil)
}

// Close disconnects and, for the embedded store, stops the server after it has flushed
// everything written to disk.
func (s *Store) Close(ctx context.Context) error {
	err := s.Client.Disconnect(ctx)
	if s.stopEmbedded != nil {
		s.stopEmbedded()
	}
	return err
}

// Embedded is a FerretDB server running inside this process on loopback.
type Embedded struct {
	URI string
	Dir string

	cancel context.CancelFunc
	done   chan struct{}
	lock   *os.File
}

// ErrDataDirInUse is returned when another process already has the data directory open.
var ErrDataDirInUse = errors.New("the data directory is in use by another prepaidreg process")

// StartEmbedded starts FerretDB on dir, holding an exclusive lock on the directory so that a
// second process cannot open the same files.
func StartEmbedded(dir string, debug bool, logger *slog.Logger) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("store: data dir: %w", err)
	}
	lock, err := lockDir(abs)
	if err != nil {
		return nil, err
	}

	level := slog.LevelError
	if debug {
		level = slog.LevelDebug
	}
	if logger == nil {
		logger = slog.Default()
	}
	quiet := slog.New(leveled{Handler: logger.Handler(), min: level}).With("component", "ferretdb")

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    quiet,
	})
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("store: start embedded: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	return &Embedded{URI: f.MongoDBURI(), Dir: abs, cancel: cancel, done: done, lock: lock}, nil
}

// Stop shuts the server down, waits until its SQLite files are closed, and releases the lock.
func (e *Embedded) Stop() {
	e.cancel()
	<-e.done
	_ = e.lock.Close()
}

func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "prepaidreg.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("store: %s: %w", dir, ErrDataDirInUse)
		}
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}

// leveled drops records below min before they reach the wrapped handler.
type leveled struct {
	slog.Handler
	min slog.Level
}

func (l leveled) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.min && l.Handler.Enabled(ctx, level)
}

func (l leveled) WithAttrs(attrs []slog.Attr) slog.Handler {
	return leveled{Handler: l.Handler.WithAttrs(attrs), min: l.min}
}

func (l leveled) WithGroup(name string) slog.Handler {
	return leveled{Handler: l.Handler.WithGroup(name), min: l.min}
}
