package ratelimit

import "sync"

// InFlight bounds how many things each key has under way at once (a
// session's terminal connections, its file transfers), where Buckets
// bound how often they start. The zero value is not usable; call
// NewInFlight.
type InFlight struct {
	max int

	mu   sync.Mutex
	busy map[string]int
}

// NewInFlight returns a bound of max things under way per key.
func NewInFlight(max int) *InFlight {
	return &InFlight{max: max, busy: map[string]int{}}
}

// Enter counts one more thing under way for key and returns the function
// that ends it, or false when key has max already. Keys with nothing under
// way are forgotten.
func (f *InFlight) Enter(key string) (leave func(), ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy[key] >= f.max {
		return nil, false
	}
	f.busy[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.busy[key]--; f.busy[key] <= 0 {
				delete(f.busy, key)
			}
		})
	}, true
}

// Count returns how many things key has under way.
func (f *InFlight) Count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.busy[key]
}
