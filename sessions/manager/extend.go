package manager

import (
	"context"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// Extend adds Config.ExtendStep to the caller's live session, up to
// Config.MaxLifetime of running time counted from its start (time paused
// does not count), and returns it. A session at
// its maximum (less than a minute left to add) is ECONFLICT, saying when
// it ends.
func (m *Manager) Extend(ctx context.Context, userID, id string) (*sessions.Session, error) {
	s, err := m.liveSession(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	step, limit := m.extendLimits()
	last := s.CreatedAt.Add(s.PausedTotal).Add(limit)
	until := s.ExpiresAt.Add(step)
	if until.After(last) {
		until = last
	}
	if until.Sub(s.ExpiresAt) < time.Minute {
		return nil, fault.Errorf(fault.ECONFLICT, "This session has all the time it may have: it ends at %s (UTC).", s.ExpiresAt.UTC().Format("15:04"))
	}
	live, err := m.store.ExtendSession(ctx, s.ID, until)
	if err != nil {
		return nil, err
	}
	if !live {
		return nil, errEnded()
	}
	m.log.Info("session extended", "session", s.ID, "until", until)
	return m.Get(ctx, userID, id)
}

// extendLimits returns the step and the longest lifetime, with defaults.
func (m *Manager) extendLimits() (step, limit time.Duration) {
	step, limit = m.cfg.ExtendStep, m.cfg.MaxLifetime
	if step <= 0 {
		step = DefaultExtendStep
	}
	if limit <= 0 {
		limit = 4 * m.cfg.Lifetime
	}
	return step, limit
}
