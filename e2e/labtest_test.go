package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labplay/playground/labs"
)

// labTestRun is one run of "playground lab test": what it printed on each
// stream and how it exited.
type labTestRun struct {
	stdout, stderr string
	err            error // nil for exit status 0
}

// runLabTest runs "playground lab test" with args against the harness's
// server, and gives it at most limit.
func runLabTest(t *testing.T, h *harness, limit time.Duration, args ...string) labTestRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.bin, append([]string{"lab", "test", "--server", h.base}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("lab test %v did not end within %s\nstdout:\n%s\nstderr:\n%s", args, limit, &stdout, &stderr)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("lab test %v: %v", args, err)
	}
	return labTestRun{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// row matches the table row of a section: its checks before, its blocks
// and its checks after.
func row(section, before, blocks, after string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(section) + ` +` + regexp.QuoteMeta(before) + ` +` +
		regexp.QuoteMeta(blocks) + ` +` + regexp.QuoteMeta(after) + ` +[0-9.]+$`)
}

// Every built-in lab passes "playground lab test" in every language, as a
// learner would do it: every check fails before its section's blocks and
// passes after them, and the table lists every section. This is how CI
// learns that a lab stopped working (an image moved, a flag changed).
func TestLabTestBuiltin(t *testing.T) {
	// Two labs at a time (go test's -parallel is the number of CPUs), each
	// run as another learner from this one address: the per-address cap
	// and start rate are lifted, as for a workshop behind one router.
	h := newHarness(t, "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=0")
	t.Run("labs", func(t *testing.T) {
		for _, lab := range labs.Builtin().List() {
			t.Run(lab.Slug, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				run := runLabTest(t, h, 10*time.Minute, lab.Slug)
				if run.err != nil {
					t.Fatalf("lab test %s: %v\nstdout:\n%s\nstderr:\n%s", lab.Slug, run.err, run.stdout, run.stderr)
				}
				t.Logf("%s in %s: %.1f s\n%s", lab.Slug, strings.Join(lab.Langs, " and "), time.Since(start).Seconds(), run.stdout)
				if !strings.Contains(run.stdout, `the lab "`+lab.Slug+`" passed`) {
					t.Errorf("the output does not say the lab passed:\n%s", run.stdout)
				}
				if lab.Slug != "docker-basics" {
					return
				}
				for section, blocks := range map[string]string{"first": "4/4", "publish": "3/3", "logs": "3/3", "exec": "4/4", "cleanup": "5/5"} {
					if !row(section, "failed", blocks, "passed").MatchString(run.stdout) {
						t.Errorf("no row \"%s failed %s passed\" in the table:\n%s", section, blocks, run.stdout)
					}
				}
			})
		}
	})
	if left := h.leftovers(); left != "" {
		t.Errorf("the sessions were not ended: %s", left)
	}
}

// Labs broken on purpose, in the run-time labs folder, fail "playground
// lab test" with the right section named and a message that says what is
// wrong: a check that passes before its section's block, a run block whose
// command fails, a run block that never gives the prompt back. A lab whose
// blocks drive a shell in a container, and a Play with Docker post moved
// over with import-pwd, pass. A lab folder the server does not serve is
// refused with a message that says so, and Ctrl-C ends the session.
func TestLabTestRuntimeLabs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "labs")
	if err := os.CopyFS(dir, os.DirFS("testdata/labtest")); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(playgroundBinary(t), "lab", "import-pwd", "testdata/2020-05-04-two-hosts-one-page.md", "--out", dir).CombinedOutput(); err != nil {
		t.Fatalf("import-pwd: %v\n%s", err, out)
	}
	h := newHarness(t, "PLAYGROUND_LABS_DIR="+dir)

	t.Run("shell in a container", func(t *testing.T) {
		run := runLabTest(t, h, 3*time.Minute, "interactive", "--block-timeout", "1m")
		if run.err != nil || !row("inside", "failed", "3/3", "passed").MatchString(run.stdout) {
			t.Errorf("lab test interactive: %v, want a pass of inside with its 3 blocks\nstdout:\n%s\nstderr:\n%s",
				run.err, run.stdout, run.stderr)
		}
	})

	t.Run("imported post", func(t *testing.T) {
		run := runLabTest(t, h, 3*time.Minute, "two-hosts-one-page", "--block-timeout", "1m")
		if run.err != nil {
			t.Errorf("lab test two-hosts-one-page: %v\nstdout:\n%s\nstderr:\n%s", run.err, run.stdout, run.stderr)
		}
		for _, r := range []*regexp.Regexp{
			regexp.MustCompile(`(?m)^  intro +.* 0 +`),
			regexp.MustCompile(`(?m)^  run-a-web-server +.* 2/2 +`),
			regexp.MustCompile(`(?m)^  reach-it-from-the-second-host +.* 1/1 +`),
		} {
			if !r.MatchString(run.stdout) {
				t.Errorf("no row matching %s in the table:\n%s", r, run.stdout)
			}
		}
	})

	t.Run("check passes too early", func(t *testing.T) {
		// Given as a folder: its slug is read from it.
		run := runLabTest(t, h, 3*time.Minute, filepath.Join(dir, "early-check"))
		wantFailure(t, run, `section "again"`, "passes before the section's blocks have run")
		for _, r := range []*regexp.Regexp{
			row("make", "failed", "1/1", "passed"),
			row("again", "PASSED", "1/1", "passed"),
			row("by-hand", "failed", "0", "by hand"),
		} {
			if !r.MatchString(run.stdout) {
				t.Errorf("no row matching %s in the table:\n%s", r, run.stdout)
			}
		}
		if !strings.Contains(run.stdout, "by-hand: no run block: the learner does this by hand") {
			t.Errorf("the table does not say that by-hand is done by hand:\n%s", run.stdout)
		}
	})

	t.Run("run block fails", func(t *testing.T) {
		run := runLabTest(t, h, 3*time.Minute, "failing-block", "--check-wait", "6s")
		wantFailure(t, run, `section "copy"`, "its check still fails 6s after its blocks ran",
			"No /root/copy.txt yet: run the cp command.", "/root/no-such-file")
		if !row("write", "failed", "2/2", "passed").MatchString(run.stdout) ||
			!row("copy", "failed", "1/1", "FAILED").MatchString(run.stdout) {
			t.Errorf("the table does not show write passing and copy failing:\n%s", run.stdout)
		}
	})

	t.Run("run block never returns", func(t *testing.T) {
		start := time.Now()
		run := runLabTest(t, h, 3*time.Minute, "hanging-block", "--block-timeout", "10s")
		wantFailure(t, run, `section "wait"`, "run block wait-1 on node1", "did not give the prompt back within 10s",
			"sleep 1000 && touch /root/never.txt")
		if !row("wait", "failed", "0/1", "not run").MatchString(run.stdout) {
			t.Errorf("the table does not show wait's block unfinished:\n%s", run.stdout)
		}
		t.Logf("the hanging block failed after %.1f s", time.Since(start).Seconds())
	})

	t.Run("folder not served", func(t *testing.T) {
		other := t.TempDir()
		writeLab(t, other, "not-served", map[string]string{
			"lab.md": "---\nslug: not-served\ntitle: Not served\nlanguages: en\nnodes: node1\n---\n",
			"en.md":  "---\ntitle: Not served\n---\n\n# Only {#only}\n\nText.\n",
		})
		run := runLabTest(t, h, time.Minute, filepath.Join(other, "not-served"))
		wantFailure(t, run, `does not serve the lab "not-served"`, "PLAYGROUND_LABS_DIR")
	})

	t.Run("interrupted", func(t *testing.T) {
		cmd := exec.Command(h.bin, "lab", "test", "--server", h.base, "hanging-block")
		var stdout, stderr lockedBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for !strings.Contains(stderr.String(), "started in") {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no session started within 2 minutes:\n%s", stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(3 * time.Second) // into the block
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("lab test exited with status 0 after Ctrl-C")
			}
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			<-done
			t.Fatalf("lab test still runs a minute after Ctrl-C:\n%s", stderr.String())
		}
		if !row("wait", "failed", "0/1", "stopped").MatchString(stdout.String()) {
			t.Errorf("the table does not show wait stopped:\n%s", stdout.String())
		}
		if left := h.leftovers(); left != "" {
			t.Errorf("the session was not ended after Ctrl-C: %s", left)
		}
	})
}

// wantFailure fails the test unless lab test exited with status 1 and its
// error output holds every one of wants.
func wantFailure(t *testing.T, run labTestRun, wants ...string) {
	t.Helper()
	t.Logf("lab test printed:\n%s\nand on its error output:\n%s", run.stdout, run.stderr)
	var ee *exec.ExitError
	if !errors.As(run.err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("lab test exited with %v, want status 1\nstdout:\n%s\nstderr:\n%s", run.err, run.stdout, run.stderr)
	}
	for _, want := range wants {
		if !strings.Contains(run.stderr, want) {
			t.Errorf("the error output does not say %q:\n%s", want, run.stderr)
		}
	}
}
