package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/store"
)

const instructorUsage = `usage:
  playground instructor add --email ADDR      create an instructor account
  playground instructor passwd --email ADDR   set a new password (logs them out everywhere)
  playground instructor list                  list the instructor accounts

The password is read from the terminal without echo, or as one line from
standard input when it is not a terminal. DATABASE_URL (or -database-url)
names the database.`

// runInstructor manages instructor accounts.
func runInstructor(ctx context.Context, args []string) error {
	return instructorCommand(ctx, args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
}

// instructorCommand is runInstructor with its inputs and outputs given.
func instructorCommand(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, instructorUsage)
		if len(args) == 0 {
			return errors.New("name a subcommand: add, passwd or list")
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("instructor "+sub, flag.ContinueOnError)
	email := fs.String("email", "", "the instructor's email address")
	dbURL := fs.String("database-url", getenv("DATABASE_URL"), "Postgres URL (DATABASE_URL)")
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, instructorUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if sub != "add" && sub != "passwd" && sub != "list" {
		return fmt.Errorf("unknown subcommand %q (add, passwd, list)", sub)
	}
	if sub != "list" && *email == "" {
		return errors.New("give the instructor's address with --email")
	}
	if *dbURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(octx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	accounts := classroom.NewAccounts(st)

	switch sub {
	case "list":
		list, err := st.Instructors(ctx)
		if err != nil {
			return err
		}
		for _, in := range list {
			fmt.Fprintf(stdout, "%s\t%s\n", in.Email, in.CreatedAt.Format(time.RFC3339))
		}
		return nil
	case "add":
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		in, err := accounts.AddInstructor(ctx, *email, password)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Instructor %s created; they log in at /instructor/login.\n", in.Email)
		return nil
	default: // passwd
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if err := accounts.SetPassword(ctx, *email, password); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Password of %s changed; their logins were ended.\n", *email)
		return nil
	}
}

// readPassword reads a new password: from the terminal without echo, typed
// twice, when in is one; otherwise the first line of in.
func readPassword(in *os.File, prompt io.Writer) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", errors.New("no password on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprintf(prompt, "Password (at least %d characters): ", classroom.MinPassword)
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	fmt.Fprint(prompt, "Same password again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords differ")
	}
	return string(first), nil
}
