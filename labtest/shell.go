package labtest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/labplay/playground/client"
)

// tailLines is how many of a terminal's last lines a failure shows.
const tailLines = 15

// attachWait bounds how long a node's terminal takes to attach and replay
// its scrollback.
const attachWait = time.Minute

// shell is the terminal of one node, typed into as the page's Run button
// does.
type shell struct {
	node string
	term *client.Terminal
	seq  int // the markers typed so far
}

// attach opens the terminal of every node of the session.
func attach(ctx context.Context, c *client.Client, s *client.Session) (map[string]*shell, error) {
	shells := map[string]*shell{}
	for _, n := range s.Nodes {
		term, err := c.Terminal(ctx, s.ID, n.Name)
		if err != nil {
			closeShells(shells)
			return nil, fmt.Errorf("attach to %s's terminal: %w", n.Name, err)
		}
		shells[n.Name] = &shell{node: n.Name, term: term}
		// Wide enough that a marker's output is never wrapped.
		if err := term.Resize(200, 50); err != nil {
			closeShells(shells)
			return nil, fmt.Errorf("size %s's terminal: %w", n.Name, err)
		}
		if err := term.WaitReplayed(attachWait); err != nil {
			closeShells(shells)
			return nil, fmt.Errorf("%s's terminal: %w", n.Name, err)
		}
	}
	return shells, nil
}

// closeShells closes the terminals' websockets; the shells live on in the
// nodes.
func closeShells(shells map[string]*shell) {
	for _, sh := range shells {
		sh.term.Close()
	}
}

// errBlockTimeout is the error of a block that did not give the prompt
// back in time.
var errBlockTimeout = errors.New("the command did not give the prompt back")

// Retyping the marker: after the first quiet wait, then twice as long each
// time, up to the longest.
const (
	firstQuiet   = 500 * time.Millisecond
	longestQuiet = 16 * time.Second
)

// run types command followed by a line break, as the Run button does, then
// a marker command, and waits until the marker's output appears after the
// point where the command was typed: the command has finished and a shell
// reads the terminal again. The marker's output ("LT:end:N") differs from
// its typed text, so its echo does not count; and it runs in whatever shell
// has the terminal, so a block that opens a shell in a container (docker
// run -ti alpine sh) finishes when that shell is ready for the next block.
//
// A command that forwards the terminal while it runs (docker exec -it,
// docker compose exec) takes the marker typed ahead to its own program,
// where it is lost when that program ends. So while the terminal stays
// quiet and no marker has answered, the same marker is typed again, after
// waits that double: a quiet command that reads nothing ends up with a few
// markers queued, which all answer with the same output.
//
// A command still running after timeout gives errBlockTimeout.
func (sh *shell) run(ctx context.Context, command string, timeout time.Duration) error {
	sh.seq++
	start := sh.term.Len()
	marker := fmt.Sprintf("printf 'LT:%%s:%%d\\n' end %d\r", sh.seq)
	want := fmt.Sprintf("LT:end:%d", sh.seq)
	if err := sh.term.Send(command + "\r" + marker); err != nil {
		return fmt.Errorf("type into %s's terminal: %w", sh.node, err)
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	quiet, seen := firstQuiet, sh.term.Len()
	for {
		qctx, qcancel := context.WithTimeout(wctx, quiet)
		err := sh.term.WaitOutputAfterContext(qctx, start, want)
		qcancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case wctx.Err() != nil:
			return fmt.Errorf("%w within %s", errBlockTimeout, timeout)
		case !errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("%s's terminal: %w", sh.node, err)
		}
		if n := sh.term.Len(); n != seen {
			seen = n // still printing: not yet
			continue
		}
		if err := sh.term.Send(marker); err != nil {
			return fmt.Errorf("type into %s's terminal: %w", sh.node, err)
		}
		quiet = min(2*quiet, longestQuiet)
	}
}

// tail returns the terminal's last lines as a person would read them on
// the screen, roughly: escape sequences removed, and each line as its last
// carriage return left it.
func (sh *shell) tail() string {
	return screenTail(sh.term.Output(), tailLines)
}

// escapes matches the terminal's escape sequences (CSI, OSC and the
// two-byte ones) and the control characters other than line ends.
var escapes = regexp.MustCompile("\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)|\x1b[@-Z\\\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

// markerLine matches the lines of the markers this package types, and of
// their output, which a failure's tail leaves out: they are not the lab's.
var markerLine = regexp.MustCompile(`printf 'LT:%s:%d\\n' end [0-9]+$|^LT:end:[0-9]+$`)

// screenTail returns the last n non-blank lines of terminal output, cleaned
// of escape sequences and of the markers' lines.
func screenTail(out string, n int) string {
	out = escapes.ReplaceAllString(out, "")
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimRight(l, "\r")
		if i := strings.LastIndex(l, "\r"); i >= 0 {
			l = l[i+1:]
		}
		if strings.TrimSpace(l) != "" && !markerLine.MatchString(strings.TrimSpace(l)) {
			lines = append(lines, strings.TrimRight(l, " "))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
