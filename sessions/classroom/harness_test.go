package classroom

// The harness of the classroom rules' own tests: the rules on a fresh
// database of the test cluster and a real manager on the real Docker
// engine, with an instance of its own and a subnet pool no other test
// package uses.

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"

	"golang.org/x/crypto/bcrypt"
)

// testPool is this package's subnets.
var testPool = netip.MustParsePrefix("100.64.236.0/24")

// testLab is the lab of the classrooms under test: it has one node.
const testLab = "docker-basics"

// testEnv is the classroom rules under test and what they stand on.
type testEnv struct {
	svc   *Service
	mgr   *manager.Manager
	store *store.Store
	eng   *engine.Engine
}

// newTestEnv returns the rules on a manager that starts real nodes (the
// lab's images are not copied in). It skips the test, saying why, without
// Postgres, the engine or the node image.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	st := storetest.Open(t)
	docker := enginetest.Client(t)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng := engine.New(docker, engine.Config{NodeImage: enginetest.NodeImage(t, docker),
		Instance: "classtest-" + rand.Text()[:8], Memory: 512 << 20}, log)
	mgr := manager.New(manager.Config{Lifetime: time.Hour, MaxSessions: 3, MaxPerLearner: 2, LabNodes: labs.Builtin().NodesOf,
		Subnets: store.Subnets{Pool: testPool, Bits: 28}}, eng, st, log)
	svc := New(mgr, st, labs.Builtin(), log)
	svc.SetPasswordCost(bcrypt.MinCost)
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
	return &testEnv{svc: svc, mgr: mgr, store: st, eng: eng}
}

// instructor makes an instructor account.
func (e *testEnv) instructor(t *testing.T, email string) *sessions.Instructor {
	t.Helper()
	in, err := e.svc.AddInstructor(context.Background(), email, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// wantCode fails the test unless err has the given code.
func wantCode(t *testing.T, what string, err error, code fault.Code) {
	t.Helper()
	if got := fault.ErrorCode(err); got != code {
		t.Errorf("%s: %v (code %q), want %q", what, err, got, code)
	}
}
