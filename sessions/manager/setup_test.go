package manager

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// setupLab is a one-node lab whose sections a to d have setups that each
// leave a line in /root/setups.log.
func setupLab(t *testing.T) *labs.Lab {
	t.Helper()
	meta := "---\nslug: one-node\ntitle: Setups\nlanguages: en\nnodes: node1\nimages:\n---\n" +
		"\n```setup a node1\necho a >> /root/setups.log\n```\n" +
		"\n```setup b node1\necho b >> /root/setups.log\n```\n" +
		"\n```setup b node1 terminal\necho typed-b\n```\n" +
		"\n```setup c node1\nsleep 2; echo c >> /root/setups.log\n```\n" +
		"\n```setup d node1\necho d >> /root/setups.log; exit 3\n```\n"
	en := "# A {#a}\n\nText.\n\n# B {#b}\n\nText.\n\n# C {#c}\n\nText.\n\n# D {#d}\n\nText.\n\n# E {#e}\n\nNo setup.\n"
	lab, err := labs.LoadLab(fstest.MapFS{
		"one-node/lab.md": {Data: []byte(meta)},
		"one-node/en.md":  {Data: []byte(en)},
	}, "one-node")
	if err != nil {
		t.Fatal(err)
	}
	return lab
}

// A section's setups run in its node when the section is first opened,
// after those of the sections before it, once per session; a terminal
// setup comes back once, for the page to type; a failed setup is reported
// to a caller that waits, and the run goes on.
func TestStartSectionRunsSetups(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs}, engine.Config{})
	ctx := context.Background()
	lab := setupLab(t)
	s := env.startOne(t, "setup-learner")
	log := func() string {
		t.Helper()
		out, code, err := env.engine.Exec(ctx, s.Nodes[0].ContainerID, "cat /root/setups.log 2>/dev/null; true", 10*time.Second)
		if err != nil || code != 0 {
			t.Fatalf("read the log: %v (exit %d)", err, code)
		}
		return strings.Join(strings.Fields(out), " ")
	}
	if got := log(); got != "" {
		t.Fatalf("setups ran before any section was opened: %q", got)
	}

	// Opening b runs a's setup, then b's; b's terminal setup comes back.
	res, err := env.m.StartSection(ctx, s, lab, "b", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := log(); got != "a b" {
		t.Fatalf("after opening b the log is %q, want \"a b\"", got)
	}
	if !slices.Equal(res.Terminal, []sessions.NodeCommand{{Node: "node1", Command: "echo typed-b"}}) {
		t.Errorf("terminal setups: %+v", res.Terminal)
	}
	if !slices.Equal(res.Setups, []sessions.SetupResult{{Section: "a", Node: "node1", Passed: true}, {Section: "b", Node: "node1", Passed: true}}) {
		t.Errorf("setups: %+v", res.Setups)
	}

	// Opened again, b and a run nothing and type nothing.
	for _, sec := range []string{"b", "a"} {
		res, err := env.m.StartSection(ctx, s, lab, sec, true)
		if err != nil || len(res.Terminal) != 0 || len(res.Setups) != 0 {
			t.Errorf("opening %s again: %+v, %v", sec, res, err)
		}
	}
	if got := log(); got != "a b" {
		t.Fatalf("opening again ran setups again: %q", got)
	}

	// Without wait, the answer comes at once and the setup runs behind it;
	// a caller that waits then waits for that run too.
	res, err = env.m.StartSection(ctx, s, lab, "c", false)
	if err != nil || res.Setups != nil {
		t.Fatalf("opening c without waiting: %+v, %v", res, err)
	}
	if _, err := env.m.StartSection(ctx, s, lab, "c", true); err != nil {
		t.Fatal(err)
	}
	if got := log(); got != "a b c" {
		t.Fatalf("after c the log is %q", got)
	}

	// A failing setup says so to a caller that waits.
	res, err = env.m.StartSection(ctx, s, lab, "e", true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Setups, []sessions.SetupResult{{Section: "d", Node: "node1", Passed: false}}) {
		t.Errorf("opening e (after d, which fails): %+v", res.Setups)
	}
	if got := log(); got != "a b c d" {
		t.Fatalf("after d the log is %q", got)
	}

	_, err = env.m.StartSection(ctx, s, lab, "nope", false)
	wantCode(t, "unknown section", err, fault.ENOTFOUND)

	// Another session of the same lab starts from nothing: setups are per
	// session.
	s2 := env.startOne(t, "setup-learner-2")
	res, err = env.m.StartSection(ctx, s2, lab, "a", true)
	if err != nil || len(res.Setups) != 1 {
		t.Fatalf("a in a second session: %+v, %v", res, err)
	}
}
