package server

// The harness of the server's tests: newEnv starts one server process (a
// store, a manager, the classroom rules, the live hub and the handlers,
// served by httptest on loopback) as envConfig asks, and takes it all down
// when the test ends. Each env has its own database, rate limits and hub, so
// a test that needs neither Docker nor a browser calls t.Parallel; a test on
// the Docker engine does not, since it shares the engine's memory and CPU.

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"golang.org/x/crypto/bcrypt"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
	"github.com/labplay/playground/sessions/live"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
	"github.com/labplay/playground/web"
)

// envConfig says what a test's server stands on. Its zero value is a server
// on a fresh database and no Docker engine, for tests whose requests are
// answered or refused before any node is touched: they need Postgres only,
// and skip without it.
type envConfig struct {
	// Docker gives the manager the real engine, with an instance of the
	// test's own; the test skips, saying why, without an engine or the node
	// image.
	Docker bool
	// SameDB, when set, makes this server a second process of the same
	// deployment: on the database (and instance) of SameDB, sharing nothing
	// else with it.
	SameDB *env
	// Fake, when set, stands in for the manager: the server then has neither
	// database nor engine nor classrooms, and the test needs nothing.
	Fake Manager
	// Manager is the manager's configuration; newEnv fills in a lifetime, a
	// cap, the labs' images and nodes, the metrics and this package's
	// subnets.
	Manager manager.Config
	// Server is the server's own configuration.
	Server Config
}

// env is one server process under test and what it stands on. Without
// Docker, engine and docker are nil; with a Fake, only srv and ts are set.
type env struct {
	t        *testing.T
	store    *store.Store
	engine   *engine.Engine
	docker   *client.Client
	manager  *manager.Manager
	classes  *classroom.Service
	hub      *live.Hub
	metrics  *metrics.Metrics
	srv      *Server
	ts       *httptest.Server
	instance string
}

// testPool is this package's share of the session address space, apart from
// the other test packages and the default pool of a running server.
var testPool = netip.MustParsePrefix("100.64.144.0/20")

// newEnv starts a server process for one test, as cfg says, and serves it
// until the test ends.
func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t}
	log := testLog()
	site, err := web.New(web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Fake != nil {
		e.srv = New(cfg.Server, Deps{Manager: cfg.Fake, Labs: labs.Builtin(), Site: site, Secret: []byte("test secret"), Log: slog.New(slog.DiscardHandler)})
		e.ts = httptest.NewServer(e.srv.Handler())
		t.Cleanup(e.ts.Close)
		return e
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbURL := ""
	if cfg.SameDB != nil {
		dbURL = cfg.SameDB.store.Pool().Config().ConnString()
		e.instance = cfg.SameDB.instance
	} else {
		dbURL = storetest.URL(t)
		e.instance = "srvtest-" + rand.Text()[:8]
	}
	if cfg.Docker {
		e.docker = enginetest.Client(t)
		image := enginetest.NodeImage(t, e.docker)
		e.engine = engine.New(e.docker, engine.Config{NodeImage: image, Instance: e.instance, Memory: 512 << 20}, log)
		t.Cleanup(e.removeAll) // after the server has closed
	}
	e.store, err = store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(e.store.Close)

	mcfg := cfg.Manager
	if mcfg.Lifetime == 0 {
		mcfg.Lifetime = time.Hour
	}
	if mcfg.MaxSessions == 0 {
		mcfg.MaxSessions = 5
	}
	mcfg.Subnets = store.Subnets{Pool: testPool, Bits: 28}
	if mcfg.LabImages == nil {
		mcfg.LabImages = labs.Builtin().ImagesOf
	}
	if mcfg.LabNodes == nil {
		mcfg.LabNodes = labs.Builtin().NodesOf
	}
	st := e.store
	e.metrics = metrics.New(func() (map[string]int, int, error) {
		return st.SessionCounts(context.Background(), e.instance)
	}, st.Pool())
	mcfg.Metrics = e.metrics
	e.manager = manager.New(mcfg, e.engine, st, log)
	e.classes = classroom.New(e.manager, st, labs.Builtin(), log)
	e.classes.SetPasswordCost(bcrypt.MinCost) // fast logins; the cost is not what these tests are about
	secret, err := st.Secret(ctx, "cookies")
	if err != nil {
		t.Fatal(err)
	}

	// The live hub listens on a connection of its own until the server
	// shuts down.
	e.hub = live.NewHub(log)
	hctx, stopHub := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.hub.Listen(hctx, st.Pool().Config().ConnConfig)
	}()
	e.srv = New(cfg.Server, Deps{Manager: e.manager, Classrooms: e.classes, Labs: labs.Builtin(), Site: site,
		Secret: secret, Log: log, Metrics: e.metrics, Hub: e.hub, Limits: st})
	e.ts = httptest.NewUnstartedServer(e.srv.Handler())
	e.ts.Config.RegisterOnShutdown(stopHub)
	e.ts.Start()
	t.Cleanup(func() {
		stopHub() // ends the live streams, so Close does not wait for them
		e.ts.Close()
		wg.Wait()
	})
	if err := e.hub.Ready(ctx); err != nil {
		t.Fatalf("hub not listening: %v", err)
	}
	return e
}

// testLog is the logger of the servers under test: warnings and errors.
func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// runManager runs the manager's background work (the pool among it) until
// the test ends.
func runManager(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.manager.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// removeAll removes whatever this test's instance left on the engine.
func (e *env) removeAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	list, err := e.engine.List(ctx)
	if err != nil {
		e.t.Logf("cleanup: %v", err)
		return
	}
	for id := range list {
		if err := e.engine.RemoveSession(ctx, id); err != nil {
			e.t.Logf("cleanup %s: %v", id, err)
		}
	}
	if err := e.engine.Close(ctx); err != nil {
		e.t.Errorf("remove the helper container: %v", err)
	}
}

// containerOf returns the container id of one node of a session; it fails
// t, which may be a subtest's.
func containerOf(t *testing.T, e *env, sessionID, node string) string {
	t.Helper()
	list, err := e.docker.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", "playground.session="+sessionID), filters.Arg("label", "playground.node="+node))})
	if err != nil || len(list) != 1 {
		t.Fatalf("container of %s: %v (%d found)", node, err, len(list))
	}
	return list[0].ID
}

// leftovers counts the containers and networks still labelled with a session.
func (e *env) leftovers(sessionID string) (containers, networks int) {
	e.t.Helper()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", "playground.session="+sessionID))
	cs, err := e.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		e.t.Fatal(err)
	}
	ns, err := e.docker.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(cs), len(ns)
}

// volumesOf returns the anonymous volumes mounted by a session's containers.
func (e *env) volumesOf(sessionID string) []string {
	e.t.Helper()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", "playground.session="+sessionID))
	cs, err := e.docker.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		e.t.Fatal(err)
	}
	var vols []string
	for _, c := range cs {
		for _, m := range c.Mounts {
			if m.Type == "volume" {
				vols = append(vols, m.Name)
			}
		}
	}
	return vols
}

// volumeExists reports whether the engine still has the named volume.
func (e *env) volumeExists(name string) bool {
	_, err := e.docker.VolumeInspect(context.Background(), name)
	return err == nil
}

// leftoversNamed counts the containers left of one node of a session.
func (e *env) leftoversNamed(sessionID, node string) (int, error) {
	f := filters.NewArgs(filters.Arg("label", "playground.session="+sessionID), filters.Arg("label", "playground.node="+node))
	cs, err := e.docker.ContainerList(context.Background(), container.ListOptions{All: true, Filters: f})
	return len(cs), err
}
