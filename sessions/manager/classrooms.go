package manager

import (
	"context"
	"errors"
	"sync"
)

// endParallel is how many sessions EndScope removes at once.
const endParallel = 4

// EndScope ends every live session started under scope (a classroom),
// removing their containers, volumes and networks, a few at a time. It
// returns how many it ended; the error joins those of the ones it could not.
func (m *Manager) EndScope(ctx context.Context, scope, reason string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*endTimeout)
	defer cancel()
	ids, err := m.store.LiveScopeSessions(ctx, scope)
	if err != nil {
		return 0, err
	}
	var (
		mu    sync.Mutex
		ended int
		errs  []error
		wg    sync.WaitGroup
	)
	work := make(chan string)
	for range min(endParallel, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				s, err := m.store.Session(ctx, id)
				if err == nil {
					err = m.endAny(ctx, s, reason)
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					ended++
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	return ended, errors.Join(errs...)
}
