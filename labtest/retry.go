package labtest

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/ctxtime"
)

// pause is the wait between two tries of a check, and after a 429 without
// a Retry-After: the rate at which the server's gate gives a session one
// more check or step (sessions/manager/gate.go).
const pause = 2 * time.Second

// patiently calls f until it answers something other than 429 Too Many
// Requests, waiting as long as each 429's Retry-After says: the server
// limits the checks and steps of a session, and a learner clicking fast
// would wait too. It gives up only when ctx ends.
func patiently[T any](ctx context.Context, f func() (T, error)) (T, error) {
	for {
		v, err := f()
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests {
			return v, err
		}
		wait := ae.RetryAfter
		if wait <= 0 {
			wait = pause
		}
		if err := ctxtime.Sleep(ctx, wait); err != nil {
			return v, err
		}
	}
}

// isConflict reports whether err is a 409: a run block that needs a value
// the nodes do not have yet.
func isConflict(err error) bool {
	var ae *client.APIError
	return errors.As(err, &ae) && ae.Status == http.StatusConflict
}
