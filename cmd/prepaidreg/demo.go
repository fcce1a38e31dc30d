package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
)

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

func loadDemo(ctx context.Context, sys *system, logger *slog.Logger) error {
	return errors.New("demo data not yet written")
}
