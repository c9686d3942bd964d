package store_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// start records a starting session for a new learner, from addr, in scope.
func start(t *testing.T, st *store.Store, addr, scope string, limits store.Limits) error {
	t.Helper()
	s := &sessions.Session{ID: sessions.NewID(), UserID: sessions.NewID(), ClientAddr: addr, Scope: scope,
		Status: sessions.StatusStarting, ExpiresAt: time.Now().Add(time.Hour)}
	return st.CreateSession(context.Background(), s, store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/24"), Bits: 28}, limits)
}

func TestSessionsPerAddress(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	limits := store.Limits{MaxLive: 10, MaxPerAddress: 2}
	for i := 0; i < 2; i++ {
		if err := start(t, st, "192.0.2.7", "", limits); err != nil {
			t.Fatalf("session %d from one address: %v", i+1, err)
		}
	}
	// Each with a cookie of its own: the cap is the address's, not the learner's.
	err := start(t, st, "192.0.2.7", "", limits)
	if fault.ErrorCode(err) != fault.ECONFLICT || !strings.Contains(fault.ErrorMessage(err), "network") {
		t.Fatalf("third session from one address: %v, want ECONFLICT about the network", err)
	}
	if err := start(t, st, "192.0.2.8", "", limits); err != nil {
		t.Errorf("another address: %v", err)
	}
	// A classroom's seats are not capped per address: a class shares its
	// school's router.
	in := newInstructor(t, st, "cap@school.example")
	c := newClassroom(t, st, in.ID, 0)
	for i := 0; i < 3; i++ {
		if err := start(t, st, "192.0.2.7", c.ID, limits); err != nil {
			t.Errorf("classroom seat %d from the capped address: %v", i+1, err)
		}
	}
}

func TestClassroomSeatsAreReserved(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	limits := store.Limits{MaxLive: 4}
	in := newInstructor(t, st, "seats@school.example")
	c := newClassroom(t, st, in.ID, 2) // two seats kept free
	for i := 0; i < 2; i++ {
		if err := start(t, st, "192.0.2.1", "", limits); err != nil {
			t.Fatalf("anonymous session %d of the two free places: %v", i+1, err)
		}
	}
	err := start(t, st, "192.0.2.2", "", limits)
	if fault.ErrorCode(err) != fault.EFULL || !strings.Contains(fault.ErrorMessage(err), "class") {
		t.Fatalf("anonymous session into a reserved seat: %v, want EFULL about a class", err)
	}
	for i := 0; i < 2; i++ {
		if err := start(t, st, "192.0.2.3", c.ID, limits); err != nil {
			t.Fatalf("classroom seat %d: %v", i+1, err)
		}
	}
	if err := start(t, st, "192.0.2.3", c.ID, limits); fault.ErrorCode(err) != fault.EFULL {
		t.Errorf("a session over the host's limit: %v, want EFULL", err)
	}
	// A class left open for long, nobody joining, keeps nothing either.
	if _, err := st.Pool().Exec(context.Background(), "UPDATE classrooms SET created_at = now() - interval '13 hours'"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(context.Background(), "UPDATE sessions SET created_at = now() - interval '13 hours'"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(context.Background(), "UPDATE sessions SET status = 'ended' WHERE scope <> ''"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := start(t, st, "192.0.2.4", "", limits); err != nil {
			t.Fatalf("anonymous session %d beside a stale class: %v", i+1, err)
		}
	}
	// A closed class keeps nothing.
	st2 := storetest.Open(t)
	c2 := newClassroom(t, st2, newInstructor(t, st2, "closed@school.example").ID, 3)
	if _, err := st2.CloseClassroom(context.Background(), c2.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if err := start(t, st2, "192.0.2.9", "", store.Limits{MaxLive: 4}); err != nil {
			t.Fatalf("session %d beside a closed class: %v", i+1, err)
		}
	}
}

func TestPruneEvents(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	l := store.Learner{UserID: sessions.NewID(), Lab: "lab"}
	if err := st.EnsureUser(ctx, l.UserID); err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"a", "b", "c"} {
		if _, err := st.RecordAttempt(ctx, store.Attempt{Learner: l, Section: section, Kind: "check", Passed: true}); err != nil {
			t.Fatal(err)
		}
	}
	// Two of the three events are old.
	if _, err := st.Pool().Exec(ctx, "UPDATE progress_events SET created_at = now() - interval '40 days' WHERE section <> 'c'"); err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneEvents(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("PruneEvents = %d, %v; want 2", n, err)
	}
	var left int
	if err := st.Pool().QueryRow(ctx, "SELECT count(*) FROM progress_events").Scan(&left); err != nil || left != 1 {
		t.Fatalf("%d events left, %v; want 1", left, err)
	}
	// Progress stays whole.
	p, err := st.Progress(ctx, l, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range p {
		if sp.Status != sessions.SectionDone {
			t.Errorf("section %s after pruning: %s, want done", sp.Section, sp.Status)
		}
	}
}

// Errors of an outage (the server shutting down, connections refused) are
// EUNAVAILABLE, answered 503 with Retry-After; others are bugs.
func TestOutageErrorsAreUnavailable(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]fault.Code{
		"57P01": fault.EUNAVAILABLE, "57P03": fault.EUNAVAILABLE, "08006": fault.EUNAVAILABLE,
		"53300": fault.EUNAVAILABLE, "42601": fault.EINTERNAL, "23505": fault.EINTERNAL,
	} {
		if got := fault.ErrorCode(store.Unavailable(&pgconn.PgError{Code: code})); got != want {
			t.Errorf("SQLSTATE %s: %s, want %s", code, got, want)
		}
	}
}
