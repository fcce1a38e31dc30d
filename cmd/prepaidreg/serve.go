package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"time"

	"prepaidreg/api"
	"prepaidreg/internal/audit"
	"prepaidreg/internal/user"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", envOr(getenv, "PREPAIDREG_ADDR", cfg.Addr), "listen address (env PREPAIDREG_ADDR)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long to let requests in flight finish")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", getenv("PREPAIDREG_SECURE_COOKIES") == "true",
		"mark cookies Secure, for serving behind HTTPS (env PREPAIDREG_SECURE_COOKIES=true)")
	fs.BoolVar(&cfg.Demo, "demo", false, "load synthetic demo data into an empty store")
	cfg.storeFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}

	sys, err := open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := sys.close(); err != nil {
			logger.Error("closing the store failed", "err", err)
		}
		logger.Info("store closed")
	}()
	logger.Info("store opened", slog.String("kind", sys.store.Kind), slog.String("where", sys.store.Where),
		slog.String("database", cfg.Database))

	if err := firstAdmin(ctx, sys, stdout); err != nil {
		return err
	}
	if cfg.Demo {
		if err := loadDemo(ctx, sys, logger); err != nil {
			return err
		}
	}

	app := api.New(api.Deps{
		Logger: logger, Store: sys.store, Registry: sys.registry, Users: sys.users, Audit: sys.audit, Calendar: sys.calendar,
		Enforcement:   sys.enforcement,
		Mediation:     sys.mediation,
		Funds:         sys.funds,
		SecureCookies: cfg.SecureCookies, Public: api.PublicOptions{Context: ctx},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger.Info("listening", slog.String("addr", ln.Addr().String()))

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	go sweepOverdue(ctx, sys, logger, time.Hour)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	if err := app.ShutdownWithTimeout(cfg.ShutdownTimeout); err != nil {
		logger.Warn("requests still running at the shutdown timeout", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// firstAdmin creates the administrator on the very first start and prints its password once.
func firstAdmin(ctx context.Context, sys *system, stdout io.Writer) error {
	n, err := sys.users.Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := randomPassword(16)
	added, err := sys.users.Add(ctx, audit.System, "admin", user.Admin, password)
	if err != nil {
		return fmt.Errorf("create the first administrator: %w", err)
	}
	fmt.Fprintf(stdout, "First start: created administrator %q.\n", added.User.Username)
	fmt.Fprintf(stdout, "  console password: %s\n", password)
	fmt.Fprintf(stdout, "  API token:        %s\n", added.Token)
	fmt.Fprintln(stdout, "They are shown only this once; keep them safe.")
	return nil
}

func randomPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// sweepOverdue looks, at start and then every interval until ctx ends, for what time alone
// changes: enterprises whose rectification deadline passed unchecked are re-scored, and fund
// accounts are checked for the alerts that come with days passing (no deposit, no statement).
func sweepOverdue(ctx context.Context, sys *system, logger *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := sys.enforcement.ScoreOverdueRectifications(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("re-scoring after missed rectification deadlines failed", "err", err)
		case n > 0:
			logger.Info("re-scored after missed rectification deadlines", slog.Int("enterprises", n))
		}
		raised, err := sys.funds.SweepAlerts(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("fund alert sweep failed", "err", err)
		case raised > 0:
			logger.Info("fund alerts raised", slog.Int("alerts", raised))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
