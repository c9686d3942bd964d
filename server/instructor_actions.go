package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/classroom"
)

// actionsShown is how many of the instructor's latest actions the
// dashboard lists.
const actionsShown = 30

// instructorActionsAPI registers what an instructor does to a class, under
// /api, behind requireInstructor: each answers only the classroom's own
// instructor (others get 404), with the same-site rule of every POST.
func (s *Server) instructorActionsAPI(r chi.Router) {
	r.Post("/classrooms/{id}/extend", s.extendClass)
	r.Post("/classrooms/{id}/learners/{learner}/extend", s.extendClass)
	r.Post("/classrooms/{id}/learners/{learner}/reset", s.resetLearner)
	r.Post("/classrooms/{id}/messages", s.messageClass)
	r.Post("/classrooms/{id}/pause", s.pauseClass)
	r.Post("/classrooms/{id}/resume", s.pauseClass)
	r.Get("/classrooms/{id}/actions", s.classActions)
}

// extendClass adds {"minutes": N} to every learner's live session, or to
// one learner's, and answers each learner's outcome.
func (s *Server) extendClass(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Minutes int `json:"minutes"`
	}
	if err := decodeJSON(r, &body, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.classes.Extend(r.Context(), instructorOf(r).ID, chi.URLParam(r, "id"), chi.URLParam(r, "learner"), body.Minutes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcomes": out})
}

// resetLearner gives a learner a fresh node ({"node": "node1"}) or fresh
// nodes ({} or {"node": ""}), and answers their session.
func (s *Server) resetLearner(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Node string `json:"node"`
	}
	if err := decodeJSON(r, &body, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, err := s.classes.Reset(r.Context(), instructorOf(r).ID, chi.URLParam(r, "id"), chi.URLParam(r, "learner"), body.Node)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sess)
}

// messageClass sends {"text": "..."} to every learner of the class.
func (s *Server) messageClass(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(r, &body, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.classes.Message(r.Context(), instructorOf(r).ID, chi.URLParam(r, "id"), body.Text)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

// pauseClass pauses (…/pause) or resumes (…/resume) every learner's live
// session. A classroom service given no Pauser (a test's) answers 501,
// after the ownership check, so that nobody learns more than before.
func (s *Server) pauseClass(w http.ResponseWriter, r *http.Request) {
	resume := strings.HasSuffix(r.URL.Path, "/resume")
	out, err := s.classes.Pause(r.Context(), instructorOf(r).ID, chi.URLParam(r, "id"), resume)
	if errors.Is(err, classroom.ErrNoPause) {
		writeJSON(w, http.StatusNotImplemented, map[string]any{"error": map[string]string{
			"code": "not_implemented", "message": "This server cannot pause sessions."}})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcomes": out})
}

// classActions answers the instructor's latest actions on the class,
// newest first.
func (s *Server) classActions(w http.ResponseWriter, r *http.Request) {
	c, err := s.ownClassroom(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.classes.Actions(r.Context(), c, actionsShown)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": list, "can_pause": s.classes.CanPause()})
}

// sendActions sends the dashboard stream an "actions" event with the
// instructor's latest actions when the newest is not the one last sent.
func (s *Server) sendActions(r *http.Request, c *sessions.Classroom, st *eventStream, last *int64) error {
	list, err := s.classes.Actions(r.Context(), c, actionsShown)
	if err != nil {
		return err
	}
	var newest int64
	if len(list) > 0 {
		newest = list[0].ID
	}
	if newest == *last {
		return nil
	}
	*last = newest
	return st.event("actions", map[string]any{"actions": list, "can_pause": s.classes.CanPause()})
}
