package manager

import (
	"context"
	"sync"
	"time"

	"github.com/labplay/playground/fault"
)

// The idle pause: a running learner session that nobody has used for
// Config.IdlePause (no terminal of its owner's attached, no request of
// its owner's) is paused on its own. Use is kept in memory, for this
// process's terminals and requests, and in the sessions' last_used_at,
// for every process sharing the database; the latter is written at most
// once every touchEvery per session, and on every tick for sessions with
// a terminal attached.

// touchEvery is how often a session's use is written to the database.
const touchEvery = time.Minute

// activity is what this process knows of its sessions' use.
type activity struct {
	mu       sync.Mutex
	used     map[string]time.Time // last use seen here
	written  map[string]time.Time // last use written to the database
	attached map[string]int       // terminals of the owner attached here
}

func newActivity() *activity {
	return &activity{used: map[string]time.Time{}, written: map[string]time.Time{}, attached: map[string]int{}}
}

// touch records that the session was used now, and writes it to the
// database when it has not been for touchEvery.
func (m *Manager) touch(ctx context.Context, id string) {
	now := time.Now()
	a := m.activity
	a.mu.Lock()
	a.used[id] = now
	write := now.Sub(a.written[id]) >= touchEvery
	if write {
		a.written[id] = now
	}
	a.mu.Unlock()
	if !write {
		return
	}
	if err := m.store.TouchSessions(ctx, []string{id}, now); err != nil {
		m.log.Warn("could not record a session's use", "session", id, "err", err)
	}
}

// attached records a terminal of the owner attached to the session, until
// the function it returns is called.
func (m *Manager) attached(id string) (detach func()) {
	a := m.activity
	a.mu.Lock()
	a.attached[id]++
	a.used[id] = time.Now()
	a.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.attached[id]--; a.attached[id] <= 0 {
				delete(a.attached, id)
			}
			a.used[id] = time.Now()
		})
	}
}

// inUse reports whether the session has a terminal attached here, or was
// used here since since.
func (m *Manager) inUse(id string, since time.Time) bool {
	a := m.activity
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.attached[id] > 0 || a.used[id].After(since)
}

// writeAttached writes now as the last use of every session with a
// terminal attached here, and forgets what it knows of sessions unused
// for a day.
func (m *Manager) writeAttached(ctx context.Context, now time.Time) error {
	a := m.activity
	a.mu.Lock()
	ids := make([]string, 0, len(a.attached))
	for id := range a.attached {
		ids = append(ids, id)
		a.used[id], a.written[id] = now, now
	}
	for id, t := range a.used {
		if a.attached[id] == 0 && now.Sub(t) > 24*time.Hour {
			delete(a.used, id)
			delete(a.written, id)
		}
	}
	a.mu.Unlock()
	return m.store.TouchSessions(ctx, ids, now)
}

// pauseIdle pauses, in the background, every running learner session of
// this deployment unused for Config.IdlePause, and returns how many it
// set off pausing. With IdlePause 0 it does nothing.
func (m *Manager) pauseIdle(ctx context.Context, now time.Time) (int, error) {
	if m.cfg.IdlePause <= 0 {
		return 0, nil
	}
	if err := m.writeAttached(ctx, now); err != nil {
		return 0, err
	}
	since := now.Add(-m.cfg.IdlePause)
	ids, err := m.store.IdleSessions(ctx, m.instance(), since)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if m.inUse(id, since) {
			continue
		}
		s, err := m.store.Session(ctx, id)
		if err != nil {
			return n, err
		}
		n++
		m.goBackground(func(ctx context.Context) {
			err := m.pause(ctx, s, "idle")
			switch {
			case err == nil:
			case fault.ErrorCode(err) == fault.EFULL:
				// No room for another paused session: it goes on running.
				m.log.Debug("idle session not paused", "session", id, "err", err)
			default:
				m.log.Warn("could not pause an idle session", "session", id, "err", err)
			}
		})
	}
	return n, nil
}
