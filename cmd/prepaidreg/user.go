package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"prepaidreg/internal/user"
)

func runUser(
	ctx context.Context,
	args []string,
	getenv func(string) string,
	stdin io.Reader,
	stdout,
	stderr io.Writer,
) error {
	if len(args) == 0 {
		return errors.New("user: say add, list, disable or token")
	}
	sub, args := args[0], args[1:]
	cfg := defaultConfig()
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.storeFlags(fs, getenv)
	var username, role string
	var passwordStdin bool
	if sub != "list" {
		fs.StringVar(&username, "username", "", "the user's name")
	}
	if sub == "add" {
		fs.StringVar(&role, "role", "", "regulator, supervisor, mediator, fund_officer or admin")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read a console password from the first line of standard input")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sub != "list" && username == "" {
		return fmt.Errorf("user %s: --username is required", sub)
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

	who := cliActor
	switch sub {
	case "add":
		password := ""
		if passwordStdin {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("read password: %w", err)
			}
			password = strings.TrimRight(line, "\r\n")
			if password == "" {
				return errors.New("user add: --password-stdin given but standard input is empty")
			}
		}
		added, err := sys.users.Add(ctx, who, username, user.Role(role), password)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (%s)\n", added.User.Username, added.User.Role)
		fmt.Fprintln(stdout, added.Token)
	case "list":
		users, err := sys.users.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tSTATE\tCREATED")
		for _, u := range users {
			state := "enabled"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, state, u.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "disable":
		if _, err := sys.users.Disable(ctx, who, username); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled user %s\n", username)
	case "token":
		token, err := sys.users.NewToken(ctx, who, username)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new API token for %s (the old one no longer works):\n", username)
		fmt.Fprintln(stdout, token)
	default:
		return fmt.Errorf("user: unknown subcommand %q: say add, list, disable or token", sub)
	}
	return nil
}
