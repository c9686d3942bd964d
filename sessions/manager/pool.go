package manager

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// The warm pool: sessions made before anyone asks, nodes up, inner engines
// answering and the lab's images in, so that a learner's Start is one
// database transaction. There are two kinds: the general pool
// (Config.PoolSize sessions of Config.PoolLab), and the seats an instructor
// asked to have ready for a classroom (of the classroom's lab). A pool
// session belongs to the pool's own user, so no learner's list shows it; it
// is reaped, reconciled and removed like any session of its deployment.
// runPool fills the pool one session at a time; Create takes from it and
// falls back to a cold start; a cold start that finds the host full gives up
// a session of the general pool first.

const (
	// poolEvery is how often the pool is looked at without a kick.
	poolEvery = 5 * time.Second
	// poolWarmingLimit is how long a pool session may load its images
	// before it is given up (a process that died while it loaded).
	poolWarmingLimit = 15 * time.Minute
	// takeAttempts is how many pool sessions one request may find unhealthy
	// before it starts cold.
	takeAttempts = 3
)

// poolUser is the user that owns an instance's pool sessions. No learner's
// id has a colon.
func poolUser(instance string) string { return "pool:" + instance }

// fromPool hands the learner a ready pool session that fits the request:
// one of its classroom's ready seats first, then one of the general pool.
// It returns nil when none fits or none is ready. A pool session whose
// nodes are not all running is ended, never handed out.
func (m *Manager) fromPool(ctx context.Context, req NewSession, lifetime time.Duration) (*sessions.Session, error) {
	var takes []store.Take
	learner := &sessions.Session{UserID: req.UserID, ClientAddr: req.ClientAddr, Lab: req.Lab, Lang: req.Lang,
		Scope: req.Scope, Instance: m.instance(), ExpiresAt: time.Now().UTC().Truncate(time.Second).Add(lifetime)}
	if req.Scope != "" {
		takes = append(takes, store.Take{Session: learner, PoolLab: req.Lab, WarmFor: req.Scope})
	}
	if m.cfg.PoolSize > 0 && m.fitsPool(req.Lab) {
		takes = append(takes, store.Take{Session: learner, PoolLab: m.cfg.PoolLab})
	}
	limits := store.Limits{MaxLive: m.cfg.MaxSessions, MaxPerUser: m.cfg.MaxPerLearner, MaxPerAddress: m.cfg.MaxPerAddress}
	for _, t := range takes {
		for try := 0; try < takeAttempts; try++ {
			id, err := m.store.TakePooled(ctx, t, limits)
			if err != nil || id == "" {
				if err == nil {
					break
				}
				return nil, err
			}
			m.kickPool()
			s, err := m.store.Session(ctx, id)
			if err != nil {
				return nil, err
			}
			if m.healthy(ctx, s) {
				return s, nil
			}
			m.log.Warn("a pool session failed its health check; ending it", "session", id)
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			if err := m.end(cctx, id, "failed its health check"); err != nil {
				m.log.Error("end an unhealthy pool session", "session", id, "err", err)
			}
			cancel()
		}
	}
	return nil, nil
}

// fitsPool reports whether a session of lab can be served by the general
// pool: the pool's lab, or a free playground or a lab with as many nodes
// whose images the pool's nodes have.
func (m *Manager) fitsPool(lab string) bool {
	if lab == m.cfg.PoolLab {
		return true
	}
	if m.nodesFor(lab) != m.nodesFor(m.cfg.PoolLab) {
		return false
	}
	if lab == "" {
		return true
	}
	if m.cfg.LabImages == nil {
		return false
	}
	have := m.cfg.LabImages(m.cfg.PoolLab)
	for _, img := range m.cfg.LabImages(lab) {
		if !slices.Contains(have, img) {
			return false
		}
	}
	return true
}

// healthy reports whether every node of s runs.
func (m *Manager) healthy(ctx context.Context, s *sessions.Session) bool {
	if s.Status != sessions.StatusRunning || len(s.Nodes) == 0 {
		return false
	}
	ok := make([]bool, len(s.Nodes))
	var wg sync.WaitGroup
	for i, n := range s.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			running, err := m.engine.NodeRunning(ctx, n.ContainerID)
			ok[i] = err == nil && running
		}()
	}
	wg.Wait()
	return !slices.Contains(ok, false)
}

// reclaimPool ends the general pool's oldest session, to make room for a
// learner's cold start on a full host. It reports whether one went.
func (m *Manager) reclaimPool(ctx context.Context) bool {
	list, err := m.store.PoolSessions(ctx, m.instance())
	if err != nil {
		return false
	}
	for _, p := range list {
		if p.WarmFor != "" {
			continue // a classroom's seats are its own
		}
		if err := m.end(ctx, p.ID, "given up for a learner"); err != nil {
			m.log.Warn("give up a pool session", "session", p.ID, "err", err)
			return false
		}
		m.log.Info("gave up a pool session for a learner's start", "session", p.ID)
		return true
	}
	return false
}

// kickPool wakes the pool's filler.
func (m *Manager) kickPool() {
	select {
	case m.poolKick <- struct{}{}:
	default:
	}
}

// runPool keeps the pool filled until ctx ends: at start, after every
// take, and every poolEvery.
func (m *Manager) runPool(ctx context.Context) {
	tick := time.NewTicker(poolEvery)
	defer tick.Stop()
	for {
		m.fillPool(ctx)
		select {
		case <-ctx.Done():
			return
		case <-m.poolKick:
		case <-tick.C:
		}
	}
}

// poolOrder is one pool session to make.
type poolOrder struct {
	lab, lang, warmFor string
	lifetime           time.Duration
}

// fillPool makes pool sessions, one at a time, until none is missing or
// the host is full, and ends the ones no longer wanted.
func (m *Manager) fillPool(ctx context.Context) {
	for ctx.Err() == nil {
		order, ok := m.nextPoolOrder(ctx)
		if !ok {
			return
		}
		start := time.Now()
		err := m.makePoolSession(ctx, order)
		if err != nil {
			// EFULL: the host is full; ECONFLICT: another process
			// filled this pool first (store.Limits.PoolSize).
			if c := fault.ErrorCode(err); c != fault.EFULL && c != fault.ECONFLICT && ctx.Err() == nil {
				m.log.Warn("could not fill the pool", "classroom", order.warmFor, "err", err)
			}
			return
		}
		m.log.Info("pool session ready", "classroom", order.warmFor, "lab", order.lab, "took_ms", time.Since(start).Milliseconds())
	}
}

// nextPoolOrder says which pool session to make next, if any: a
// classroom's seats first, then the general pool. On the way it ends pool
// sessions nobody wants any more (a closed classroom's, a former pool lab's,
// ones stuck warming).
func (m *Manager) nextPoolOrder(ctx context.Context) (poolOrder, bool) {
	list, err := m.store.PoolSessions(ctx, m.instance())
	if err != nil {
		return poolOrder{}, false
	}
	var requests []store.WarmRequest
	if requests, err = m.store.WarmRequests(ctx); err != nil {
		return poolOrder{}, false
	}
	wanted := map[string]int{"": m.cfg.PoolSize}
	labOf := map[string]string{"": m.cfg.PoolLab}
	for _, r := range requests {
		wanted[r.Classroom], labOf[r.Classroom] = r.Wanted, r.Lab
	}
	have := map[string]int{}
	for _, p := range list {
		stuck := p.Pool == sessions.PoolWarming && time.Since(p.CreatedAt) > poolWarmingLimit
		if stuck || p.Lab != labOf[p.WarmFor] || have[p.WarmFor] >= wanted[p.WarmFor] {
			if err := m.end(ctx, p.ID, "no longer wanted in the pool"); err != nil {
				m.log.Warn("end a pool session", "session", p.ID, "err", err)
			}
			continue
		}
		have[p.WarmFor]++
	}
	for _, r := range requests {
		if have[r.Classroom] < r.Wanted {
			return poolOrder{lab: r.Lab, lang: r.Lang, warmFor: r.Classroom, lifetime: time.Duration(r.SessionMinutes) * time.Minute}, true
		}
	}
	if have[""] < m.cfg.PoolSize {
		return poolOrder{lab: m.cfg.PoolLab, lang: "en"}, true
	}
	return poolOrder{}, false
}

// makePoolSession starts one pool session and, once its lab's images are
// in, marks it ready.
func (m *Manager) makePoolSession(ctx context.Context, o poolOrder) error {
	req := NewSession{UserID: poolUser(m.instance()), Lab: o.lab, Lang: o.lang, Lifetime: o.lifetime,
		pool: sessions.PoolWarming, warmFor: o.warmFor}
	var s *sessions.Session
	for attempt := 1; ; attempt++ {
		var clashed bool
		var err error
		s, clashed, err = m.createOnce(ctx, req)
		if clashed && attempt < startAttempts {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	m.loadLabImages(s)
	if err := m.waitImages(ctx, s.ID); err != nil {
		return err
	}
	return m.store.MarkPoolReady(ctx, s.ID)
}

// ReadySeats asks for n seats of a classroom to be made ready ahead of its
// learners (0 gives up the ones not taken yet), and wakes the filler.
func (m *Manager) ReadySeats(ctx context.Context, classroomID string, n int) error {
	if err := m.store.SetWarmWanted(ctx, classroomID, n); err != nil {
		return err
	}
	m.kickPool()
	return nil
}

// SeatsReady returns how many ready seats a classroom asked for (still to
// be taken) and how many are ready now.
func (m *Manager) SeatsReady(ctx context.Context, classroomID string) (wanted, ready int, err error) {
	return m.store.WarmSeats(ctx, classroomID)
}
