package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"prepaidreg/internal/audit"
	"prepaidreg/internal/sheet"
	"prepaidreg/internal/user"
	"prepaidreg/registry"
)

// cliActor is the audit actor of the administrator's commands.
var cliActor = audit.Actor{Username: "cli", Role: string(user.Admin), Via: "cli"}

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.storeFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import: name one .xlsx or .csv file of 12345 work orders")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	logger, err := newLogger(stderr, cfg.LogLevel)
	if err != nil {
		return err
	}
	sys, err := open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer sys.close()

	rd, err := sheet.Open(f, filepath.Base(path))
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	defer rd.Close()
	rows, err := sys.registry.ComplaintRows(ctx, rd)
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	report, err := sys.registry.NewImport(ctx, cliActor, filepath.Base(path))
	if err != nil {
		return err
	}
	err = sys.registry.RunImport(ctx, cliActor, report, rows, func(p registry.ImportReport) {
		fmt.Fprintf(stderr, "progress: %d rows read, %d imported, %d already present, %d rejected\n",
			p.Rows, p.Imported, p.Duplicates, p.Rejections)
	})
	printImportReport(stdout, report)
	logger.Info("complaint import finished", "id", report.ID, "rows", report.Rows, "imported", report.Imported,
		"duplicates", report.Duplicates, "rejected", report.Rejections)
	return err
}

func printImportReport(w io.Writer, r *registry.ImportReport) {
	fmt.Fprintf(w, "import %s: %s\n", r.ID, r.Status)
	fmt.Fprintf(w, "rows read:       %d\n", r.Rows)
	fmt.Fprintf(w, "imported:        %d\n", r.Imported)
	fmt.Fprintf(w, "already present: %d\n", r.Duplicates)
	fmt.Fprintf(w, "linked:          %d\n", r.Linked)
	fmt.Fprintf(w, "unlinked:        %d\n", r.Unlinked)
	fmt.Fprintf(w, "rejected:        %d\n", r.Rejections)
	for _, rej := range r.Rejected {
		for _, fe := range rej.Errors {
			fmt.Fprintf(w, "  row %d: %s: %s\n", rej.Row, fe.Field, fe.Message)
		}
	}
	if r.Rejections > len(r.Rejected) {
		fmt.Fprintf(w, "  (%d more rejected rows not listed)\n", r.Rejections-len(r.Rejected))
	}
}

func runReconcile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
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

	checked, corrections, err := sys.registry.Reconcile(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "enterprises checked: %d\n", checked)
	for _, c := range corrections {
		fmt.Fprintf(stdout, "corrected %s: total %d -> %d, open %d -> %d, amount %d -> %d fen\n", c.USCC,
			c.Before.Total, c.After.Total, c.Before.Open, c.After.Open, c.Before.AmountFen, c.After.AmountFen)
	}
	fmt.Fprintf(stdout, "corrected: %d\n", len(corrections))

	fixed, err := sys.funds.Reconcile(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fund accounts rebuilt from their ledgers: %d corrected\n", fixed)
	return nil
}
