package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/live"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/web"
)

// NewLogger returns the process logger in the configured format and level.
func NewLogger(cfg Config) *slog.Logger {
	level, _ := parseLevel(cfg.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// Run wires the playground together and serves it until ctx ends, then shuts
// down in order: HTTP, terminals, background work, database. When listening
// starts, onListen (if not nil) is told the address, so tests can use port 0.
func Run(ctx context.Context, cfg Config, log *slog.Logger, onListen func(net.Addr)) error {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, err := st.Secret(ctx, "cookies")
	if err != nil {
		return err
	}

	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	if img := cfg.Engine.RegistryImage; img != "" {
		if _, err := cli.ImageInspect(ctx, img); err != nil {
			log.Warn("no registry image on the engine: the labs' images are copied into the nodes instead (make images builds it)", "image", img)
			cfg.Engine.RegistryImage = ""
		}
	}
	eng := engine.New(cli, cfg.Engine, log)
	if err := eng.Ping(ctx); err != nil {
		return fmt.Errorf("the Docker engine does not answer (start it, or run make run): %w", err)
	}
	if _, err := cli.ImageInspect(ctx, cfg.Engine.NodeImage); err != nil {
		return fmt.Errorf("node image %q is missing on the engine (build it with make images): %w", cfg.Engine.NodeImage, err)
	}
	mode, err := eng.Mode(ctx)
	if err != nil {
		return err
	}
	if !mode.Safe() {
		log.Warn("UNSAFE: nodes run as the host's root (" + string(mode) + "). " +
			"A learner can escape a node to the host (cgroup release agents, kernel sysctls, devices, other sessions' files). " +
			"Serve only people you trust with root on this machine; for strangers, use an engine with --userns-remap " +
			"(make run starts one) and leave PLAYGROUND_NODE_ISOLATION unset.")
	}
	if err := eng.EnsureLimits(ctx); err != nil {
		return fmt.Errorf("the nodes' shared limits: %w", err)
	}
	if cfg.Sessions.MaxSessions == 0 {
		cfg.Sessions.MaxSessions = eng.Capacity()
		log.Info("live sessions the host accepts, from its memory", "max_sessions", cfg.Sessions.MaxSessions,
			"nodes_memory_mib", eng.NodesMemory()>>20, "session_mib", engine.SessionMemoryBudget>>20)
	}
	if err := eng.CheckDisks(ctx); err != nil {
		return fmt.Errorf("the nodes' disks: %w", err)
	}
	if err := eng.CheckHostLimits(ctx); err != nil {
		return fmt.Errorf("the kernel limits the nodes share: %w", err)
	}
	if err := eng.EnsureEgress(ctx, cfg.Sessions.Subnets.Pool); err != nil {
		return fmt.Errorf("the nodes' egress: %w", err)
	}
	eng.CheckLXCFS(ctx)

	log.Info("docker engine ready", "node_image", cfg.Engine.NodeImage, "node_mode", mode)

	site, err := web.New(web.Options{Logger: log})
	if err != nil {
		return err
	}
	catalog := loadCatalog(cfg.LabsDir, log)
	var images []string
	for _, l := range catalog.List() {
		for _, img := range l.Images {
			if !slices.Contains(images, img) {
				images = append(images, img)
			}
		}
	}
	if err := eng.EnsureRegistry(ctx, images); err != nil {
		return fmt.Errorf("the nodes' registry: %w", err)
	}
	met := metrics.New(func() (map[string]int, int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return st.SessionCounts(ctx, cfg.Engine.Instance)
	}, st.Pool())
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
	mgr := manager.New(cfg.Sessions, eng, st, log)
	hub := live.NewHub(log)
	srv := New(cfg, Deps{Manager: mgr, Classrooms: classroom.New(mgr, st, catalog, log), Labs: catalog, Site: site, Secret: secret, Log: log, Hub: hub, Metrics: met})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String())
	if onListen != nil {
		onListen(ln.Addr())
	}
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      3 * time.Minute, // session start waits for three engines
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
	srv.terms.closeAll(sctx)
	stopHub()
	stopManager()
	wg.Wait()
	if cerr := eng.Close(sctx); cerr != nil {
		log.Warn("remove the engine's helper container", "err", cerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
