package classroom

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"golang.org/x/crypto/bcrypt"
)

func TestCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if !ValidCode(c) {
			t.Fatalf("NewCode() = %q is not a valid code", c)
		}
		if strings.ContainsAny(c, "0O1IL") {
			t.Fatalf("code %q has an ambiguous character", c)
		}
		seen[c] = true
	}
	if len(seen) < 1990 {
		t.Fatalf("only %d distinct codes in 2000", len(seen))
	}
	for in, want := range map[string]string{"abc-def": "ABCDEF", " abc def ": "ABCDEF", "ABC.DEF": "ABCDEF", "x": "X"} {
		if got := NormalizeCode(in); got != want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "ABCDE", "ABCDEFG", "ABCDE0", "ABCDEO", "ABCDE1", "ABCDEI", "ABCDEL", "abcdef"} {
		if ValidCode(bad) {
			t.Errorf("ValidCode(%q) = true", bad)
		}
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"  Ana  ": "Ana", "Ana\t Maria": "Ana Maria", "Zoë": "Zoë"} {
		if got, err := cleanText(in, 40, "Your name"); err != nil || got != want {
			t.Errorf("cleanText(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "   ", strings.Repeat("é", 41), "a\x00b", "a\u200bb", "\xff"} {
		if _, err := cleanText(bad, 40, "Your name"); fault.ErrorCode(err) != fault.EINVALID {
			t.Errorf("cleanText(%q): err = %v, want invalid", bad, err)
		}
	}
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	if _, err := HashPassword("short"); fault.ErrorCode(err) != fault.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if _, err := HashPassword(strings.Repeat("x", MaxPassword+1)); fault.ErrorCode(err) != fault.EINVALID {
		t.Fatalf("long password: %v", err)
	}
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(h)); cost != passwordCost {
		t.Fatalf("cost = %d", cost)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse battery")) != nil {
		t.Fatal("the hash does not match its password")
	}
	for _, bad := range []string{"nobody", "a@b@c", "Name <a@b.example>", ""} {
		if _, err := normalizeEmail(bad); err == nil {
			t.Errorf("normalizeEmail(%q) accepted", bad)
		}
	}
	if e, _ := normalizeEmail(" Teacher@School.Example "); e != "teacher@school.example" {
		t.Errorf("normalizeEmail = %q", e)
	}
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	sections := []SectionInfo{{ID: "a", Title: "First"}, {ID: "b", Title: "=Second"}}
	learners := []*Learner{{Name: "=HYPERLINK(\"x\")", JoinedAt: at, LastActivityAt: at, SessionStatus: "running",
		Sections: []LearnerSection{
			{ID: "a", Status: "done", Attempts: 2, FirstSeenAt: at, UpdatedAt: at, CompletedAt: at},
			{ID: "b", Status: "failed", Attempts: 1, FirstSeenAt: at, UpdatedAt: at, Hint: "-not yet, \"quoted\""},
		}}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, sections, learners); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0]) != len(CSVHeader) {
		t.Fatalf("rows = %v", rows)
	}
	want := []string{`'=HYPERLINK("x")`, "2026-03-01T09:30:00Z", "2026-03-01T09:30:00Z", "running",
		"b", "'=Second", "failed", "1", "2026-03-01T09:30:00Z", "2026-03-01T09:30:00Z", "", `'-not yet, "quoted"`, ""}
	if strings.Join(rows[2], "|") != strings.Join(want, "|") {
		t.Fatalf("second row\n got %q\nwant %q", rows[2], want)
	}
}
