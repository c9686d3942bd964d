package agent

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
)

// Run is the node agent. It reaps orphans when configured to (as PID 1),
// prepares the cgroup tree, supervises dockerd, serves terminals on the
// socket, and writes the ready file once terminals are served and the engine
// answers. When ctx ends it closes the terminals, stops dockerd and returns.
// It returns an error only when the agent cannot start.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.check(); err != nil {
		return err
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	cfg.Log = log

	reaper := NewReaper(cfg.ReapOrphans, log)
	reapCtx, stopReaping := context.WithCancel(context.Background())
	reaping := make(chan struct{})
	go func() {
		defer close(reaping)
		reaper.Run(reapCtx)
	}()
	defer func() {
		stopReaping()
		<-reaping
	}()

	if cfg.ManageCgroups {
		if err := PrepareCgroups(log); err != nil {
			log.Error("prepare cgroups; nested containers may fail", "err", err)
		}
	}

	engineCtx, stopEngine := context.WithCancel(context.Background())
	engineDone := make(chan struct{})
	if cfg.RunDockerd {
		go func() {
			defer close(engineDone)
			NewDockerd(cfg.Dockerd, reaper, log).Run(engineCtx)
		}()
	} else {
		close(engineDone)
	}
	stopDockerd := func() {
		stopEngine()
		<-engineDone
	}

	srv, err := StartServer(cfg, reaper)
	if err != nil {
		stopDockerd()
		return err
	}
	log.Info("agent serving terminals", "socket", cfg.Socket, "pid", os.Getpid())

	readyDone := make(chan struct{})
	go func() {
		defer close(readyDone)
		markReady(ctx, cfg, log)
	}()

	<-ctx.Done()
	log.Info("agent stopping")
	<-readyDone
	if cfg.ReadyFile != "" {
		_ = os.Remove(cfg.ReadyFile)
	}
	srv.Close()
	stopDockerd()
	log.Info("agent stopped")
	return nil
}

// markReady waits for the engine (when the agent runs one) and writes the
// ready file. It gives up quietly when ctx ends first.
func markReady(ctx context.Context, cfg Config, log *slog.Logger) {
	if cfg.RunDockerd {
		if err := WaitReady(ctx, cfg.Dockerd.Socket); err != nil {
			return // only ctx ends WaitReady
		}
		log.Info("docker engine ready")
	}
	if cfg.ReadyFile == "" || ctx.Err() != nil {
		return
	}
	if err := writeFileAtomic(cfg.ReadyFile, []byte(strconv.Itoa(os.Getpid())+"\n")); err != nil {
		log.Error("write ready file", "err", err)
	}
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place, so readers never see a partial file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename ready file: %w", err)
	}
	return nil
}
