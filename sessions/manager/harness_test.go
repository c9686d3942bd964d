package manager

// The harness of the manager's own tests: a manager on a fresh database of
// the test cluster and the real Docker engine, with an instance of its own
// and a subnet pool no other test package uses.

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// testPool is this package's subnets.
var testPool = netip.MustParsePrefix("100.64.235.0/24")

// testEnv is one manager under test and what it stands on.
type testEnv struct {
	m      *Manager
	store  *store.Store
	engine *engine.Engine
	docker *client.Client
}

// newTestEnv returns a manager with cfg (lifetime, cap and subnets filled
// in) on an engine with ecfg (node image, instance and memory filled in).
func newTestEnv(t *testing.T, cfg Config, ecfg engine.Config) *testEnv {
	t.Helper()
	st := storetest.Open(t)
	docker := enginetest.Client(t)
	ecfg.NodeImage = enginetest.NodeImage(t, docker)
	ecfg.Instance = "mgrtest-" + rand.Text()[:8]
	if ecfg.Memory == 0 {
		ecfg.Memory = 512 << 20
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng := engine.New(docker, ecfg, log)
	if cfg.Lifetime == 0 {
		cfg.Lifetime = time.Hour
	}
	if cfg.MaxSessions == 0 {
		cfg.MaxSessions = 2
	}
	if cfg.MaxPerLearner == 0 {
		cfg.MaxPerLearner = 2
	}
	cfg.Subnets = store.Subnets{Pool: testPool, Bits: 28}
	env := &testEnv{m: New(cfg, eng, st, log), store: st, engine: eng, docker: docker}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		list, err := eng.List(ctx)
		if err != nil {
			t.Logf("cleanup: %v", err)
		}
		for id := range list {
			if err := eng.RemoveSession(ctx, id); err != nil {
				t.Logf("cleanup %s: %v", id, err)
			}
		}
		if err := eng.Close(ctx); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	return env
}

// endReason returns a session's status and end reason as Postgres has them.
func (e *testEnv) endReason(t *testing.T, id string) (status, reason string, remains bool) {
	t.Helper()
	err := e.store.Pool().QueryRow(context.Background(), "SELECT status, end_reason, remains FROM sessions WHERE id = $1", id).Scan(&status, &reason, &remains)
	if err != nil {
		t.Fatal(err)
	}
	return status, reason, remains
}

// live returns how many live sessions the instance has.
func (e *testEnv) live(t *testing.T) int {
	t.Helper()
	byState, _, err := e.store.SessionCounts(context.Background(), e.engine.Config().Instance)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range byState {
		n += c
	}
	return n
}

// oneNode is the lab of the sessions these tests start: one node, so they
// start fast, and no images to copy.
const oneNode = "one-node"

// startOne starts a one-node session of user's (Config.LabNodes must give
// oneNode one node; newTestEnv's callers set it with oneNodeLabs).
func (e *testEnv) startOne(t *testing.T, user string) *sessions.Session {
	t.Helper()
	s, err := e.m.Create(context.Background(), NewSession{UserID: user, ClientAddr: "127.0.0.1", Lab: oneNode})
	if err != nil {
		t.Fatalf("start %s's session: %v", user, err)
	}
	return s
}

// oneNodeLabs says every lab has one node.
func oneNodeLabs(string) int { return 1 }

// wantCode fails the test unless err has the given code.
func wantCode(t *testing.T, what string, err error, code fault.Code) {
	t.Helper()
	if got := fault.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %q), want %q", what, err, got, code)
	}
}
