package agent

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

// Reaper starts the agent's child processes and collects their exit
// statuses. As PID 1 of a container the agent also inherits every orphaned
// process; in that mode one goroutine (Run) reaps all children with wait4(-1)
// and hands the status of each process the agent started to its Proc, so no
// exit status is ever stolen. Outside PID 1 each Proc waits for its own
// process instead, and nothing else is reaped.
type Reaper struct {
	orphans bool
	log     *slog.Logger

	mu      sync.Mutex
	tracked map[int]*Proc
}

// NewReaper returns a reaper. With orphans set, the caller must run Run for
// as long as any Proc is alive; exec.Cmd values given to Start must then have
// no Go-side copying (stdio nil or *os.File), because Wait is never called.
func NewReaper(orphans bool, log *slog.Logger) *Reaper {
	if log == nil {
		log = slog.Default()
	}
	return &Reaper{orphans: orphans, log: log, tracked: make(map[int]*Proc)}
}

// Proc is a child process started by a Reaper.
type Proc struct {
	cmd  *exec.Cmd
	pid  int
	done chan struct{}
	// status is written once, before done is closed.
	status syscall.WaitStatus
}

// Pid returns the process id.
func (p *Proc) Pid() int { return p.pid }

// Done is closed once the process has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Status returns the wait status; it is meaningful only after Done is closed.
func (p *Proc) Status() syscall.WaitStatus { return p.status }

// Signal sends sig to the process. It is safe after the process has exited:
// the signal goes through a pidfd where the platform has one, so a reused pid
// is never hit.
func (p *Proc) Signal(sig os.Signal) error {
	select {
	case <-p.done:
		return os.ErrProcessDone
	default:
	}
	return p.cmd.Process.Signal(sig)
}

// Start starts cmd and returns its Proc.
func (r *Reaper) Start(cmd *exec.Cmd) (*Proc, error) {
	p := &Proc{cmd: cmd, done: make(chan struct{})}
	if !r.orphans {
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		p.pid = cmd.Process.Pid
		go p.waitOwn()
		return p, nil
	}
	// Hold the lock across Start so the reaper cannot collect the child
	// before it is tracked.
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.pid = cmd.Process.Pid
	r.tracked[p.pid] = p
	return p, nil
}

// waitOwn waits for the process when no central reaper runs.
func (p *Proc) waitOwn() {
	err := p.cmd.Wait()
	if st, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		p.status = st
	} else if err != nil {
		p.status = syscall.WaitStatus(0xff00) // exit status 255
	}
	close(p.done)
}

// Run reaps children until ctx ends. It does nothing unless the reaper was
// made with orphans set. Cancel ctx only after every Proc has exited, or
// their Done channels never close.
func (r *Reaper) Run(ctx context.Context) {
	if !r.orphans {
		return
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGCHLD)
	defer signal.Stop(sigs)
	for {
		r.reapAll()
		select {
		case <-ctx.Done():
			return
		case <-sigs:
		}
	}
}

// reapAll collects every exited child, dispatching the statuses of tracked
// ones to their Procs.
func (r *Reaper) reapAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		var st syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &st, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return // ECHILD (no children) or none exited yet
		}
		p, ok := r.tracked[pid]
		if !ok {
			r.log.Debug("reaped orphan", "pid", pid, "status", describeStatus(st))
			continue
		}
		delete(r.tracked, pid)
		p.status = st
		_ = p.cmd.Process.Release() // closes the pidfd; the process is gone
		close(p.done)
	}
}

// describeStatus renders a wait status for logs and notices.
func describeStatus(st syscall.WaitStatus) string {
	switch {
	case st.Exited():
		return "exit status " + strconv.Itoa(st.ExitStatus())
	case st.Signaled():
		return "killed by " + st.Signal().String()
	default:
		return "status " + strconv.Itoa(int(st))
	}
}
