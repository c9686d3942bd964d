package agent

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/labplay/playground/fault"
)

// TerminalOptions describe the shell of every terminal and the buffers kept
// for it.
type TerminalOptions struct {
	// Shell is the command line of the shell, e.g. ["bash", "-l"].
	Shell []string
	// Dir is the shell's working directory.
	Dir string
	// Env is added to the agent's environment for the shell, KEY=value
	// pairs replacing inherited ones.
	Env []string
	// Scrollback is the number of output bytes kept and replayed on attach.
	Scrollback int
	// Backlog is how many bytes of output may wait for one client before
	// it is disconnected as too slow.
	Backlog int
}

// termState is where a terminal is in its life.
type termState int

const (
	// stateRunning: a shell runs (or is being replaced); clients may attach.
	stateRunning termState = iota
	// stateClosing: Close was called; the shell is being stopped.
	stateClosing
	// stateClosed: the shell is gone and every client has been let go.
	stateClosed
)

// Startup backoff for a shell that keeps exiting at once.
const (
	minRestartDelay = 100 * time.Millisecond
	maxRestartDelay = 5 * time.Second
	// shortLife is how long a shell must live for the restart delay to reset.
	shortLife = time.Second
)

// terminal is a named shell in a pty that outlives its clients. It keeps a
// scrollback, fans output out to every attached client, and starts a new
// shell whenever the current one exits.
type terminal struct {
	name   string
	opts   TerminalOptions
	reaper *Reaper
	log    *slog.Logger

	mu      sync.Mutex
	state   termState
	ring    *ring
	clients map[*client]struct{}
	sh      *shell // nil while a new shell is being started
	size    Size

	stop chan struct{} // closed by Close
	done chan struct{} // closed when the terminal's goroutine has ended
}

// newTerminal starts a terminal and its first shell.
func newTerminal(name string, opts TerminalOptions, reaper *Reaper, log *slog.Logger) (*terminal, error) {
	t := &terminal{
		name:    name,
		opts:    opts,
		reaper:  reaper,
		log:     log.With("term", name),
		ring:    newRing(opts.Scrollback),
		clients: make(map[*client]struct{}),
		size:    Size{Cols: 80, Rows: 24},
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	sh, err := startShell(opts, t.size, reaper)
	if err != nil {
		return nil, fmt.Errorf("start shell: %w", err)
	}
	t.install(sh)
	go t.run(sh)
	return t, nil
}

// run owns the shell's life: it waits for the shell to exit, replaces it,
// and stops it on Close.
func (t *terminal) run(sh *shell) {
	defer close(t.done)
	delay := minRestartDelay
	for {
		if !sh.waitExit(t.stop) {
			sh.kill()
			t.finish()
			return
		}
		t.log.Info("shell exited", "pid", sh.proc.Pid(), "status", describeStatus(sh.proc.Status()))
		t.exited(fmt.Sprintf("\r\n[shell exited (%s); starting a new shell]\r\n", describeStatus(sh.proc.Status())))
		if time.Since(sh.started) >= shortLife {
			delay = minRestartDelay
		}
		for {
			if !t.sleep(delay) {
				t.finish()
				return
			}
			delay = min(delay*2, maxRestartDelay)
			var err error
			t.mu.Lock()
			size := t.size
			t.mu.Unlock()
			if sh, err = startShell(t.opts, size, t.reaper); err == nil {
				break
			}
			t.log.Error("start shell", "err", err)
		}
		t.install(sh)
	}
}

// sleep waits d, or returns false early when the terminal is closed.
func (t *terminal) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-t.stop:
		return false
	}
}

// install makes sh the terminal's shell, tells every client about it and
// starts its output flowing. Output begins only after the Info frames are
// queued, so each client sees the new Info before the new shell's output.
func (t *terminal) install(sh *shell) {
	t.mu.Lock()
	t.sh = sh
	for c := range t.clients {
		t.sendInfo(c, 0)
		c.push(FrameReplayEnd, nil)
	}
	t.mu.Unlock()
	t.log.Info("shell started", "pid", sh.proc.Pid())
	sh.startReading(t.output)
}

// exited records the end of the current shell with a notice in the
// scrollback and to every client.
func (t *terminal) exited(notice string) {
	t.mu.Lock()
	t.sh = nil
	t.mu.Unlock()
	t.output([]byte(notice))
}

// finish lets every client go and marks the terminal closed.
func (t *terminal) finish() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.clients {
		c.fail(fault.Errorf(fault.EUNAVAILABLE, "The terminal was closed."))
		delete(t.clients, c)
	}
	t.sh = nil
	t.state = stateClosed
}

// output appends p to the scrollback and queues it for every client,
// dropping clients that broke. It is called by the goroutine that reads the
// shell's pty: when a client that may type is behind (outputHighWater), it
// returns only once that client has caught up, so the pty is not read and
// the program printing waits. Watchers never hold it back, and with nobody
// typing attached it never waits.
func (t *terminal) output(p []byte) {
	t.mu.Lock()
	t.ring.Write(p)
	var slow []*client
	for c := range t.clients {
		if !c.push(FrameOutput, p) {
			delete(t.clients, c)
			continue
		}
		if c.behind() {
			slow = append(slow, c)
		}
	}
	t.mu.Unlock()
	for _, c := range slow {
		c.waitDrained()
	}
}

// sendInfo queues an Info frame for c; the caller holds t.mu.
func (t *terminal) sendInfo(c *client, replay int) bool {
	pid := 0
	if t.sh != nil {
		pid = t.sh.proc.Pid()
	}
	return c.pushJSON(FrameInfo, Info{Term: t.name, PID: pid, ReadOnly: c.readOnly, Replay: replay})
}

// attach registers c and queues, in order, an Info, the scrollback and a
// FrameReplayEnd; live output follows. The scrollback is taken and the
// client registered under one lock, so no output is lost or repeated between
// the replay and the live stream.
func (t *terminal) attach(c *client) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state != stateRunning {
		return fault.Errorf(fault.EUNAVAILABLE, "The terminal is closing.")
	}
	snap := t.ring.Bytes()
	c.limit += len(snap)
	t.sendInfo(c, len(snap))
	for len(snap) > 0 {
		n := min(len(snap), readChunk)
		c.push(FrameOutput, snap[:n])
		snap = snap[n:]
	}
	c.push(FrameReplayEnd, nil)
	c.markLive()
	t.clients[c] = struct{}{}
	return nil
}

// detach forgets c; it is a no-op for a client that is not attached.
func (t *terminal) detach(c *client) {
	t.mu.Lock()
	delete(t.clients, c)
	t.mu.Unlock()
}

// input writes p to the shell unchanged. Read-only clients are refused.
func (t *terminal) input(c *client, p []byte) error {
	if c.readOnly {
		return fault.Errorf(fault.EFORBIDDEN, "This terminal is read-only.")
	}
	master := t.master()
	if master == nil {
		return fault.Errorf(fault.EUNAVAILABLE, "The shell is restarting; try again.")
	}
	if _, err := master.Write(p); err != nil {
		// The shell was replaced while we wrote; the input is lost with it.
		t.log.Debug("write to pty", "err", err)
	}
	return nil
}

// master returns the current shell's pty master, or nil between shells.
func (t *terminal) master() *os.File {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sh == nil {
		return nil
	}
	return t.sh.master
}

// resize sets the terminal's size for the current and future shells.
// Read-only clients and sizes out of bounds are refused.
func (t *terminal) resize(c *client, s Size) error {
	if c.readOnly {
		return fault.Errorf(fault.EFORBIDDEN, "A read-only terminal cannot be resized.")
	}
	if !s.Valid() {
		return fault.Errorf(fault.EINVALID, "Terminal size must be 1-%d columns by 1-%d rows.", MaxCols, MaxRows)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.size = s
	if t.sh == nil {
		return nil
	}
	if err := setWinsize(t.sh.master, s); err != nil {
		t.log.Debug("resize pty", "err", err)
	}
	return nil
}

// Close stops the shell, lets every client go and waits until the terminal
// is closed. It is safe to call more than once.
func (t *terminal) Close() {
	t.mu.Lock()
	if t.state == stateRunning {
		t.state = stateClosing
		close(t.stop)
	}
	t.mu.Unlock()
	<-t.done
}
