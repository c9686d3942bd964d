package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/server"
	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
	"github.com/labplay/playground/web"
)

// env is a server wired to the real engine and a fresh database, served by
// httptest on loopback.
type env struct {
	t        *testing.T
	docker   *client.Client
	store    *store.Store
	engine   *engine.Engine
	manager  *manager.Manager
	ts       *httptest.Server
	instance string
	metrics  *metrics.Metrics
}

// testPool is this package's share of the session address space, apart from
// the other test packages and the default pool of a running server.
var testPool = netip.MustParsePrefix("100.64.144.0/20")

// newEnv starts a server for one test. It skips the test, saying why, when
// Postgres, the engine or the node image is missing.
func newEnv(t *testing.T, cfg manager.Config) *env {
	t.Helper()
	return newEnvWith(t, cfg, server.Config{})
}

// newEnvWith is newEnv with the server's own settings.
func newEnvWith(t *testing.T, cfg manager.Config, scfg server.Config) *env {
	t.Helper()
	st := storetest.Open(t)
	docker := enginetest.Client(t)
	image := enginetest.NodeImage(t, docker)
	instance := newInstance()
	eng := engine.New(docker, engine.Config{NodeImage: image, Instance: instance, Memory: 512 << 20}, testLog())
	var e *env
	t.Cleanup(func() { e.removeAll() }) // after the server has closed
	e = serveEnv(t, st, eng, instance, cfg, scfg)
	e.docker = docker
	return e
}

// newStoreEnv starts a server on a fresh database and no Docker engine, for
// tests whose requests are refused or answered before any node is touched:
// they need Postgres only, and skip without it.
func newStoreEnv(t *testing.T, cfg manager.Config, scfg server.Config) *env {
	t.Helper()
	return serveEnv(t, storetest.Open(t), nil, newInstance(), cfg, scfg)
}

// newInstance names a test's deployment, so that its containers are its own.
func newInstance() string {
	var b [4]byte
	rand.Read(b[:])
	return "srvtest-" + hex.EncodeToString(b[:])
}

// testLog is the logger of the servers under test: warnings and errors.
func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// serveEnv wires a manager (on eng, which may be nil), the classroom rules
// and a server on st, and serves it until the test ends.
func serveEnv(t *testing.T, st *store.Store, eng *engine.Engine, instance string, cfg manager.Config, scfg server.Config) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log := testLog()
	if cfg.Lifetime == 0 {
		cfg.Lifetime = time.Hour
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 5
	}
	cfg.Subnets = store.Subnets{Pool: testPool, Bits: 28}
	if cfg.LabImages == nil {
		cfg.LabImages = labs.Builtin().ImagesOf
	}
	if cfg.LabNodes == nil {
		cfg.LabNodes = labs.Builtin().NodesOf
	}
	met := metrics.New(func() (map[string]int, int, error) { return st.SessionCounts(context.Background(), instance) }, st.Pool())
	cfg.Metrics = met
	mgr := manager.New(cfg, eng, st, log)
	secret, err := st.Secret(ctx, "cookies")
	if err != nil {
		t.Fatal(err)
	}
	site, err := web.New(web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(scfg, server.Deps{Manager: mgr, Classrooms: classroom.New(mgr, st, labs.Builtin(), log), Labs: labs.Builtin(), Site: site, Secret: secret, Log: log, Metrics: met})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, store: st, engine: eng, manager: mgr, ts: ts, instance: instance, metrics: met}
}

// removeAll removes whatever this test's instance left on the engine.
func (e *env) removeAll() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
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
