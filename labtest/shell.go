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

// run types command followed by a line break, as the Run button does, then
// a marker command, and waits until the marker's output appears after the
// point where the command was typed: the command has finished and a shell
// reads the terminal again. The marker's output ("LT:end:N") differs from
// its typed text, so its echo does not count; and it runs in whatever shell
// has the terminal, so a block that opens a shell in a container (docker
// run -ti alpine sh) finishes when that shell is ready for the next block.
// A command still running after timeout gives errBlockTimeout.
func (sh *shell) run(ctx context.Context, command string, timeout time.Duration) error {
	sh.seq++
	start := sh.term.Len()
	if err := sh.term.Send(command + "\r"); err != nil {
		return fmt.Errorf("type into %s's terminal: %w", sh.node, err)
	}
	if err := sh.term.Send(fmt.Sprintf("printf 'LT:%%s:%%d\\n' end %d\r", sh.seq)); err != nil {
		return fmt.Errorf("type into %s's terminal: %w", sh.node, err)
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := sh.term.WaitOutputAfterContext(wctx, start, fmt.Sprintf("LT:end:%d", sh.seq))
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w within %s", errBlockTimeout, timeout)
	default:
		return fmt.Errorf("%s's terminal: %w", sh.node, err)
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

// screenTail returns the last n non-blank lines of terminal output, cleaned
// of escape sequences.
func screenTail(out string, n int) string {
	out = escapes.ReplaceAllString(out, "")
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimRight(l, "\r")
		if i := strings.LastIndex(l, "\r"); i >= 0 {
			l = l[i+1:]
		}
		if strings.TrimSpace(l) != "" {
			lines = append(lines, strings.TrimRight(l, " "))
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
