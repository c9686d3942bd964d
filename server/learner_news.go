package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/live"
)

// learnerNewsAPI registers what a classroom learner's page is told of its
// instructor, under /api: the owner's only, like the session itself.
func (s *Server) learnerNewsAPI(r chi.Router) {
	r.Get("/sessions/{id}/news", s.sessionNews)
	r.Get("/sessions/{id}/news/events", s.sessionNewsEvents)
	r.Post("/sessions/{id}/messages/{message}/dismiss", s.dismissMessage)
}

// news is what a learner's page shows of its class's instructor: the
// session's end (an extension moves it), the messages not dismissed, and
// the latest resets of the session's nodes.
type news struct {
	// Classroom says whether the session is a classroom's, whose page has
	// news to listen for.
	Classroom bool                    `json:"classroom"`
	Status    string                  `json:"status"`
	ExpiresAt time.Time               `json:"expires_at"`
	Messages  []sessions.ClassMessage `json:"messages"`
	Resets    []sessions.Action       `json:"resets"`
}

// buildNews reads the news of the caller's session named in the URL.
func (s *Server) buildNews(ctx context.Context, userID, id string) (*news, *sessions.Session, error) {
	sess, err := s.manager.Get(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	n, err := s.classes.News(ctx, sess)
	if err != nil {
		return nil, nil, err
	}
	return &news{Classroom: sess.Scope != "", Status: sess.Status, ExpiresAt: sess.ExpiresAt, Messages: n.Messages, Resets: n.Resets}, sess, nil
}

// sessionNews answers the news of one of the caller's sessions.
func (s *Server) sessionNews(w http.ResponseWriter, r *http.Request) {
	n, _, err := s.buildNews(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// dismissMessage hides a message of the class from the learner's pages.
func (s *Server) dismissMessage(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.Get(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "message"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, fault.Errorf(fault.ENOTFOUND, "No such message."))
		return
	}
	if err := s.classes.Dismiss(r.Context(), sess, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sessionNewsEvents is the live stream of a classroom learner's page, as
// server-sent events: a "news" event at once, then again whenever it
// changes (the instructor extended the session, sent the class a message,
// reset a node), woken by the same Postgres announcements as the
// dashboards, so whichever process recorded it. A session of no classroom,
// or one that ended, answers 204, which tells EventSource not to come
// back; the stream ends with the session.
func (s *Server) sessionNewsEvents(w http.ResponseWriter, r *http.Request) {
	user := userID(r)
	sess, err := s.manager.Get(r.Context(), user, chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if sess.Scope == "" || !sess.Live() {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if s.hub == nil {
		s.writeError(w, r, fault.Errorf(fault.EUNAVAILABLE, "Live updates are not available."))
		return
	}
	sub, err := s.hub.Subscribe(sess.Scope)
	if err != nil {
		s.writeError(w, r, fault.Wrap(fault.EUNAVAILABLE, err, "Live updates are not available; try again shortly."))
		return
	}
	defer sub.Close()
	// Subscribed, then read: nothing falls between the two.
	n, _, err := s.buildNews(r.Context(), user, sess.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := &eventStream{w: w, rc: http.NewResponseController(w)}
	st.rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := st.write(fmt.Sprintf("retry: %d\n\n", streamRetry.Milliseconds())); err != nil {
		return
	}
	last, _ := json.Marshal(n)
	if err := st.write("event: news\ndata: " + string(last) + "\n\n"); err != nil {
		return
	}
	for {
		ended, err := s.newsNext(r.Context(), user, sess.ID, sub, st, &last)
		if errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil {
			err = st.write(": ping\n\n")
		}
		if ended || err != nil {
			if err != nil && !errors.Is(err, live.ErrClosed) && r.Context().Err() == nil {
				s.log.Debug("learner stream ended", "session", sess.ID, "err", err)
			}
			return
		}
	}
}

// newsNext waits up to a heartbeat for a change that concerns the learner
// (theirs, or the whole class's) and sends the news when they differ from
// the last sent. It reports whether the session has ended.
func (s *Server) newsNext(ctx context.Context, user, id string, sub *live.Subscription, st *eventStream, last *[]byte) (bool, error) {
	wctx, cancel := context.WithTimeout(ctx, heartbeatEvery)
	defer cancel()
	b, err := sub.Next(wctx)
	if err != nil {
		return false, err
	}
	if !b.All && !slices.Contains(b.Users, user) {
		return false, nil
	}
	n, _, err := s.buildNews(ctx, user, id)
	if err != nil {
		return false, err
	}
	data, err := json.Marshal(n)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(data, *last) {
		*last = data
		if err := st.write("event: news\ndata: " + string(data) + "\n\n"); err != nil {
			return false, err
		}
	}
	return n.Status == sessions.StatusEnded, nil
}
