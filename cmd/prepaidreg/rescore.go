package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func runRescore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("rescore", flag.ContinueOnError)
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

	n, err := sys.registry.RescoreAll(ctx, func(done int) {
		fmt.Fprintf(stderr, "progress: %d enterprises assessed\n", done)
	})
	fmt.Fprintf(stdout, "enterprises assessed: %d\n", n)
	return err
}
