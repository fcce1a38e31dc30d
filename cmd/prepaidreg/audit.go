package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"prepaidreg/api"
)

// errAuditBroken makes the process exit non-zero when the trail is not intact.
var errAuditBroken = errors.New("the audit trail is NOT intact")

func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("audit: say verify")
	}
	cfg := defaultConfig()
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.storeFlags(fs, getenv)
	if err := fs.Parse(args[1:]); err != nil {
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

	rep, err := sys.audit.Verify(ctx, api.VersionedCollections...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit records checked: %d\n", rep.Records)
	for _, p := range rep.Problems {
		switch {
		case p.Seq > 0 && p.Target != "":
			fmt.Fprintf(stdout, "PROBLEM record %d (%s): %s\n", p.Seq, p.Target, p.What)
		case p.Seq > 0:
			fmt.Fprintf(stdout, "PROBLEM record %d: %s\n", p.Seq, p.What)
		default:
			fmt.Fprintf(stdout, "PROBLEM %s: %s\n", p.Target, p.What)
		}
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %d problems", errAuditBroken, len(rep.Problems))
	}
	fmt.Fprintln(stdout, "the audit trail is intact")
	return nil
}
