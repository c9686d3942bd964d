package agent

import (
	"context"
	"log/slog"
	"os"
)

// Run is the node agent. It moves the node's root onto its disk when the
// node has one, reaps orphans when configured to (as PID 1),
// prepares the cgroup tree, supervises dockerd, serves terminals on the
// socket ("playground node wait" tells when the engine answers). When ctx ends it closes the terminals, stops dockerd and returns.
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

	if cfg.DiskDir != "" {
		if _, err := MoveRootToDisk(cfg.DiskDir, log); err != nil {
			return err
		}
	}

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
		if cfg.LiftProcMasks && inUserNamespace() {
			LiftProcMasks(log)
		}
		if inUserNamespace() {
			waitDelegated(ctx, defaultCgroupTree.Root, log)
		}
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

	<-ctx.Done()
	log.Info("agent stopping")
	srv.Close()
	stopDockerd()
	log.Info("agent stopped")
	return nil
}
