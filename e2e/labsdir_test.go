package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pgclient "github.com/labplay/playground/client"
)

// runtimeLab is a one-node lab written into the run-time labs folder.
var runtimeLab = map[string]string{
	"lab.md": `---
slug: hello-runtime
title: A lab added at run time
languages: en
nodes: node1
---

` + "```check hello node1\ntest -f /root/hello.txt || { echo 'Create /root/hello.txt first.'; exit 1; }\n```\n",
	"en.md": `---
title: A lab added at run time
---

# Say hello {#hello}

Create a file:

` + "```run node1\ntouch /root/hello.txt\n```\n",
}

// brokenLab fails lint twice: a sixth node, and a run block on a node the
// lab does not have.
var brokenLab = map[string]string{
	"lab.md": "---\nslug: broken\ntitle: Broken\nlanguages: en\nnodes: node1 node2 node3 node4 node5 node6\n---\n",
	"en.md":  "---\ntitle: Broken\n---\n\n# Only {#only}\n\nText.\n\n```run node7\necho no\n```\n",
}

// writeLab writes the files of a lab into dir/name.
func writeLab(t *testing.T, dir, name string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
	for file, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name, file), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A lab put into PLAYGROUND_LABS_DIR is served by the next start, without a
// rebuild, beside the built-in ones, and runs with its own node count and
// checks; a lab there that fails lint is refused with its file:line
// problems in the log, and the server starts anyway.
func TestRuntimeLabsFolder(t *testing.T) {
	dir := t.TempDir()
	writeLab(t, dir, "hello-runtime", runtimeLab)
	writeLab(t, dir, "broken", brokenLab)
	h := newHarness(t, "PLAYGROUND_LABS_DIR="+dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := pgclient.New(h.base)

	var list struct {
		Labs []struct {
			Slug  string   `json:"slug"`
			Nodes []string `json:"nodes"`
		} `json:"labs"`
	}
	if _, err := c.Do(ctx, "GET", "/api/labs", nil, &list); err != nil {
		t.Fatal(err)
	}
	slugs := map[string]int{}
	for _, l := range list.Labs {
		slugs[l.Slug] = len(l.Nodes)
	}
	if slugs["hello-runtime"] != 1 || slugs["docker-orchestration"] != 3 {
		t.Errorf("labs served: %v; want hello-runtime (1 node) beside the built-in docker-orchestration", slugs)
	}
	if _, ok := slugs["broken"]; ok {
		t.Error("the lab that fails lint is served")
	}
	logs := h.logs.String()
	for _, want := range []string{
		filepath.Join(dir, "broken", "lab.md") + ":5:",
		filepath.Join(dir, "broken", "en.md") + ":9:",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log does not name the problem at %s:\n%s", want, logs)
		}
	}

	s, err := c.CreateSession(ctx, "hello-runtime", "en")
	if err != nil {
		t.Fatal(err)
	}
	defer c.DeleteSession(context.Background(), s.ID)
	if len(s.Nodes) != 1 {
		t.Fatalf("the run-time lab's session has %d nodes, want 1", len(s.Nodes))
	}
	if r, err := c.Check(ctx, s.ID, "hello"); err != nil || r.Passed || !strings.Contains(r.Output, "Create /root/hello.txt") {
		t.Fatalf("check before the step = %+v, %v; want a failure with the lab's hint", r, err)
	}
	if _, err := c.Upload(ctx, s.ID, "node1", "/root/hello.txt", strings.NewReader(""), 0); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Check(ctx, s.ID, "hello"); err != nil || !r.Passed {
		t.Fatalf("check after the step = %+v, %v; want passed", r, err)
	}
}
