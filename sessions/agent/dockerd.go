package agent

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Restart backoff of dockerd.
const (
	minDockerdBackoff = time.Second
	maxDockerdBackoff = 30 * time.Second
	// stableRun is how long dockerd must run for the backoff to reset.
	stableRun = time.Minute
	// maxDockerdLog is the log size above which a restart truncates it.
	maxDockerdLog = 16 << 20
)

// DockerdOptions configure the node's Docker engine.
type DockerdOptions struct {
	// Path is the dockerd binary.
	Path string
	// Socket is the API socket dockerd listens on.
	Socket string
	// PidFile is dockerd's pid file; a leftover one is removed before each
	// start, since the supervisor's previous dockerd is gone by then. Empty
	// leaves dockerd's default.
	PidFile string
	// StaleFiles are removed before each start too: runtime files of the
	// previous dockerd (and of its containerd) that would mislead the next.
	StaleFiles []string
	// Args are extra flags, e.g. "--registry-mirror", "http://mirror:5000".
	Args []string
	// LogPath receives dockerd's stdout and stderr.
	LogPath string
	// StopTimeout is how long dockerd gets after SIGTERM before SIGKILL.
	StopTimeout time.Duration
}

// Dockerd supervises the node's Docker engine: it starts dockerd, restarts
// it with backoff when it dies and stops it when its context ends.
type Dockerd struct {
	opts   DockerdOptions
	reaper *Reaper
	log    *slog.Logger
}

// NewDockerd returns a supervisor; nothing starts before Run.
func NewDockerd(opts DockerdOptions, reaper *Reaper, log *slog.Logger) *Dockerd {
	if log == nil {
		log = slog.Default()
	}
	return &Dockerd{opts: opts, reaper: reaper, log: log.With("component", "dockerd")}
}

// args returns dockerd's command-line arguments.
func (d *Dockerd) args() []string {
	args := []string{"--host", "unix://" + d.opts.Socket}
	if d.opts.PidFile != "" {
		args = append(args, "--pidfile", d.opts.PidFile)
	}
	return append(args, d.opts.Args...)
}

// Run keeps dockerd running until ctx ends, then stops it (SIGTERM, then
// SIGKILL after StopTimeout) and returns once it has exited.
func (d *Dockerd) Run(ctx context.Context) {
	backoff := minDockerdBackoff
	for {
		proc, err := d.start()
		if err != nil {
			d.log.Error("start dockerd", "err", err)
		} else {
			started := time.Now()
			select {
			case <-proc.Done():
				d.log.Error("dockerd exited", "status", describeStatus(proc.Status()), "log", d.opts.LogPath)
				if time.Since(started) >= stableRun {
					backoff = minDockerdBackoff
				}
			case <-ctx.Done():
				d.stop(proc)
				return
			}
		}
		timer := time.NewTimer(backoff)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		backoff = min(backoff*2, maxDockerdBackoff)
	}
}

// start launches one dockerd with its output appended to the log.
func (d *Dockerd) start() (*Proc, error) {
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	if fi, err := os.Stat(d.opts.LogPath); err == nil && fi.Size() > maxDockerdLog {
		flags |= os.O_TRUNC
	}
	logf, err := os.OpenFile(d.opts.LogPath, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dockerd log: %w", err)
	}
	defer logf.Close() // the child keeps its own copy
	for _, f := range append([]string{d.opts.PidFile}, d.opts.StaleFiles...) {
		if f == "" {
			continue
		}
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			d.log.Warn("remove stale file", "file", f, "err", err)
		}
	}
	cmd := exec.Command(d.opts.Path, d.args()...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	proc, err := d.reaper.Start(cmd)
	if err != nil {
		return nil, err
	}
	d.log.Info("dockerd started", "pid", proc.Pid(), "args", cmd.Args[1:])
	return proc, nil
}

// stop ends dockerd: SIGTERM, then SIGKILL once StopTimeout has passed.
func (d *Dockerd) stop(proc *Proc) {
	_ = proc.Signal(syscall.SIGTERM)
	timer := time.NewTimer(d.opts.StopTimeout)
	defer timer.Stop()
	select {
	case <-proc.Done():
	case <-timer.C:
		d.log.Warn("dockerd did not stop in time; killing it")
		_ = proc.Signal(syscall.SIGKILL)
		<-proc.Done()
	}
	d.log.Info("dockerd stopped", "status", describeStatus(proc.Status()))
}

// Ready waits until the engine answers on its socket or ctx ends.
func (d *Dockerd) Ready(ctx context.Context) error {
	return WaitReady(ctx, d.opts.Socket)
}
