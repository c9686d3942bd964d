package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/live"
)

// Timings of the dashboard stream.
const (
	// heartbeatEvery is how often an idle stream sends a comment, so that
	// proxies keep it open and a dead client is noticed.
	heartbeatEvery = 15 * time.Second
	// streamWriteWait bounds each write to a slow client.
	streamWriteWait = 10 * time.Second
	// streamRetry is the reconnection delay EventSource is told to use.
	streamRetry = 2 * time.Second
)

// classroomEvents is the live stream of a classroom's dashboard, as
// server-sent events. It opens with a "snapshot" event (the whole report,
// as GET .../progress answers it), then sends a "learner" event with the
// new row of each learner whose progress, session or seat changed, and a
// new "snapshot" when the classroom itself changed (it closed) or when
// changes may have been missed, and an "actions" event with the
// instructor's latest actions after the snapshot and whenever they change. Changes come from Postgres announcements,
// so they arrive whichever server process recorded them. Idle streams get
// a comment every 15 s.
func (s *Server) classroomEvents(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownClassroom(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The stream ends when the instructor logs out.
	ctx, cancel := s.untilLoggedOut(r.Context(), r)
	defer cancel()
	r = r.WithContext(ctx)
	if s.hub == nil {
		s.writeError(w, r, fault.Errorf(fault.EUNAVAILABLE, "Live updates are not available."))
		return
	}
	sub, err := s.hub.Subscribe(c.ID)
	if err != nil {
		s.writeError(w, r, fault.Wrap(fault.EUNAVAILABLE, err, "Live updates are not available; try again shortly."))
		return
	}
	defer sub.Close()
	// Subscribed first, then the snapshot: nothing falls between the two.
	rep, err := s.buildReport(r, c)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := &eventStream{w: w, rc: http.NewResponseController(w)}
	// The server's write timeout is for ordinary requests; a stream lives
	// as long as the dashboard, with a deadline per write instead.
	st.rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := st.write(fmt.Sprintf("retry: %d\n\n", streamRetry.Milliseconds())); err != nil {
		return
	}
	if err := st.event("snapshot", rep); err != nil {
		return
	}
	var lastAction int64 // none sent while there are none
	if err := s.sendActions(r, c, st, &lastAction); err != nil {
		return
	}
	for {
		err := s.streamNext(r, c, sub, st)
		if err == nil {
			err = s.sendActions(r, c, st, &lastAction)
		}
		if errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil {
			err = st.write(": ping\n\n")
		}
		if err != nil {
			if !errors.Is(err, live.ErrClosed) && r.Context().Err() == nil {
				s.log.Debug("dashboard stream ended", "classroom", c.ID, "err", err)
			}
			return
		}
	}
}

// streamNext waits up to a heartbeat for changes and sends them.
func (s *Server) streamNext(r *http.Request, c *sessions.Classroom, sub *live.Subscription, st *eventStream) error {
	ctx, cancel := context.WithTimeout(r.Context(), heartbeatEvery)
	defer cancel()
	b, err := sub.Next(ctx)
	if err != nil {
		return err
	}
	if b.All {
		now, err := s.classes.Get(r.Context(), c.InstructorID, c.ID)
		if err != nil {
			return err
		}
		*c = *now
		rep, err := s.buildReport(r, c)
		if err != nil {
			return err
		}
		return st.event("snapshot", rep)
	}
	rows, err := s.classes.Learners(r.Context(), c, b.Users)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := st.event("learner", row); err != nil {
			return err
		}
	}
	return nil
}

// eventStream writes server-sent events.
type eventStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// event writes one event with v as its JSON data.
func (st *eventStream) event(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return st.write("event: " + name + "\ndata: " + string(b) + "\n\n")
}

// write sends text and flushes it, within streamWriteWait.
func (st *eventStream) write(text string) error {
	st.rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
	if _, err := st.w.Write([]byte(text)); err != nil {
		return err
	}
	return st.rc.Flush()
}
