package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// stdinWith returns a file (not a terminal) holding text.
func stdinWith(t *testing.T, text string) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(text)
	f.Seek(0, 0)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestInstructorCommand(t *testing.T) {
	t.Parallel()
	dbURL := storetest.URL(t)
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	ctx := context.Background()
	run := func(stdin string, args ...string) (string, error) {
		var out, errs bytes.Buffer
		err := instructorCommand(ctx, args, stdinWith(t, stdin), &out, &errs, getenv)
		return out.String() + errs.String(), err
	}

	if _, err := run("long enough password\n", "add", "--email", "Teacher@School.example"); err != nil {
		t.Fatalf("add: %v", err)
	}
	if _, err := run("another password\n", "add", "--email", "teacher@school.example"); fault.ErrorCode(err) != fault.ECONFLICT {
		t.Fatalf("second add of the same email: err = %v, want conflict", err)
	}
	if _, err := run("short\n", "add", "--email", "b@school.example"); fault.ErrorCode(err) != fault.EINVALID {
		t.Fatalf("short password: err = %v, want invalid", err)
	}
	if _, err := run("", "add", "--email", "c@school.example"); err == nil {
		t.Fatal("add without a password succeeded")
	}
	if _, err := run("x\n", "add"); err == nil || !strings.Contains(err.Error(), "--email") {
		t.Fatalf("add without --email: err = %v", err)
	}
	if _, err := run("x\n", "remove", "--email", "a@b.c"); err == nil {
		t.Fatal("an unknown subcommand succeeded")
	}
	out, err := run("", "list")
	if err != nil || !strings.Contains(out, "teacher@school.example") {
		t.Fatalf("list = %q, %v", out, err)
	}

	// The account works, with the password as typed (a final newline is
	// not part of it), and passwd replaces it.
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := classroom.NewAccounts(st)
	if _, _, err := svc.Login(ctx, "teacher@school.example", "long enough password"); err != nil {
		t.Fatalf("login with the added password: %v", err)
	}
	if _, err := run("a brand new password\r\n", "passwd", "--email", "teacher@school.example"); err != nil {
		t.Fatalf("passwd: %v", err)
	}
	if _, _, err := svc.Login(ctx, "teacher@school.example", "long enough password"); err == nil {
		t.Fatal("the old password still works")
	}
	if _, _, err := svc.Login(ctx, "teacher@school.example", "a brand new password"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
}

func TestInstructorCommandNeedsADatabase(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := instructorCommand(context.Background(), []string{"add", "--email", "a@b.example"},
		stdinWith(t, "long enough password\n"), &out, &out, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("err = %v, want one naming DATABASE_URL", err)
	}
}
