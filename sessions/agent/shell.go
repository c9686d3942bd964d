package agent

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// How long a shell's process and pty get to wind down.
const (
	// drainTimeout bounds the wait for the pty's last output after the shell
	// exited; a background job that keeps the pty open would otherwise hold
	// the terminal forever.
	drainTimeout = 2 * time.Second
	// hangupGrace is how long a shell gets after SIGHUP before SIGKILL.
	hangupGrace = 2 * time.Second
	// readChunk is the most output one pty read delivers.
	readChunk = 32 << 10
)

// shell is one shell process in its own pty. A terminal replaces its shell
// when the shell exits.
type shell struct {
	master   *os.File
	proc     *Proc
	started  time.Time
	readDone chan struct{}
}

// startShell starts the shell described by opts in a new pty of the given
// size. The caller must call startReading once it is ready for output.
func startShell(opts TerminalOptions, size Size, reaper *Reaper) (*shell, error) {
	master, tty, err := openPTY()
	if err != nil {
		return nil, err
	}
	defer tty.Close()
	if size.Valid() {
		if err := setWinsize(master, size); err != nil {
			master.Close()
			return nil, err
		}
	}
	cmd := exec.Command(opts.Shell[0], opts.Shell[1:]...)
	cmd.Dir = opts.Dir
	cmd.Env = mergeEnv(os.Environ(), opts.Env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	// A session of its own with the pty as controlling terminal (fd 0 in
	// the child), so job control and SIGWINCH work.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	proc, err := reaper.Start(cmd)
	if err != nil {
		master.Close()
		return nil, err
	}
	return &shell{master: master, proc: proc, started: time.Now(), readDone: make(chan struct{})}, nil
}

// startReading copies the pty's output to out until the pty is closed or
// hung up. out gets a fresh slice each time and may keep it.
func (s *shell) startReading(out func([]byte)) {
	go func() {
		defer close(s.readDone)
		buf := make([]byte, readChunk)
		for {
			n, err := s.master.Read(buf)
			if n > 0 {
				out(append([]byte(nil), buf[:n]...))
			}
			if err != nil {
				return // EIO once every holder of the tty is gone, or closed
			}
		}
	}()
}

// waitExit waits for the shell to exit or for stop to close. After an exit it
// lets the pty drain, closes it and returns true; on stop it returns false
// with the shell still running.
func (s *shell) waitExit(stop <-chan struct{}) bool {
	select {
	case <-s.proc.Done():
	case <-stop:
		return false
	}
	timer := time.NewTimer(drainTimeout)
	defer timer.Stop()
	select {
	case <-s.readDone:
	case <-timer.C:
	}
	s.master.Close()
	<-s.readDone
	return true
}

// kill hangs the shell up and waits until it is gone, killing it if it
// outlives the grace period.
func (s *shell) kill() {
	_ = s.proc.Signal(syscall.SIGHUP)
	s.master.Close() // hangs up the tty: the foreground job gets SIGHUP too
	timer := time.NewTimer(hangupGrace)
	defer timer.Stop()
	select {
	case <-s.proc.Done():
	case <-timer.C:
		_ = s.proc.Signal(syscall.SIGKILL)
		<-s.proc.Done()
	}
	<-s.readDone
}

// mergeEnv returns base with the KEY=value pairs of overrides replacing or
// adding to it.
func mergeEnv(base, overrides []string) []string {
	keys := make(map[string]bool, len(overrides))
	for _, kv := range overrides {
		k, _, _ := strings.Cut(kv, "=")
		keys[k] = true
	}
	out := make([]string, 0, len(base)+len(overrides))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !keys[k] {
			out = append(out, kv)
		}
	}
	return append(out, overrides...)
}
