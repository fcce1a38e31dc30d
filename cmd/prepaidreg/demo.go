package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/demo"
	"prepaidreg/registry"
)

// runDemo opens the store and loads the demo data into it.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
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
	defer sys.close()
	return loadDemo(ctx, sys, logger)
}

// loadDemo registers the demo enterprises through the registry service, so that each has its
// audit record. A store that already holds an enterprise is left alone, which makes
// "serve --demo" safe on every start.
func loadDemo(ctx context.Context, sys *system, logger *slog.Logger) error {
	page, err := sys.registry.ListEnterprises(ctx, registry.EnterpriseQuery{Limit: 1})
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if len(page.Items) > 0 {
		logger.Info("demo data skipped: the store already holds enterprises")
		return nil
	}

	start := time.Now()
	set := demo.Enterprises()
	for i, in := range set {
		if _, err := sys.registry.CreateEnterprise(ctx, audit.System, in); err != nil {
			return fmt.Errorf("demo data: enterprise %d of %d (%s): %w", i+1, len(set), in.USCC, err)
		}
	}
	logger.Info("demo data loaded", slog.Int("enterprises", len(set)), slog.Duration("took", time.Since(start)))
	return nil
}
