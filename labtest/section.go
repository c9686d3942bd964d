package labtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/ctxtime"
)

// byHand is the note of a section with a check and no block.
const byHand = "no run block: the learner does this by hand"

// quizNote is the note of a section with quizzes, which lab test leaves
// unanswered: their answers never leave the server, and the section's
// checks are what it tests.
func quizNote(sec client.LabSection) string {
	ids := make([]string, len(sec.Quizzes))
	for i, q := range sec.Quizzes {
		ids[i] = q.ID
	}
	if len(ids) == 0 {
		return ""
	}
	return "quizzes left to the learner: " + strings.Join(ids, ", ")
}

// runner runs the lab's sections in one session, in order.
type runner struct {
	opts   *Options
	c      *client.Client
	lang   string
	sid    string
	shells map[string]*shell
	last   string // the node the last block ran on, whose terminal a failure shows
}

// section runs one section: its checks, which must fail; its blocks, in
// order; its checks again, which must pass within Options.CheckWait. It
// reports whether the run can go on: not after a block or a check that
// failed, since the next sections build on this one's state. A check that
// passes too early is a failure too, but the run goes on.
func (r *runner) section(ctx context.Context, sec client.LabSection) (res *SectionResult, goOn bool) {
	started := time.Now()
	res = &SectionResult{ID: sec.ID, Title: sec.Title, Before: checkNone, After: checkNone, Of: len(sec.Blocks)}
	defer func() { res.Duration = time.Since(started) }()
	fail := func(message, output, node string) {
		if res.Failure != nil {
			return
		}
		f := &Failure{Lang: r.lang, Section: sec.ID, Title: sec.Title, Message: message, Output: output, Node: node}
		if sh := r.shells[node]; sh != nil {
			f.Tail = sh.tail()
		}
		res.Failure = f
	}

	if sec.HasSetup {
		if err := r.start(ctx, sec.ID); err != nil {
			res.Before, res.After = r.errorState(ctx), checkSkipped
			fail(err.Error(), "", r.last)
			return res, false
		}
	}

	if sec.HasCheck {
		cr, err := r.check(ctx, sec.ID)
		switch {
		case err != nil:
			res.Before, res.After = r.errorState(ctx), checkSkipped
			fail("its check could not run before its blocks: "+err.Error(), "", "")
			return res, false
		case cr.Passed:
			res.Before = checkEarly
			fail("its check passes before the section's blocks have run, so it cannot tell whether the learner did the section", "", "")
		default:
			res.Before = checkFailed
		}
		if len(sec.Blocks) == 0 {
			res.After, res.Note = checkByHand, byHand
			return res, true
		}
	}

	for _, b := range sec.Blocks {
		if err := r.block(ctx, b); err != nil {
			res.After = checkSkipped
			if ctx.Err() != nil {
				res.After = checkStopped
			}
			fail(err.Error(), "", r.last)
			return res, false
		}
		res.Blocks++
	}

	if !sec.HasCheck {
		// Acknowledged, as the page's Mark as done does.
		if _, err := r.check(ctx, sec.ID); err != nil {
			res.After = r.errorState(ctx)
			fail("acknowledging it failed: "+err.Error(), "", "")
			return res, false
		}
		res.After = checkAck
		res.Note = quizNote(sec)
		return res, true
	}
	deadline := time.Now().Add(r.opts.CheckWait)
	for {
		cr, err := r.check(ctx, sec.ID)
		if err != nil {
			res.After = r.errorState(ctx)
			fail("its check could not run after its blocks: "+err.Error(), "", r.last)
			return res, false
		}
		if cr.Passed {
			res.After = checkPassed
			res.Note = quizNote(sec)
			return res, true
		}
		if time.Now().After(deadline) {
			res.After = checkStill
			fail(fmt.Sprintf("its check still fails %s after its blocks ran", r.opts.CheckWait), cr.Output, r.last)
			return res, false
		}
		// Swarm state converges a moment after a command returns.
		if err := ctxtime.Sleep(ctx, pause); err != nil {
			res.After = checkStopped
			return res, false
		}
	}
}

// errorState is what the table says of a check that did not answer: the
// run was stopped, or the server failed.
func (r *runner) errorState(ctx context.Context) string {
	if ctx.Err() != nil {
		return checkStopped
	}
	return checkError
}

// start opens a section as the page does when the learner reaches it: its
// hidden setups run (waited for here, so that its checks see their work)
// and its terminal setups are typed into their terminals like run blocks.
func (r *runner) start(ctx context.Context, section string) error {
	st, err := patiently(ctx, func() (*client.SectionStart, error) { return r.c.StartSection(ctx, r.sid, section, true) })
	if err != nil {
		return fmt.Errorf("opening it (its setups) failed: %w", err)
	}
	for _, su := range st.Setups {
		if !su.Passed {
			return fmt.Errorf("a setup of section %s failed on %s; the server's log has its output", su.Section, su.Node)
		}
	}
	for _, t := range st.Terminal {
		sh := r.shells[t.Node]
		if sh == nil {
			return fmt.Errorf("a terminal setup runs on %q, which is not a node of the session", t.Node)
		}
		r.last = t.Node
		if err := sh.run(ctx, t.Command, r.opts.BlockTimeout); err != nil {
			return fmt.Errorf("terminal setup on %s (%s): %w", t.Node, firstLine(t.Command), err)
		}
	}
	return nil
}

// check checks a section, as the page's Check button does.
func (r *runner) check(ctx context.Context, section string) (*client.CheckResult, error) {
	return patiently(ctx, func() (*client.CheckResult, error) { return r.c.Check(ctx, r.sid, section) })
}

// block runs one block: a file block is written with the files API, a run
// block is resolved by the server and typed into its node's terminal.
func (r *runner) block(ctx context.Context, b client.LabBlock) error {
	if b.Path != "" {
		return r.writeFile(ctx, b)
	}
	r.last = b.Node
	res, err := r.resolve(ctx, b.ID)
	if err != nil {
		return fmt.Errorf("run block %s on %s: the server could not resolve it: %w", b.ID, b.Node, err)
	}
	sh := r.shells[res.Node]
	if sh == nil {
		return fmt.Errorf("run block %s runs on %q, which is not a node of the session", b.ID, res.Node)
	}
	r.last = res.Node
	if err := sh.run(ctx, res.Command, r.opts.BlockTimeout); err != nil {
		return fmt.Errorf("run block %s on %s (%s): %w", b.ID, res.Node, firstLine(res.Command), err)
	}
	return nil
}

// resolve resolves a run block. A block that needs a value the nodes do
// not have yet (409) is asked again for up to Options.CheckWait, like a
// learner clicking Run once more after the swarm has settled.
func (r *runner) resolve(ctx context.Context, block string) (*client.Resolved, error) {
	deadline := time.Now().Add(r.opts.CheckWait)
	for {
		res, err := patiently(ctx, func() (*client.Resolved, error) { return r.c.Resolve(ctx, r.sid, block) })
		if err == nil || !isConflict(err) || time.Now().After(deadline) {
			return res, err
		}
		if err := ctxtime.Sleep(ctx, pause); err != nil {
			return nil, err
		}
	}
}

// writeFile writes a file block on its node as the page's Write button
// does: a relative path starts from /root, and the content ends with a
// line break.
func (r *runner) writeFile(ctx context.Context, b client.LabBlock) error {
	path := b.Path
	if !strings.HasPrefix(path, "/") {
		path = "/root/" + path
	}
	content := b.Command
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	r.last = b.Node
	_, err := patiently(ctx, func() (*client.FileInfo, error) {
		return r.c.Upload(ctx, r.sid, b.Node, path, strings.NewReader(content), int64(len(content)))
	})
	if err != nil {
		return fmt.Errorf("file block %s: writing %s on %s failed: %w", b.ID, path, b.Node, err)
	}
	return nil
}

// firstLine returns the first line of a command, shortened, to name it in
// a message.
func firstLine(command string) string {
	line, _, more := strings.Cut(command, "\n")
	if r := []rune(line); len(r) > 60 {
		line, more = string(r[:57]), true
	}
	if more {
		line += " ..."
	}
	return line
}
