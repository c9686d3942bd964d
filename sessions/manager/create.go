package manager

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/store"
)

// NewSession describes a session to create.
type NewSession struct {
	UserID string
	// ClientAddr is the address asking; sessions without a Scope are capped
	// per address (Config.MaxPerAddress).
	ClientAddr string
	Lab        string
	Lang       string
	Scope      string
	// Lifetime overrides the configured lifetime when positive.
	Lifetime time.Duration

	// pool and warmFor make a pool session (pool.go).
	pool, warmFor string
}

// startAttempts is how many subnets a session start tries before giving up:
// a subnet can be held on the engine by something the database does not
// know of (another deployment, a network made by hand).
const startAttempts = 3

// Create starts a session, with the nodes its lab declares (three without
// a lab), and returns once every inner engine answers. When the host is full it returns EFULL with a retry delay.
// On any failure, whatever was created is removed again.
//
// A ready session of the warm pool that fits the request is handed over
// first (pool.go); otherwise the session starts cold, and a host full of
// pool sessions gives one of them up for it.
func (m *Manager) Create(ctx context.Context, req NewSession) (s *sessions.Session, err error) {
	started := time.Now()
	path := "cold"
	defer func() {
		// Refusals by the limits are not starts.
		if c := fault.ErrorCode(err); c != fault.EFULL && c != fault.ECONFLICT {
			m.cfg.Metrics.SessionStarted(path, time.Since(started), err)
		}
	}()
	lifetime := m.cfg.Lifetime
	if req.Lifetime > 0 {
		lifetime = req.Lifetime
	}
	if s, err := m.fromPool(ctx, req, lifetime); err != nil || s != nil {
		if s != nil {
			path = "pool"
		}
		return s, err
	}
	reclaimed := false
	for attempt := 1; ; attempt++ {
		s, clashed, err := m.createOnce(ctx, req)
		if clashed && attempt < startAttempts {
			m.log.Warn("session network clashed; trying another subnet", "err", err)
			continue
		}
		if fault.ErrorCode(err) == fault.EFULL && !reclaimed && m.reclaimPool(ctx) {
			reclaimed = true
			continue
		}
		if err != nil {
			return nil, err
		}
		m.loadLabImages(s)
		return s, nil
	}
}

// createOnce records a session with a free subnet and starts its nodes. It
// reports a clash when the engine already holds that network or subnet.
func (m *Manager) createOnce(ctx context.Context, req NewSession) (s *sessions.Session, clashed bool, err error) {
	lifetime := m.cfg.Lifetime
	if req.Lifetime > 0 {
		lifetime = req.Lifetime
	}
	now := time.Now().UTC().Truncate(time.Second)
	s = &sessions.Session{
		ID: sessions.NewID(), UserID: req.UserID, ClientAddr: req.ClientAddr, Lab: req.Lab, Lang: req.Lang, Scope: req.Scope, Instance: m.instance(),
		Status: sessions.StatusStarting, CreatedAt: now, ExpiresAt: now.Add(lifetime), Pool: req.pool, WarmFor: req.warmFor,
	}
	for _, name := range sessions.NodeNamesN(m.nodesFor(req.Lab)) {
		s.Nodes = append(s.Nodes, sessions.Node{Name: name, Status: sessions.NodeStarting})
	}
	limits := store.Limits{MaxLive: m.cfg.MaxSessions, MaxPerUser: m.cfg.MaxPerLearner, MaxPerAddress: m.cfg.MaxPerAddress, PoolSize: m.cfg.PoolSize}
	if err := m.store.CreateSession(ctx, s, m.cfg.Subnets, limits); err != nil {
		return nil, false, err
	}
	m.phases.Store(s.ID, sessions.PhaseNodes)
	defer m.phases.Delete(s.ID)
	if clashed, err := m.start(ctx, s); err != nil {
		// Clean up with a context of our own: the caller's may be gone. A
		// session deleted while it started is torn down here too.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if rerr := m.end(cctx, s.ID, "failed to start"); rerr != nil {
			m.log.Error("cleanup after failed start", "session", s.ID, "err", rerr)
		}
		return nil, clashed, err
	}
	return s, false, nil
}

// startTimeout bounds how long creating a session may take.
func (m *Manager) startTimeout() time.Duration {
	if m.cfg.StartTimeout > 0 {
		return m.cfg.StartTimeout
	}
	return 2 * time.Minute
}

// start creates the nodes of s, waits for their engines and records them.
// It reports a clash when the engine already holds the session's network
// or subnet.
func (m *Manager) start(ctx context.Context, s *sessions.Session) (clashed bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, m.startTimeout())
	defer cancel()
	subnet, err := netip.ParsePrefix(s.Subnet)
	if err != nil {
		return false, err
	}
	names := make([]string, len(s.Nodes))
	for i, n := range s.Nodes {
		names[i] = n.Name
	}
	nodes, err := m.engine.CreateSession(ctx, s.ID, subnet, names)
	if err != nil {
		return fault.ErrorCode(err) == fault.ECONFLICT, err
	}
	m.phases.Store(s.ID, sessions.PhaseEngines)
	return false, m.ready(ctx, s, nodes)
}

// ready records the nodes of s, waits for their engines and marks s running.
func (m *Manager) ready(ctx context.Context, s *sessions.Session, nodes []engine.Node) error {
	for i, n := range nodes {
		s.Nodes[i] = sessions.Node{Name: n.Name, ContainerID: n.ContainerID, Address: n.Addr.String(), Status: sessions.NodeStarting}
	}
	if err := m.store.UpdateNodes(ctx, s.ID, s.Nodes); err != nil {
		return err
	}
	errs := make([]error, len(s.Nodes))
	var wg sync.WaitGroup
	for i := range s.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = m.engine.WaitReady(ctx, s.Nodes[i].ContainerID)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for i := range s.Nodes {
		s.Nodes[i].Status = sessions.NodeRunning
	}
	s.Status = sessions.StatusRunning
	return m.store.MarkRunning(ctx, s.ID, s.Nodes)
}
