// Package live fans changes recorded in Postgres out to the dashboards open
// in this process. Each process holds one connection that LISTENs to the
// database's announcements (pg_notify on 'progress_events' and
// 'classroom_events'), so a check recorded by any process sharing the
// database reaches every dashboard, wherever it is served.
//
// A Hub delivers by scope (a classroom id). Subscribers never block it:
// each subscription keeps the set of learners changed since it last looked,
// and a subscriber that must reload everything (the connection to the
// database was lost, so announcements may have been missed) is told so.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
)

// Channels are the Postgres notification channels a Hub listens to.
var Channels = []string{"progress_events", "classroom_events"}

// ErrClosed is returned by a Subscription whose Hub has stopped.
var ErrClosed = errors.New("live: hub closed")

// Event is one announcement from the database.
type Event struct {
	// Scope is the classroom the change belongs to ("" for anonymous practice).
	Scope string `json:"scope"`
	// UserID is the learner whose row changed, or "" for the classroom itself.
	UserID string `json:"user_id"`
	// Kind is check, ack, reset or quiz (progress), or member, session or
	// closed.
	Kind string `json:"kind"`
	// Section is the section a progress event is about, if any.
	Section string `json:"section"`
}

// maxPending bounds the changed learners a subscription keeps; past it the
// subscriber is asked to reload everything instead.
const maxPending = 4096

// Hub routes events to subscriptions by scope. Its zero value is not usable;
// call NewHub.
type Hub struct {
	log *slog.Logger

	mu     sync.Mutex
	subs   map[string]map[*Subscription]struct{}
	closed bool
	ready  chan struct{} // closed once the first LISTEN is in place
	once   sync.Once
}

// NewHub returns a Hub with no source of events: Publish feeds it. Listen
// (see listener.go) connects one to Postgres.
func NewHub(log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{log: log, subs: map[string]map[*Subscription]struct{}{}, ready: make(chan struct{})}
}

// Subscribe returns a subscription to the changes of a scope. It fails with
// ErrClosed once the hub has stopped.
func (h *Hub) Subscribe(scope string) (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	s := &Subscription{hub: h, scope: scope, users: map[string]struct{}{}, wake: make(chan struct{}, 1)}
	if h.subs[scope] == nil {
		h.subs[scope] = map[*Subscription]struct{}{}
	}
	h.subs[scope][s] = struct{}{}
	return s, nil
}

// Publish delivers an event to the subscriptions of its scope.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[e.Scope] {
		if e.UserID == "" || e.Kind == "closed" {
			s.mark("", true)
		} else {
			s.mark(e.UserID, false)
		}
	}
}

// resyncAll tells every subscription to reload everything.
func (h *Hub) resyncAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for s := range set {
			s.mark("", true)
		}
	}
}

// markReady records that announcements are being received.
func (h *Hub) markReady() { h.once.Do(func() { close(h.ready) }) }

// Ready waits until the hub receives announcements from the database, or ctx
// ends.
func (h *Hub) Ready(ctx context.Context) error {
	select {
	case <-h.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the hub: every subscription's Next returns ErrClosed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, set := range h.subs {
		for s := range set {
			s.close()
		}
	}
	h.subs = map[string]map[*Subscription]struct{}{}
}

// deliver decodes one notification payload and publishes it.
func (h *Hub) deliver(payload string) {
	var e Event
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		h.log.Warn("live: malformed announcement", "payload", payload, "err", err)
		return
	}
	if e.Scope == "" {
		return // anonymous practice has no dashboard
	}
	h.Publish(e)
}

func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.subs[s.scope]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.subs, s.scope)
		}
	}
}
