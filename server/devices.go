package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/ratelimit"
	"github.com/labplay/playground/sessions"
)

// Learners across devices: a learner may make a link, from the page of one
// of their sessions, that makes another browser the same learner (a school
// laptop on Tuesday is not Monday's). The link's token is the capability:
// 256 random bits, stored hashed, one live link per learner (a new one
// stops the old), stopped by its owner or after a fortnight. Opening the
// link shows what it opens and asks before this browser changes hands, so
// that another site cannot switch a learner's browser to someone else's
// identity with a link it made (the switch is a same-site POST).
//
// Every learner gets the offer, in a classroom or not: the link moves the
// identity, which both kinds have, and it gives nothing an anonymous
// identity does not already have (its caps are per learner and address).

// continuePrefix is the path of device links; the token follows.
const continuePrefix = "/continue/"

// Limits per client address on device links that open nothing (unknown,
// stopped or expired): only those count, so a class continuing from one
// school router never meets it, while guessing a 256-bit token is hopeless
// at any pace; the limit keeps the database from being hammered.
const (
	badLinkBurst  = 20
	badLinkRefill = 10 * time.Second
)

// badLinkRate is the rate of the limit above, named in the shared store.
var badLinkRate = ratelimit.Rate{Name: "bad_links", Burst: badLinkBurst, Refill: badLinkRefill}

// DeviceLinks makes, stops and uses the links learners open to continue on
// another browser (sessions/classroom's Accounts satisfies it). A learner
// acts only on their own link; a token that was never made, was stopped or
// has expired answers ENOTFOUND, with a message saying which.
type DeviceLinks interface {
	// NewDeviceLink makes the user's link from one of their live sessions
	// and returns its token; their previous link stops working.
	NewDeviceLink(ctx context.Context, userID, sessionID string) (string, *sessions.DeviceLink, error)
	// DeviceLink returns the user's link that still works.
	DeviceLink(ctx context.Context, userID string) (*sessions.DeviceLink, error)
	// StopDeviceLink stops the user's link and says whether there was one.
	StopDeviceLink(ctx context.Context, userID string) (bool, error)
	// PeekDeviceLink says what a token's link opens; UseDeviceLink uses it.
	PeekDeviceLink(ctx context.Context, token string) (*sessions.DeviceLink, error)
	UseDeviceLink(ctx context.Context, token string) (*sessions.DeviceLink, error)
}

// deviceLinkView is a learner's link as their session page shows it. URL
// is there only in the answer that made it: the token is not kept.
type deviceLinkView struct {
	URL        string    `json:"url,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Uses       int       `json:"uses"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

func linkView(l *sessions.DeviceLink) *deviceLinkView {
	return &deviceLinkView{CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt, Uses: l.Uses, LastUsedAt: l.LastUsedAt}
}

// deviceLinkPage serves /continue/{token}: the page that says what the
// link opens and asks before using it. It is sent without a Referer to
// anywhere, so the token leaves no trace in another site's logs.
func (s *Server) deviceLinkPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.site.Continue(w, r)
}

// myDeviceLink answers the caller's link that still works, or null.
func (s *Server) myDeviceLink(w http.ResponseWriter, r *http.Request) {
	l, err := s.classes.DeviceLink(r.Context(), userID(r))
	switch {
	case fault.ErrorCode(err) == fault.ENOTFOUND:
		writeJSON(w, http.StatusOK, map[string]any{"link": nil})
	case err != nil:
		s.writeError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"link": linkView(l)})
	}
}

// newDeviceLink makes the caller a link from one of their live sessions:
// {"session_id": ...}. It answers the link with its URL, shown this once.
func (s *Server) newDeviceLink(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SessionID string `json:"session_id"`
	}
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !sessions.ValidID(req.SessionID) {
		s.writeError(w, r, fault.Errorf(fault.ENOTFOUND, "Session not found."))
		return
	}
	token, l, err := s.classes.NewDeviceLink(r.Context(), userID(r), req.SessionID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("device link made", "session", req.SessionID, "expires", l.ExpiresAt)
	v := linkView(l)
	v.URL = s.siteBase(r) + continuePrefix + token
	writeJSON(w, http.StatusCreated, map[string]any{"link": v})
}

// stopDeviceLink stops the caller's link; stopping none is no error.
func (s *Server) stopDeviceLink(w http.ResponseWriter, r *http.Request) {
	stopped, err := s.classes.StopDeviceLink(r.Context(), userID(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if stopped {
		s.log.Info("device link stopped")
	}
	w.WriteHeader(http.StatusNoContent)
}

// tokenRequest is the body of POST /api/continue and /api/continue/use:
// the token travels in the body, never in a URL that logs keep.
type tokenRequest struct {
	Token string `json:"token"`
}

// peekDeviceLink answers what a link opens, before the browser uses it:
// whose seat and which session, and what this browser would leave.
func (s *Server) peekDeviceLink(w http.ResponseWriter, r *http.Request) {
	l, ok := s.deviceLinkOf(w, r, s.classes.PeekDeviceLink)
	if !ok {
		return
	}
	out := map[string]any{"name": l.Name, "classroom": l.Classroom, "lab": l.Lab, "lab_title": "",
		"session_live": l.SessionLive, "expires_at": l.ExpiresAt, "same_learner": l.UserID == userID(r), "own_sessions": 0}
	if l.Lab != "" {
		out["lab_title"] = s.labTitle(l.Lab)
	}
	if l.UserID != userID(r) {
		// What this browser's own identity has, which it will no longer
		// reach: the page warns about it.
		if list, err := s.manager.List(r.Context(), userID(r)); err == nil {
			out["own_sessions"] = len(list)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// useDeviceLink makes this browser the learner of a link (the identity
// cookie is theirs from now on) and answers where to go: the session the
// link was made on while it lives, else the home page with their sessions.
func (s *Server) useDeviceLink(w http.ResponseWriter, r *http.Request) {
	l, ok := s.deviceLinkOf(w, r, s.classes.UseDeviceLink)
	if !ok {
		return
	}
	s.setCookie(w, r, learnerCookie, s.signer.sign("learner", l.UserID), learnerCookieAge)
	to := "/"
	if l.SessionLive {
		to = "/s/" + l.SessionID
	}
	s.log.Info("device link used", "session", l.SessionID, "uses", l.Uses)
	writeJSON(w, http.StatusOK, map[string]string{"to": to})
}

// deviceLinkOf reads the token of the body and asks get for its link,
// within the per-address limit on links that open nothing; it answers the
// error itself and returns false when there is no link to act on.
func (s *Server) deviceLinkOf(w http.ResponseWriter, r *http.Request, get func(context.Context, string) (*sessions.DeviceLink, error)) (*sessions.DeviceLink, bool) {
	var req tokenRequest
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	key := addressKey(clientIP(r))
	if wait := s.badLinks.Wait(r.Context(), key, s.now()); wait > 0 {
		s.writeError(w, r, &fault.Error{Code: fault.ERATELIMITED, RetryAfter: wait.Round(time.Second) + time.Second,
			Message: "Too many links that open nothing from your network; check the link and try again in a little while."})
		return nil, false
	}
	l, err := get(r.Context(), req.Token)
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		s.badLinks.Charge(r.Context(), key, s.now())
	}
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	return l, true
}

// deviceLinkPages registers the page of device links.
func (s *Server) deviceLinkPages(r chi.Router) {
	r.Get(continuePrefix+"{token}", s.deviceLinkPage)
}

// deviceLinkAPI registers the API of device links under /api: a learner's
// own link (/me), and using one (/continue).
func (s *Server) deviceLinkAPI(r chi.Router) {
	r.Get("/me/device-link", s.myDeviceLink)
	r.Post("/me/device-link", s.newDeviceLink)
	r.Delete("/me/device-link", s.stopDeviceLink)
	r.Post("/continue", s.peekDeviceLink)
	r.Post("/continue/use", s.useDeviceLink)
}
