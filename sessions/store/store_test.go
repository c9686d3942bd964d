package store_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

func newSession(t *testing.T, st *store.Store, user string, pool store.Subnets) *sessions.Session {
	t.Helper()
	ctx := context.Background()
	if err := st.EnsureUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	s := &sessions.Session{ID: sessions.NewID(), UserID: user, Lab: "lab", Lang: "en",
		Status: sessions.StatusStarting, ExpiresAt: time.Now().Add(time.Hour)}
	for _, n := range sessions.NodeNames {
		s.Nodes = append(s.Nodes, sessions.Node{Name: n, Status: sessions.NodeStarting})
	}
	if err := st.CreateSession(ctx, s, pool, store.Limits{}); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/26"), Bits: 28}
	user := sessions.NewID()
	s := newSession(t, st, user, pool)
	if p, err := netip.ParsePrefix(s.Subnet); err != nil || p.Bits() != 28 || !pool.Pool.Contains(p.Addr()) {
		t.Fatalf("subnet = %s, want a /28 of %s", s.Subnet, pool.Pool)
	}
	s.Nodes[0].ContainerID, s.Nodes[0].Address, s.Nodes[0].Status = "abc", "100.64.0.2", sessions.NodeRunning
	if err := st.UpdateNodes(ctx, s.ID, s.Nodes); err != nil {
		t.Fatal(err)
	}
	got, err := st.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != user || len(got.Nodes) != 3 || got.Nodes[0].Address != "100.64.0.2" || got.Nodes[0].ContainerID != "abc" {
		t.Fatalf("session read back wrong: %+v", got)
	}
	list, err := st.UserSessions(ctx, user)
	if err != nil || len(list) != 1 {
		t.Fatalf("user sessions = %v, %v", list, err)
	}
	for i := 0; i < 3; i++ { // fill the pool of four
		if x := newSession(t, st, user, pool); x.Subnet == s.Subnet {
			t.Fatalf("subnet %s handed out while held", x.Subnet)
		}
	}
	if err := st.EndSession(ctx, s.ID, "deleted"); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Session(ctx, s.ID)
	if got.Status != sessions.StatusEnded || got.EndedAt.IsZero() || got.Nodes[0].Status != sessions.NodeStopped {
		t.Fatalf("ended session = %+v", got)
	}
	// The subnet is free again: with the other three taken, it is the one
	// handed out.
	if s2 := newSession(t, st, user, pool); s2.Subnet != s.Subnet {
		t.Fatalf("subnet after end = %s, want the freed %s", s2.Subnet, s.Subnet)
	}
	if _, err := st.Session(ctx, sessions.NewID()); fault.ErrorCode(err) != fault.ENOTFOUND {
		t.Fatalf("unknown session: err = %v, want not_found", err)
	}
}

func TestSubnetsRunOutAndNeverCollide(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/26"), Bits: 28} // four subnets
	user := sessions.NewID()
	if err := st.EnsureUser(context.Background(), user); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	full := 0
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &sessions.Session{ID: sessions.NewID(), UserID: user, Status: sessions.StatusStarting, ExpiresAt: time.Now().Add(time.Hour)}
			err := st.CreateSession(context.Background(), s, pool, store.Limits{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case fault.ErrorCode(err) == fault.EFULL:
				full++
			case err != nil:
				t.Errorf("create: %v", err)
			case seen[s.Subnet]:
				t.Errorf("subnet %s handed out twice", s.Subnet)
			default:
				seen[s.Subnet] = true
			}
		}()
	}
	wg.Wait()
	if len(seen) != 4 || full != 2 {
		t.Fatalf("got %d sessions and %d full answers, want 4 and 2", len(seen), full)
	}
}

func TestExpiredSessions(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/24"), Bits: 28}
	user := sessions.NewID()
	s := newSession(t, st, user, pool)
	ids, err := st.ExpiredSessions(ctx, "default", time.Now())
	if err != nil || len(ids) != 0 {
		t.Fatalf("expired now = %v, %v; want none", ids, err)
	}
	ids, _ = st.ExpiredSessions(ctx, "default", time.Now().Add(2*time.Hour))
	if len(ids) != 1 || ids[0] != s.ID {
		t.Fatalf("expired in 2h = %v, want [%s]", ids, s.ID)
	}
	// Another deployment sharing the database neither sees nor reaps it.
	if ids, _ := st.ExpiredSessions(ctx, "other", time.Now().Add(2*time.Hour)); len(ids) != 0 {
		t.Fatalf("another instance sees %v", ids)
	}
	if n, _ := st.CountLive(ctx, "other"); n != 0 {
		t.Fatalf("another instance counts %d live sessions", n)
	}
}

func TestProgressStaysDone(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	user := sessions.NewID()
	if err := st.EnsureUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	l := store.Learner{UserID: user, Lab: "docker-orchestration"}
	try := func(section string, passed bool, out string) sessions.SectionProgress {
		t.Helper()
		p, err := st.RecordAttempt(ctx, store.Attempt{Learner: l, Section: section, Kind: "check", Passed: passed, Output: out})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := try("swarm", false, "1 of 3 nodes"); p.Status != sessions.SectionFailed || p.Attempts != 1 || p.Output != "1 of 3 nodes" {
		t.Fatalf("first failure = %+v", p)
	}
	p := try("swarm", true, "")
	if p.Status != sessions.SectionDone || p.Attempts != 2 || p.CompletedAt.IsZero() {
		t.Fatalf("pass = %+v", p)
	}
	completed := p.CompletedAt
	if p := try("swarm", false, "left the swarm"); p.Status != sessions.SectionDone || p.Attempts != 3 || !p.CompletedAt.Equal(completed) {
		t.Fatalf("failure after done = %+v, want still done since %v", p, completed)
	}
	list, err := st.Progress(ctx, l, []string{"orchestration", "swarm", "service"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Status != "pending" || list[1].Status != "done" || list[2].Status != "pending" {
		t.Fatalf("progress = %+v", list)
	}
	// Another scope (a classroom) is separate.
	other, _ := st.Progress(ctx, store.Learner{UserID: user, Lab: l.Lab, Scope: "class1"}, []string{"swarm"})
	if other[0].Status != "pending" {
		t.Fatalf("progress leaked across scopes: %+v", other)
	}
	if err := st.ResetProgress(ctx, l, ""); err != nil {
		t.Fatal(err)
	}
	list, _ = st.Progress(ctx, l, []string{"swarm"})
	if list[0].Status != "pending" || list[0].Attempts != 0 {
		t.Fatalf("after reset = %+v", list)
	}
	var events int
	if err := st.Pool().QueryRow(ctx, "SELECT count(*) FROM progress_events WHERE user_id = $1", user).Scan(&events); err != nil || events != 4 {
		t.Fatalf("events = %d, %v; want 3 checks and 1 reset", events, err)
	}
}

func TestSecretIsShared(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	a, err := st.Secret(context.Background(), "cookies")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := st.Secret(context.Background(), "cookies")
	if len(a) != 32 || string(a) != string(b) {
		t.Fatalf("secret changed between calls or is short: %x %x", a, b)
	}
}

func TestLimitsHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/24"), Bits: 28}
	users := []string{sessions.NewID(), sessions.NewID(), sessions.NewID(), sessions.NewID()}
	for _, u := range users {
		if err := st.EnsureUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	limits := store.Limits{MaxLive: 5, MaxPerUser: 2}
	var mu sync.Mutex
	made := map[string]int{}
	codes := map[fault.Code]int{}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := users[i%len(users)]
			s := &sessions.Session{ID: sessions.NewID(), UserID: u, Status: sessions.StatusStarting, ExpiresAt: time.Now().Add(time.Hour)}
			err := st.CreateSession(ctx, s, pool, limits)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				made[u]++
			}
			codes[fault.ErrorCode(err)]++
		}()
	}
	wg.Wait()
	total := 0
	for u, n := range made {
		if n > 2 {
			t.Errorf("user %s got %d sessions, over the limit of 2", u[:6], n)
		}
		total += n
	}
	if total != 5 || codes[""] != 5 || codes[fault.EFULL]+codes[fault.ECONFLICT] != 11 {
		t.Fatalf("made %d sessions (%v), want exactly 5 with 11 refusals", total, codes)
	}
	if n, _ := st.CountLive(ctx, "default"); n != 5 {
		t.Fatalf("live sessions = %d, want 5", n)
	}
}
