package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labplay/playground/fault"
)

// revalidateEvery is how often an instructor's long-lived connection (the
// dashboard's stream, a watched terminal) checks that their login still
// holds, so that logging out, or a new password, ends them within seconds.
const revalidateEvery = 2 * time.Second

// untilLoggedOut returns a context that ends with parent, or as soon as the
// instructor login of r is found revoked or expired. A database that does
// not answer ends nothing: the next check tries again. The goroutine that
// checks ends with the returned context; call cancel when done.
func (s *Server) untilLoggedOut(parent context.Context, r *http.Request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	token, ok := s.instructorToken(r)
	if !ok {
		cancel()
		return ctx, cancel
	}
	go func() {
		t := time.NewTicker(revalidateEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := s.classes.Authenticate(ctx, token); fault.ErrorCode(err) == fault.EUNAUTHORIZED {
				s.log.Info("instructor login ended; closing a live connection", "path", r.URL.Path, "client", clientIP(r))
				cancel()
				return
			}
		}
	}()
	return ctx, cancel
}
