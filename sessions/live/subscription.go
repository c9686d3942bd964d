package live

import (
	"context"
	"slices"
	"sync"
)

// Subscription receives the changes of one scope. Changes that arrive while
// the subscriber is busy are merged, so a burst costs one reload per learner.
type Subscription struct {
	hub   *Hub
	scope string

	mu     sync.Mutex
	users  map[string]struct{}
	all    bool
	closed bool
	wake   chan struct{} // holds a token while something is pending
}

// Batch is what changed since the subscriber last looked.
type Batch struct {
	// Users are the learners whose rows changed, sorted.
	Users []string
	// All asks the subscriber to reload everything: the classroom itself
	// changed, or announcements may have been missed.
	All bool
}

// Next waits for changes and returns them. It returns ErrClosed once the hub
// has stopped or the subscription is closed, and ctx's error when ctx ends.
func (s *Subscription) Next(ctx context.Context) (Batch, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Batch{}, ErrClosed
		}
		if s.all || len(s.users) > 0 {
			b := Batch{All: s.all}
			if !s.all {
				for u := range s.users {
					b.Users = append(b.Users, u)
				}
				slices.Sort(b.Users)
			}
			s.all = false
			clear(s.users)
			s.mu.Unlock()
			return b, nil
		}
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-ctx.Done():
			return Batch{}, ctx.Err()
		}
	}
}

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() {
	s.hub.remove(s)
	s.close()
}

// mark records a change of user, or of everything when all is set.
func (s *Subscription) mark(user string, all bool) {
	s.mu.Lock()
	if all || len(s.users) >= maxPending {
		s.all = true
		clear(s.users)
	} else if !s.all {
		s.users[user] = struct{}{}
	}
	s.mu.Unlock()
	s.signal()
}

func (s *Subscription) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.signal()
}

// signal wakes Next without ever blocking the hub.
func (s *Subscription) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
