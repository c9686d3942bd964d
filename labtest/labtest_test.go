package labtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labplay/playground/client"
)

// The tail of a terminal is what the screen shows: colours, cursor moves
// and line redraws removed, blank lines and markers dropped, the last n
// kept.
func TestScreenTail(t *testing.T) {
	out := "\x1b]0;title\x07~ $ \x1b[32mls\x1b[0m\r\n" +
		"a.txt  b.txt\r\n\r\n" +
		"~ $ sleep 1000\x1b[K\rredrawn line\r\n" +
		"~ $ printf 'LT:%s:%d\\n' end 12\r\nLT:end:12\r\n" +
		"\x1b[?2004hlast\r\n"
	if got, want := screenTail(out, 3), "a.txt  b.txt\nredrawn line\nlast"; got != want {
		t.Errorf("screenTail = %q, want %q", got, want)
	}
	if got := screenTail(out, 10); !strings.HasPrefix(got, "~ $ ls\n") {
		t.Errorf("screenTail keeps %q first, want the prompt and ls without their escapes", got)
	}
}

// A command is named by its first line, shortened, in messages.
func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"docker ps":                    "docker ps",
		"docker run -ti alpine sh\nls": "docker run -ti alpine sh ...",
		strings.Repeat("é", 70):        strings.Repeat("é", 57) + " ...",
	} {
		if got := firstLine(in); got != want {
			t.Errorf("firstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// A lab folder gives its slug, read with the labs package; a name that is
// neither a folder with a lab.md nor a slug is refused.
func TestFindTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hello")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"lab.md": "---\nslug: hello\ntitle: Hello\nlanguages: en\nnodes: node1\n---\n",
		"en.md":  "---\ntitle: Hello\n---\n\n# Only {#only}\n\n```run node1\necho hi\n```\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := findTarget(dir)
	if err != nil || tg.slug != "hello" || tg.lab == nil {
		t.Fatalf("findTarget(folder) = %+v, %v; want the slug hello and its lab", tg, err)
	}
	if tg, err := findTarget("docker-basics"); err != nil || tg.slug != "docker-basics" || tg.lab != nil {
		t.Errorf("findTarget(slug) = %+v, %v; want the slug alone", tg, err)
	}
	for _, bad := range []string{"", "./nowhere/lab", "Not A Slug"} {
		if _, err := findTarget(bad); err == nil {
			t.Errorf("findTarget(%q) took it", bad)
		}
	}
}

// A 429 is waited out for as long as its Retry-After says, then asked
// again; other errors come back at once.
func TestPatientlyWaitsOut429(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":{"code":"rate_limited","message":"wait"}}`))
			return
		}
		w.Write([]byte(`{"passed":true}`))
	}))
	defer srv.Close()
	c := client.New(srv.URL)
	start := time.Now()
	res, err := patiently(context.Background(), func() (*client.CheckResult, error) { return c.Check(context.Background(), "s", "x") })
	if err != nil || !res.Passed || calls.Load() != 2 {
		t.Fatalf("patiently = %+v, %v after %d calls; want a pass on the second", res, err, calls.Load())
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("asked again after %s, before the Retry-After of 1 s", waited)
	}
}

// A failure names its section and language, and shows the check's output
// and the terminal's tail.
func TestFailureError(t *testing.T) {
	f := &Failure{Lang: "en", Section: "copy", Title: "Copy a file", Message: "its check still fails",
		Output: "No copy yet.", Node: "node1", Tail: "~ $ cp a b\ncp: cannot stat 'a'"}
	want := "section \"copy\" (Copy a file) in en: its check still fails\nthe check says: No copy yet.\n" +
		"the end of node1's terminal:\n  ~ $ cp a b\n  cp: cannot stat 'a'"
	if got := f.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}
