package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/labs"
)

// answerQuiz grades the owner's answer to a quiz of the session's lab,
// {"choices":[0,2]} or {"text":"..."}, and records it. The answers stay on
// the server: the page learns only whether this one was right, and the
// lab's feedback when it was not.
func (s *Server) answerQuiz(w http.ResponseWriter, r *http.Request) {
	var req labs.Answer
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, lab, err := s.sessionLab(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.manager.Answer(r.Context(), sess, lab, chi.URLParam(r, "quiz"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
