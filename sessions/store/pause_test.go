package store_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// A session's clock stands still while it is paused: an hour paused moves
// its end an hour on, and its paused time adds up; the paused deadline
// counts from the pause; a session paused, or of the pool, is never idle;
// a paused one expires only by its paused deadline.
func TestPauseStopsTheClock(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/26"), Bits: 28}
	s := newSession(t, st, sessions.NewID(), pool)
	if err := st.MarkRunning(ctx, s.ID, s.Nodes); err != nil {
		t.Fatal(err)
	}
	before, err := st.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PauseSession(ctx, "default", s.ID, 24*time.Hour, store.PauseLimits{}); err != nil {
		t.Fatal(err)
	}
	// The pause began an hour ago.
	if _, err := st.Pool().Exec(ctx, `UPDATE sessions SET paused_at = paused_at - interval '1 hour',
		paused_until = paused_until - interval '1 hour' WHERE id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	paused, err := st.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if paused.Status != sessions.StatusPaused || paused.PausedUntil.Sub(*paused.PausedAt) != 24*time.Hour {
		t.Fatalf("paused session = %+v; want paused, kept 24h from its pause", paused)
	}
	now := time.Now()
	for at, want := range map[time.Time]int{now: 0, now.Add(2 * time.Hour): 0, now.Add(24 * time.Hour): 1} {
		if ids, err := st.ExpiredSessions(ctx, "default", at); err != nil || len(ids) != 0 {
			t.Errorf("expired at %s: %v, %v; a paused session's clock stands still", at.Sub(now), ids, err)
		}
		if ids, err := st.PausedTooLong(ctx, "default", at); err != nil || len(ids) != want {
			t.Errorf("paused too long at +%s: %v, %v; want %d", at.Sub(now).Round(time.Hour), ids, err, want)
		}
	}
	if ids, err := st.IdleSessions(ctx, "default", now.Add(time.Hour)); err != nil || len(ids) != 0 {
		t.Errorf("idle sessions = %v, %v; a paused one is never idle", ids, err)
	}

	if err := st.ResumeSession(ctx, "default", s.ID, store.Limits{MaxLive: 1}); err != nil {
		t.Fatal(err)
	}
	resumed, err := st.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	moved := resumed.ExpiresAt.Sub(before.ExpiresAt)
	if resumed.Status != sessions.StatusRunning || resumed.PausedAt != nil || moved < time.Hour || moved > time.Hour+time.Minute {
		t.Errorf("resumed session = %+v; want running with its end an hour on (moved %s)", resumed, moved)
	}
	if resumed.PausedTotal < time.Hour || resumed.PausedTotal > time.Hour+time.Minute {
		t.Errorf("paused in all %s, want an hour", resumed.PausedTotal)
	}
	// Just resumed, it is not idle; unused for a day it is.
	if ids, err := st.IdleSessions(ctx, "default", now.Add(-time.Minute)); err != nil || len(ids) != 0 {
		t.Errorf("idle sessions right after the resume = %v, %v; want none", ids, err)
	}
	if ids, err := st.IdleSessions(ctx, "default", now.Add(24*time.Hour)); err != nil || len(ids) != 1 {
		t.Errorf("idle sessions a day on = %v, %v; want the resumed one", ids, err)
	}

	// A second running session on a host of one: the first cannot resume.
	if err := st.PauseSession(ctx, "default", s.ID, time.Hour, store.PauseLimits{MaxPaused: 1}); err != nil {
		t.Fatal(err)
	}
	other := newSession(t, st, sessions.NewID(), pool)
	if err := st.MarkRunning(ctx, other.ID, other.Nodes); err != nil {
		t.Fatal(err)
	}
	err = st.PauseSession(ctx, "default", other.ID, time.Hour, store.PauseLimits{MaxPaused: 1})
	if fault.ErrorCode(err) != fault.EFULL {
		t.Errorf("a pause over the budget: %v, want full", err)
	}
	err = st.ResumeSession(ctx, "default", s.ID, store.Limits{MaxLive: 1})
	if fault.ErrorCode(err) != fault.EFULL {
		t.Errorf("a resume on a full host: %v, want full", err)
	}
	// A session of the warm pool, however long unused, is never idle.
	if _, err := st.Pool().Exec(ctx, `UPDATE sessions SET pool = 'ready', last_used_at = now() - interval '2 days' WHERE id = $1`, other.ID); err != nil {
		t.Fatal(err)
	}
	if ids, err := st.IdleSessions(ctx, "default", now); err != nil || len(ids) != 0 {
		t.Errorf("idle sessions = %v, %v; a pool session is never idle", ids, err)
	}
	if err := st.EndSession(ctx, s.ID, "deleted"); err != nil {
		t.Fatal(err)
	}
	err = st.ResumeSession(ctx, "default", s.ID, store.Limits{})
	if fault.ErrorCode(err) != fault.ECONFLICT {
		t.Errorf("resuming an ended session: %v, want conflict", err)
	}
	err = st.PauseSession(ctx, "default", s.ID, time.Hour, store.PauseLimits{})
	if fault.ErrorCode(err) != fault.ECONFLICT {
		t.Errorf("pausing an ended session: %v, want conflict", err)
	}
}
