package ratelimit

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"
)

// Lease is one thing under way, counted in a shared store: the ID-th of
// Key (a session) in the cap called Name ("terminals").
type Lease struct {
	Name, Key, ID string
}

// LeaseStore keeps the leases of every process sharing it (Postgres:
// sessions/store). A lease counts until it is left or until ttl after it
// was last entered or renewed, so that a process killed while it held some
// stops counting once they expire. Errors mean the store could not be
// reached or failed.
type LeaseStore interface {
	// EnterLease records l for holder unless l.Key has max unexpired
	// leases of l.Name already, and reports whether it did. Concurrent
	// calls for one key take turns, from any process.
	EnterLease(ctx context.Context, l Lease, holder string, max int, ttl time.Duration, now time.Time) (bool, error)
	// LeaveLease deletes l.
	LeaveLease(ctx context.Context, l Lease) error
	// RenewLeases pushes back the expiry of holder's leases, recording
	// again those the store lost (entered while it did not answer, or
	// expired meanwhile), and deletes every expired lease.
	RenewLeases(ctx context.Context, holder string, leases []Lease, ttl time.Duration, now time.Time) error
}

// A lease lives leaseTTL unless renewed; its process renews every
// leaseRenew, so it lives on through two missed renewals.
const (
	leaseTTL   = time.Minute
	leaseRenew = leaseTTL / 3
)

// Cap bounds how many things each key has under way at once, like
// InFlight, but counted over every process on the same LeaseStore: each
// thing is a lease this process renews while it lasts. Without a store, or
// while the store does not answer, it counts in this process only (the cap
// then holds per process); a lease entered meanwhile is recorded in the
// store once it answers again. Use NewCap.
type Cap struct {
	name   string
	max    int
	store  LeaseStore // nil: this process only
	holder string     // this Cap's name in the store's leases
	local  *InFlight  // what this process has under way, in all modes
	fb     fallback
	now    func() time.Time // the clock; tests stop it

	mu       sync.Mutex
	held     map[string]Lease // by ID: every lease this process holds
	stopLoop chan struct{}    // closed to stop the renewal loop; nil when none runs

	// storeMu keeps a lease from being left while a renewal that may
	// record it again is under way: renewals hold it, leaves read-hold it.
	storeMu sync.RWMutex
}

// NewCap returns a cap of max things under way per key, called name in
// st, shared through st; a nil st keeps it in this process. log receives
// the store's failures (nil: the default logger).
func NewCap(name string, max int, st LeaseStore, log *slog.Logger) *Cap {
	return &Cap{name: name, max: max, store: st, holder: rand.Text(), local: NewInFlight(max),
		fb: fallback{what: name, log: orDefault(log)}, now: time.Now, held: map[string]Lease{}}
}

// Enter counts one more thing under way for key and returns the function
// that ends it, or false when key has max already, in this process or in
// all of them.
func (c *Cap) Enter(ctx context.Context, key string) (leave func(), ok bool) {
	leaveLocal, ok := c.local.Enter(key)
	if !ok || c.store == nil {
		return leaveLocal, ok
	}
	l := Lease{Name: c.name, Key: key, ID: rand.Text()}
	var entered bool
	if now := c.now(); c.fb.call(ctx, now, func(sctx context.Context) (err error) {
		entered, err = c.store.EnterLease(sctx, l, c.holder, c.max, leaseTTL, now)
		return err
	}) && !entered {
		leaveLocal()
		return nil, false
	}
	c.hold(l)
	var once sync.Once
	return func() { once.Do(func() { c.leave(l); leaveLocal() }) }, true
}

// hold adds l to the leases this process renews, and starts renewing.
func (c *Cap) hold(l Lease) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held[l.ID] = l
	if c.stopLoop == nil {
		c.stopLoop = make(chan struct{})
		go c.renewLoop(c.stopLoop)
	}
}

// leave ends l in the store; the renewal loop stops with the last lease.
func (c *Cap) leave(l Lease) {
	c.mu.Lock()
	delete(c.held, l.ID)
	if len(c.held) == 0 && c.stopLoop != nil {
		close(c.stopLoop)
		c.stopLoop = nil
	}
	c.mu.Unlock()
	// A lease that is not deleted, while the store does not answer,
	// expires: nothing renews it any more.
	c.storeMu.RLock()
	defer c.storeMu.RUnlock()
	c.fb.call(context.Background(), c.now(), func(ctx context.Context) error { return c.store.LeaveLease(ctx, l) })
}

// renewLoop renews this process's leases every leaseRenew until stop is
// closed, which happens when it holds none.
func (c *Cap) renewLoop(stop <-chan struct{}) {
	tick := time.NewTicker(leaseRenew)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			c.renew()
		}
	}
}

// renew renews every lease this process holds.
func (c *Cap) renew() {
	c.storeMu.Lock()
	defer c.storeMu.Unlock()
	c.mu.Lock()
	leases := make([]Lease, 0, len(c.held))
	for _, l := range c.held {
		leases = append(leases, l)
	}
	c.mu.Unlock()
	if len(leases) == 0 {
		return
	}
	// Tried even while the store is failing: it is what records again the
	// leases entered meanwhile, and it runs in the background.
	now := c.now()
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	c.fb.result(context.Background(), now, c.store.RenewLeases(ctx, c.holder, leases, leaseTTL, now))
}
