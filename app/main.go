package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/server"
	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/live"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/web"
)

// Main is the program "playground serve": ParseFlags reads its
// configuration, and Run serves with it until its context ends.
type Main struct {
	// Config is what ParseFlags read; a caller may adjust it before Run.
	Config Config
	// Log is the process logger; when nil, Run makes one with NewLogger.
	Log *slog.Logger
	// OnListen, when set, is told the public listener's address as soon as
	// it listens, so that a caller may ask for port 0.
	OnListen func(net.Addr)
	// Output receives the usage and the flags' errors; nil means the
	// standard error.
	Output io.Writer
}

// Run wires the playground together and serves it until ctx ends, then
// shuts down in order: HTTP, terminals, the dashboards' hub, the manager's
// background work, the engine's helper, the database.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	log := m.Log
	if log == nil {
		log = NewLogger(cfg)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, err := st.Secret(ctx, "cookies")
	if err != nil {
		return err
	}

	eng, err := readyNodes(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer eng.release()
	if err := sameMode(ctx, st, cfg); err != nil {
		return err
	}

	site, err := web.New(web.Options{Logger: log})
	if err != nil {
		return err
	}
	catalog, watchLabs := openLabs(cfg.LabsDir, log)
	if err := eng.registry.EnsureRegistry(ctx, catalog.Images()); err != nil {
		return fmt.Errorf("the nodes' registry: %w", err)
	}
	met := metrics.New(func() (map[string]int, int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return st.SessionCounts(ctx, cfg.Engine.Instance)
	}, st.Pool())
	if eng.cluster != nil {
		met.WatchHosts(hostsGauge(eng.cluster))
	}
	defer serveMetrics(cfg.MetricsAddr, met, log)()
	cfg.Sessions.LabImages = catalog.ImagesOf
	cfg.Sessions.LabNodes = catalog.NodesOf
	if _, err := catalog.Get(cfg.Sessions.PoolLab); cfg.Sessions.PoolSize > 0 && err != nil {
		return fmt.Errorf("the warm pool's lab %q is not a lab here (PLAYGROUND_POOL_LAB)", cfg.Sessions.PoolLab)
	}
	if cfg.Sessions.PoolSize >= cfg.Sessions.MaxSessions {
		return fmt.Errorf("the warm pool (%d) must be smaller than the host's live sessions (%d)", cfg.Sessions.PoolSize, cfg.Sessions.MaxSessions)
	}
	cfg.Sessions.Metrics = met
	mgr := manager.New(cfg.Sessions, eng.Engine, st, log)
	hub := live.NewHub(log)
	classes := classroom.New(mgr, st, catalog, log)
	classes.SetPauser(mgr) // a class pauses and resumes its seats' sessions
	srv := server.New(cfg.Server, server.Deps{Manager: mgr, Classrooms: classes, Labs: catalog, Site: site, Secret: secret, Log: log, Hub: hub, Metrics: met, Limits: st})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String())
	if m.OnListen != nil {
		m.OnListen(ln.Addr())
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      3 * time.Minute, // session start waits for its nodes' engines (up to five)
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	mctx, stopManager := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		mgr.Run(mctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		watchLabs(mctx, eng.registry)
	}()
	// The dashboards' fan-out: one LISTEN connection, stopped as soon as
	// shutdown begins so that the live streams end and let it finish.
	hctx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHub()
	httpSrv.RegisterOnShutdown(stopHub)
	wg.Add(1)
	go func() {
		defer wg.Done()
		hub.Listen(hctx, st.Pool().Config().ConnConfig)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()

	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := httpSrv.Shutdown(sctx); serr != nil {
		log.Warn("http shutdown", "err", serr)
	}
	srv.Shutdown(sctx)
	stopHub()
	stopManager()
	wg.Wait()
	if cerr := eng.close(sctx); cerr != nil {
		log.Warn("remove the engine's helper container", "err", cerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// readyEngine connects the engine room to the Docker engine and checks, at
// start, all that the nodes need of it, saying what to do when something is
// missing: the registry image (without it, cfg loses its registry), the
// node image, the isolation mode, the nodes' shared limits, disks, kernel
// limits, egress and LXCFS. With max-sessions auto, it sets cfg's from the
// host's memory.
func readyEngine(ctx context.Context, cli *client.Client, cfg *Config, log *slog.Logger) (*engine.Engine, error) {
	if img := cfg.Engine.RegistryImage; img != "" {
		if _, err := cli.ImageInspect(ctx, img); err != nil {
			log.Warn("no registry image on the engine: the labs' images are copied into the nodes instead (make images builds it)", "image", img)
			cfg.Engine.RegistryImage = ""
		}
	}
	eng := engine.New(cli, cfg.Engine, log)
	if err := eng.Ping(ctx); err != nil {
		return nil, fmt.Errorf("the Docker engine does not answer (start it, or run make run): %w", err)
	}
	if _, err := cli.ImageInspect(ctx, cfg.Engine.NodeImage); err != nil {
		return nil, fmt.Errorf("node image %q is missing on the engine (build it with make images): %w", cfg.Engine.NodeImage, err)
	}
	mode, err := eng.Mode(ctx)
	if err != nil {
		return nil, err
	}
	if !mode.Safe() {
		log.Warn("UNSAFE: nodes run as the host's root (" + string(mode) + "). " +
			"A learner can escape a node to the host (cgroup release agents, kernel sysctls, devices, other sessions' files). " +
			"Serve only people you trust with root on this machine; for strangers, use an engine with --userns-remap " +
			"(make run starts one) and leave PLAYGROUND_NODE_ISOLATION unset.")
	}
	if err := eng.EnsureLimits(ctx); err != nil {
		return nil, fmt.Errorf("the nodes' shared limits: %w", err)
	}
	if cfg.Sessions.MaxSessions == 0 {
		cfg.Sessions.MaxSessions = eng.Capacity()
		log.Info("live sessions the host accepts, from its memory", "max_sessions", cfg.Sessions.MaxSessions,
			"nodes_memory_mib", eng.NodesMemory()>>20, "session_mib", engine.SessionMemoryBudget>>20)
	}
	if err := eng.CheckDisks(ctx); err != nil {
		return nil, fmt.Errorf("the nodes' disks: %w", err)
	}
	if err := eng.CheckHostLimits(ctx); err != nil {
		return nil, fmt.Errorf("the kernel limits the nodes share: %w", err)
	}
	if err := eng.EnsureEgress(ctx, cfg.Sessions.Subnets.Pool); err != nil {
		return nil, fmt.Errorf("the nodes' egress: %w", err)
	}
	eng.CheckLXCFS(ctx)

	log.Info("docker engine ready", "node_image", cfg.Engine.NodeImage, "node_mode", mode)
	return eng, nil
}
