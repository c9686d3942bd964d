package server

import (
	"net/http"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
)

// createRequest is the body of POST /api/sessions.
type createRequest struct {
	Lab  string `json:"lab"`
	Lang string `json:"lang"`
}

// listSessions answers the caller's live sessions.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	list, err := s.manager.List(r.Context(), userID(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*sessions.Session{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": list})
}

// createSession starts a session, optionally with a lab: with the nodes the
// lab declares, or sessions.DefaultNodes without one.
func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if err := decodeJSON(r, &req, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	ip := clientIP(r)
	// PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=0 lifts the start rate too: a
	// workshop behind one router, without a classroom, starts at once.
	if s.manager.Config().MaxPerAddress > 0 {
		if err := takeAddress(r.Context(), s.starts, addressKey(ip), s.now(), "Too many sessions started from your network; wait a little and try again."); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	ns := manager.NewSession{UserID: userID(r), ClientAddr: addressKey(ip)}
	if req.Lab != "" || req.Lang != "" {
		if req.Lab == "" {
			s.writeError(w, r, fault.Errorf(fault.EINVALID, "A language was given without a lab."))
			return
		}
		lab, err := s.labs.Get(req.Lab)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		lang, err := lab.Lang(req.Lang)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ns.Lab, ns.Lang = lab.Slug, lang
	}
	sess, err := s.manager.Create(r.Context(), ns)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sess)
}

// getSession answers one of the caller's sessions, with the live state of
// its nodes.
func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.Get(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.manager.Refresh(r.Context(), sess)
	if sess.Status == sessions.StatusEnded && sess.EndedBecause != "" && sess.Scope != "" {
		// Its host went: the page offers the learner their seat again.
		// Without it the page offers a new session of the lab instead.
		code, err := s.classes.CodeFor(r.Context(), sess)
		if err != nil {
			s.log.Warn("the class of an ended session", "session", sess.ID, "err", err)
		}
		sess.ClassCode = code
	}
	writeJSON(w, http.StatusOK, sess)
}

// deleteSession ends one of the caller's sessions and removes its nodes.
func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request) {
	if err := s.manager.Delete(r.Context(), userID(r), chi.URLParam(r, "id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// restartNode starts a stopped node of one of the caller's sessions again.
func (s *Server) restartNode(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.RestartNode(r.Context(), userID(r), chi.URLParam(r, "id"), chi.URLParam(r, "node"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

// addNode adds a node to the caller's session without a lab.
func (s *Server) addNode(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.AddNode(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, sess)
}

// removeNode removes a node of the caller's session without a lab.
func (s *Server) removeNode(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.RemoveNode(r.Context(), userID(r), chi.URLParam(r, "id"), chi.URLParam(r, "node"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

// extendSession adds time to the caller's session.
func (s *Server) extendSession(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.Extend(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

// pauseSession pauses one of the caller's sessions: its nodes stop, their
// disks stay.
func (s *Server) pauseSession(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.Pause(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

// resumeSession starts the nodes of one of the caller's paused sessions
// again, and answers once their engines do.
func (s *Server) resumeSession(w http.ResponseWriter, r *http.Request) {
	sess, err := s.manager.Resume(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}
