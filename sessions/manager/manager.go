// Package manager runs the lifecycle of sessions: it creates their nodes on
// the Docker engine and records them in Postgres, ends sessions that
// expire, and reconciles the two after a restart. It is the one door to a
// session: its nodes, files, ports, shared links and terminals are reached
// through it, and it decides who may (the owner; a classroom's instructor
// through ScopeSession; whoever holds a shared link's token).
package manager

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/ratelimit"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// Config holds the limits of the manager.
type Config struct {
	// Lifetime is how long a session lives unless asked otherwise.
	Lifetime time.Duration
	// ExtendStep is how much time a learner adds to their session at once,
	// and MaxLifetime how long, counted from its start, it may live in all;
	// 0 means 30 minutes and four times Lifetime.
	ExtendStep  time.Duration
	MaxLifetime time.Duration
	// MaxSessions is how many live sessions the host accepts.
	MaxSessions int
	// MaxPerLearner is how many live sessions one learner may hold.
	MaxPerLearner int
	// MaxPerAddress is how many live sessions outside a classroom one
	// client address may hold; 0 means no cap.
	MaxPerAddress int
	// LabImages names the images a lab needs in its nodes; they are copied
	// in after a start, and again after a restart of the server or a node
	// where a copy was cut short. Without it no image is copied.
	LabImages func(lab string) []string
	// LabNodes says how many nodes a lab's sessions get (its lab.md's
	// nodes); nil, or 0 for a lab, means sessions.DefaultNodes, as for a
	// session without a lab.
	LabNodes func(lab string) int
	// Subnets is the pool that session networks are cut from.
	Subnets store.Subnets
	// ReapEvery is how often expired sessions are looked for.
	ReapEvery time.Duration
	// StartTimeout bounds how long creating a session may take.
	StartTimeout time.Duration
	// EventRetention is how long progress events are kept (progress itself
	// is kept for good); 0 keeps them for good too.
	EventRetention time.Duration
	// Metrics receives session starts, checks and the periodic work; nil
	// records nothing.
	Metrics *metrics.Metrics
	// PoolSize is how many ready sessions of PoolLab the general warm
	// pool holds (pool.go); 0 keeps none. Classrooms' ready seats are
	// made whatever it is.
	PoolSize int
	// IdlePause is how long a running learner session may go unused (no
	// terminal of its owner's attached, no request of its owner's) before
	// it is paused on its own (idle.go); 0 never pauses one.
	IdlePause time.Duration
	// PausedLifetime is how long a paused session is kept before it ends;
	// 0 means DefaultPausedLifetime.
	PausedLifetime time.Duration
	// MaxPaused is how many paused sessions the host keeps, the budget of
	// their disks; 0 means no cap.
	MaxPaused int
	// PoolLab is the lab the general pool's sessions are made for; a
	// request for another lab takes one when the pool's nodes have that
	// lab's images.
	PoolLab string
}

// Manager ties the engine and the store together. Its background work (the
// reaper and image loading) is owned by Run and ends with Run's context.
type Manager struct {
	cfg    Config
	engine Engine
	store  *store.Store
	log    *slog.Logger

	// bg tracks background goroutines started on behalf of requests, so that
	// shutdown can wait for them.
	bgMu   sync.Mutex // orders goBackground's Add before stopBackground's Wait
	bg     sync.WaitGroup
	bgCtx  context.Context
	bgStop context.CancelFunc

	// loading holds, per session whose lab images are being copied into its
	// nodes, a channel closed when that is over.
	loadingMu sync.Mutex
	loading   map[string]chan struct{}

	// setups orders each session's runs of hidden setups (setup.go).
	setups setupRuns

	// gates keeps each session's checks, values and restarts one at a
	// time and within a rate (gate.go).
	gates *gates

	// transfers bounds each session's file uploads and downloads, over
	// every process sharing the database (files.go).
	transfers *ratelimit.Cap

	// lastPrune is when Run last pruned progress events; only Run's
	// goroutine touches it.
	lastPrune time.Time

	// poolKick wakes the pool's filler (pool.go) after a take.
	poolKick chan struct{}

	// phases holds, per session starting, pausing or resuming in this
	// process, its phase (sessions.PhaseNodes, PhaseEngines, PhasePausing
	// or PhaseWaking).
	phases sync.Map

	// activity is this process's record of its sessions' use, for the
	// idle pause (idle.go).
	activity *activity
	// replacing holds, per session whose nodes an instructor is resetting
	// (instructor.go), the zero time while it lasts and then when it ended.
	replacing sync.Map
}

// New returns a manager. Call Run to start its background work.
func New(cfg Config, eng Engine, st *store.Store, log *slog.Logger) *Manager {
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{cfg: cfg, engine: eng, store: st, log: log, bgCtx: ctx, bgStop: cancel,
		loading: map[string]chan struct{}{}, setups: setupRuns{latest: map[string]*setupRun{}}, gates: newGates(st, log), transfers: ratelimit.NewCap("transfers", MaxTransfers, st, log), poolKick: make(chan struct{}, 1), activity: newActivity()}
}

// Run reconciles the engine with the store once, then, on every tick until
// ctx ends, reaps expired sessions, reconciles again (so that nodes of a
// session ended while it started, or by another process, never stay) and
// prunes old progress events. When it returns, every background goroutine
// has exited.
func (m *Manager) Run(ctx context.Context) error {
	defer m.stopBackground()
	if err := m.Reconcile(ctx, true); err != nil {
		m.log.Error("reconcile failed", "err", err)
	}
	pooling := make(chan struct{})
	go func() {
		defer close(pooling)
		m.runPool(ctx)
	}()
	defer func() { <-pooling }()
	every := m.cfg.ReapEvery
	if every <= 0 {
		every = 30 * time.Second
	}
	// A short idle pause is looked for at least twice within it, so an
	// unused session is paused at most half as late again.
	if half := m.cfg.IdlePause / 2; half > 0 && half < every {
		every = half
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var hostsChanged chan struct{}
	if w, ok := m.engine.(hostWatcher); ok {
		hostsChanged = make(chan struct{}, 1)
		watching := make(chan struct{})
		go func() {
			defer close(watching)
			w.Watch(ctx, hostsChanged)
		}()
		defer func() { <-watching }()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			m.tick(ctx, time.Now())
		case <-hostsChanged:
			// A host was drained, lost or came back: its sessions end now,
			// not at the next tick.
			if err := m.Reconcile(ctx, false); err != nil {
				m.log.Warn("reconcile after the hosts changed failed", "err", err)
			}
		}
	}
}

// hostWatcher is an Engine whose hosts come and go (a cluster): Watch
// sends on changed when they do, until ctx ends.
type hostWatcher interface {
	Watch(ctx context.Context, changed chan<- struct{})
}

// stopBackground cancels background work and waits for it.
func (m *Manager) stopBackground() {
	m.bgMu.Lock()
	m.bgStop()
	m.bgMu.Unlock()
	m.bg.Wait()
}

// goBackground runs fn in a goroutine owned by the manager. Once the
// manager has stopped, fn is not run, and it returns false.
func (m *Manager) goBackground(fn func(ctx context.Context)) bool {
	m.bgMu.Lock()
	defer m.bgMu.Unlock()
	if m.bgCtx.Err() != nil {
		return false
	}
	m.bg.Add(1)
	go func() {
		defer m.bg.Done()
		fn(m.bgCtx)
	}()
	return true
}

// instance names the deployment whose sessions this manager looks after.
func (m *Manager) instance() string { return m.engine.Config().Instance }

// Config returns the manager's configuration.
func (m *Manager) Config() Config { return m.cfg }

// Ping reports whether the two things sessions stand on answer: the
// database and the Docker engine. Each error is EUNAVAILABLE, or nil.
func (m *Manager) Ping(ctx context.Context) (dbErr, engineErr error) {
	return m.store.Ping(ctx), m.engine.Ping(ctx)
}

// Delete ends the caller's session and removes its containers, volumes and
// network. Deleting an ended session succeeds and changes nothing.
func (m *Manager) Delete(ctx context.Context, userID, id string) error {
	s, err := m.Get(ctx, userID, id)
	if err != nil {
		return err
	}
	// Finish the removal even if the caller goes away half-way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endTimeout)
	defer cancel()
	return m.endAny(ctx, s, "deleted")
}

// endAny ends a session of any deployment sharing the database. The
// containers of another deployment's session are on an engine this process
// does not drive, so that session is only made to expire now: its own
// deployment's reaper removes it within a reaping interval.
func (m *Manager) endAny(ctx context.Context, s *sessions.Session, reason string) error {
	if s.Instance != "" && s.Instance != m.instance() {
		return m.store.ExpireSession(ctx, s.ID)
	}
	return m.end(ctx, s.ID, reason)
}

// endTimeout bounds the removal of one session's resources.
const endTimeout = 2 * time.Minute

// Teardown retries: a session whose resources cannot be removed after
// teardownAttempts tries, teardownBackoff apart and doubling, is ended all
// the same, so that it never holds capacity, a subnet or a learner's cap;
// it is recorded with remains, which the periodic sweep (sweepRemains)
// removes once the engine lets it.
const (
	teardownAttempts = 4
	teardownBackoff  = 500 * time.Millisecond
)

// end removes a session's resources from the engine, then records it ended
// with reason. A removal that keeps failing is retried with backoff, then
// recorded in the reason and left to the sweeps: only Postgres failing
// makes end fail.
func (m *Manager) end(ctx context.Context, id, reason string) error {
	var err error
	backoff := teardownBackoff
	for attempt := 1; attempt <= teardownAttempts; attempt++ {
		if err = m.engine.RemoveSession(ctx, id); err == nil || ctx.Err() != nil || attempt == teardownAttempts {
			break
		}
		m.log.Info("session teardown failed; retrying", "session", id, "attempt", attempt, "err", err)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
		backoff *= 2
	}
	if err != nil {
		m.log.Error("session teardown failed; ending it and leaving its remains to the sweep", "session", id, "reason", reason, "err", err)
		reason += "; teardown failed: " + sessions.Clip(err.Error(), 200)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if serr := m.store.EndSession(ctx, id, reason); serr != nil {
		return fmt.Errorf("manager: end session %s: %w", id, serr)
	}
	if err != nil {
		if serr := m.store.SetRemains(ctx, id, true); serr != nil {
			m.log.Warn("could not record a session's remains; Reconcile still removes its containers and network", "session", id, "err", serr)
		}
	}
	return nil
}

// storeTimeout bounds the recording of a session's end.
const storeTimeout = 30 * time.Second

// nodesFor returns how many nodes a session of lab starts with.
func (m *Manager) nodesFor(lab string) int {
	if lab != "" && m.cfg.LabNodes != nil {
		if n := m.cfg.LabNodes(lab); n >= 1 && n <= sessions.MaxNodes {
			return n
		}
	}
	return sessions.DefaultNodes
}
