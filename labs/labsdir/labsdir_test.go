package labsdir

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/labs"
)

// labFiles returns the files of a one-node lab named slug whose only
// section says text.
func labFiles(slug, text string) map[string]string {
	return map[string]string{
		"lab.md": "---\nslug: " + slug + "\ntitle: Lab " + slug + "\nlanguages: en\nnodes: node1\n---\n",
		"en.md":  "---\ntitle: Lab " + slug + "\n---\n\n# First {#first}\n\n" + text + "\n\n```run node1\necho hi\n```\n",
	}
}

// brokenFiles breaks a lab: its run block is on a node it does not have.
func brokenFiles(slug string) map[string]string {
	f := labFiles(slug, "Broken.")
	f["en.md"] = strings.Replace(f["en.md"], "run node1", "run node9", 1)
	return f
}

func writeLab(t *testing.T, dir, name string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	for file, text := range files {
		// As editors do: a temporary file renamed over the old one.
		tmp := filepath.Join(dir, name, "."+file+".tmp")
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name, file)); err != nil {
			t.Fatal(err)
		}
	}
}

// sectionText returns the HTML of the first section of a lab of c, or ""
// when c does not serve it.
func sectionText(c *labs.Catalog, slug string) string {
	l, err := c.Get(slug)
	if err != nil {
		return ""
	}
	r, err := l.Render("")
	if err != nil {
		return ""
	}
	return r.Sections[0].HTML
}

// quietLog returns a logger into a buffer.
func quietLog() (*slog.Logger, *syncBuffer) {
	b := &syncBuffer{}
	return slog.New(slog.NewTextHandler(b, nil)), b
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A lab added, changed, broken, fixed and removed: each Reload serves the
// latest good version, keeps the last good one of a broken lab and lists
// its problems, and the catalog handed out at Open sees every change.
func TestReloadKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	log, logs := quietLog()
	f := Open(dir, log)
	c := f.Catalog()
	builtinCount := len(labs.Builtin().List())
	if n := len(c.List()); n != builtinCount {
		t.Fatalf("an empty folder serves %d labs, want the %d built-in ones", n, builtinCount)
	}

	writeLab(t, dir, "mine", labFiles("mine", "Version one."))
	if ch := f.Reload(); len(ch.Added) != 1 || ch.Added[0] != "mine" {
		t.Fatalf("added: %+v", ch)
	}
	if got := sectionText(c, "mine"); !strings.Contains(got, "Version one.") {
		t.Fatalf("served: %q", got)
	}
	l1, _ := c.Get("mine")

	writeLab(t, dir, "mine", labFiles("mine", "Version two."))
	if ch := f.Reload(); len(ch.Changed) != 1 {
		t.Fatalf("changed: %+v", ch)
	}
	l2, _ := c.Get("mine")
	if got := sectionText(c, "mine"); !strings.Contains(got, "Version two.") || l1.Version() == l2.Version() {
		t.Fatalf("served after an edit: %q, versions %s and %s", got, l1.Version(), l2.Version())
	}
	if ch := f.Reload(); !ch.Empty() {
		t.Fatalf("a reload of the same files changed %+v", ch)
	}

	writeLab(t, dir, "mine", brokenFiles("mine"))
	f.Reload()
	if got := sectionText(c, "mine"); !strings.Contains(got, "Version two.") {
		t.Fatalf("a broken edit is served, or the last good version is not: %q", got)
	}
	b, ok := c.BrokenLab("mine")
	if !ok || !b.Served || len(b.Problems) == 0 || b.Problems[0].File != "mine/en.md" || b.Problems[0].Line == 0 {
		t.Fatalf("problems of the broken lab: %+v, %v", b, ok)
	}
	if !strings.Contains(logs.String(), filepath.Join(dir, "mine", "en.md")+":") {
		t.Errorf("the log does not name the problem by file:line:\n%s", logs)
	}
	// Its problems are logged once, not at every reload.
	before := strings.Count(logs.String(), "lab refused")
	f.Reload()
	if after := strings.Count(logs.String(), "lab refused"); after != before {
		t.Errorf("the same problems were logged again (%d lines, then %d)", before, after)
	}

	writeLab(t, dir, "mine", labFiles("mine", "Version three."))
	f.Reload()
	if got := sectionText(c, "mine"); !strings.Contains(got, "Version three.") {
		t.Fatalf("the fixed lab is not served: %q", got)
	}
	if bs := c.Broken(); len(bs) != 0 {
		t.Fatalf("a fixed lab is still listed as broken: %+v", bs)
	}

	if err := os.RemoveAll(filepath.Join(dir, "mine")); err != nil {
		t.Fatal(err)
	}
	if ch := f.Reload(); len(ch.Removed) != 1 {
		t.Fatalf("removed: %+v", ch)
	}
	if _, err := c.Get("mine"); err == nil {
		t.Fatal("a removed lab is still served")
	}
	if n := len(c.List()); n != builtinCount {
		t.Fatalf("%d labs served after the removal, want %d", n, builtinCount)
	}
}

// A lab never seen good is not served, but its problems are listed.
func TestBrokenFromTheStart(t *testing.T) {
	dir := t.TempDir()
	writeLab(t, dir, "bad", brokenFiles("bad"))
	log, _ := quietLog()
	c := Open(dir, log).Catalog()
	if _, err := c.Get("bad"); err == nil {
		t.Fatal("a lab that never passed lint is served")
	}
	if b, ok := c.BrokenLab("bad"); !ok || b.Served || len(b.Problems) == 0 {
		t.Fatalf("problems: %+v, %v", b, ok)
	}
}

// A lab of the folder with a built-in lab's slug replaces it; removed, the
// built-in one comes back; the shared built-in labs never change.
func TestBuiltinReplacedAndRestored(t *testing.T) {
	const slug = "docker-basics"
	dir := t.TempDir()
	writeLab(t, dir, slug, labFiles(slug, "The teacher's own."))
	log, _ := quietLog()
	f := Open(dir, log)
	c := f.Catalog()
	if got := sectionText(c, slug); !strings.Contains(got, "The teacher's own.") {
		t.Fatalf("the run-time lab does not replace the built-in one: %q", got)
	}
	if got := sectionText(labs.Builtin(), slug); strings.Contains(got, "The teacher's own.") {
		t.Fatal("the built-in catalog was changed")
	}
	if err := os.RemoveAll(filepath.Join(dir, slug)); err != nil {
		t.Fatal(err)
	}
	f.Reload()
	builtin, _ := labs.Builtin().Get(slug)
	if l, err := c.Get(slug); err != nil || l != builtin {
		t.Fatalf("the built-in lab is not back: %v, %v", l, err)
	}
}

// A lab folder linked into the labs folder is read through the link, as
// "playground lab preview" serves one.
func TestSymlinkedLab(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	writeLab(t, src, "linked", labFiles("linked", "Through a link."))
	if err := os.Symlink(filepath.Join(src, "linked"), filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	log, _ := quietLog()
	if got := sectionText(Open(dir, log).Catalog(), "linked"); !strings.Contains(got, "Through a link.") {
		t.Fatalf("served: %q", got)
	}
}

// Watch reads the folder again after a save, in a new folder too, and
// through a linked folder, and returns when its context ends.
func TestWatch(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	writeLab(t, src, "linked", labFiles("linked", "Linked one."))
	if err := os.Symlink(filepath.Join(src, "linked"), filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	log, logs := quietLog()
	f := Open(dir, log)
	c := f.Catalog()
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan Change, 16)
	done := make(chan error, 1)
	go func() { done <- f.Watch(ctx, func(ch Change) { changes <- ch }) }()
	waitLog(t, logs, "watching the run-time labs folder")

	wait := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen within 10 s; log:\n%s", what, logs)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	writeLab(t, dir, "fresh", labFiles("fresh", "Fresh one."))
	wait("a lab in a new folder", func() bool { return strings.Contains(sectionText(c, "fresh"), "Fresh one.") })
	writeLab(t, dir, "fresh", labFiles("fresh", "Fresh two."))
	wait("an edit in the new folder", func() bool { return strings.Contains(sectionText(c, "fresh"), "Fresh two.") })
	writeLab(t, src, "linked", labFiles("linked", "Linked two."))
	wait("an edit through a link", func() bool { return strings.Contains(sectionText(c, "linked"), "Linked two.") })
	// The linked folder replaced as a whole, as a checkout does: its new
	// folder is watched in turn.
	os.RemoveAll(filepath.Join(src, "linked"))
	writeLab(t, src, "linked", labFiles("linked", "Linked three."))
	wait("the linked folder replaced", func() bool { return strings.Contains(sectionText(c, "linked"), "Linked three.") })
	writeLab(t, src, "linked", labFiles("linked", "Linked four."))
	wait("an edit in the replaced folder", func() bool { return strings.Contains(sectionText(c, "linked"), "Linked four.") })
	writeLab(t, dir, "fresh", brokenFiles("fresh"))
	wait("a broken edit listed", func() bool { _, ok := c.BrokenLab("fresh"); return ok })
	if !strings.Contains(sectionText(c, "fresh"), "Fresh two.") {
		t.Fatal("the last good version is not served")
	}
	os.RemoveAll(filepath.Join(dir, "fresh"))
	wait("a removal", func() bool { _, err := c.Get("fresh"); return err != nil })
	if len(changes) == 0 {
		t.Error("changed was never called")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return when its context ended")
	}
}

func waitLog(t *testing.T, logs *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", want, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
