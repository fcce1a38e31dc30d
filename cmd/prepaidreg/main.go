// Command prepaidreg runs the registry of prepaid-consumption enterprises: the web server and
// the administrator's commands (users, audit, demo data).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // times are shown in Asia/Shanghai on every machine
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "prepaidreg:", err)
		os.Exit(1)
	}
}

const usage = `usage: prepaidreg <command> [flags]

commands:
  serve         run the web server (the default)
  user add      create a user and print its API token (last line)
  user list     list users
  user disable  disable a user
  user token    issue a new API token for a user (last line)
  audit verify  check that the audit trail is intact
  demo          load synthetic demo data into an empty store
  import FILE   import a 12345 work-order export (.xlsx or .csv)
  reconcile     rebuild every enterprise's complaint counters from the complaints
  rescore       assess every enterprise's risk afresh with the model in force

Run "prepaidreg <command> -h" for a command's flags.`

// run is the whole program, with its inputs passed in so that tests can call it.
func run(
	ctx context.Context,
	args []string,
	getenv func(string) string,
	stdin io.Reader,
	stdout,
	stderr io.Writer,
) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, args, getenv, stdin, stdout, stderr)
	case "audit":
		return runAudit(ctx, args, getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, args, getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args, getenv, stdout, stderr)
	case "reconcile":
		return runReconcile(ctx, args, getenv, stdout, stderr)
	case "rescore":
		return runRescore(ctx, args, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}
