package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// startRequest is the optional body of a section's start: a client that
// must know the setups have ended (lab test) waits for them.
type startRequest struct {
	Wait bool `json:"wait"`
}

// startSection opens a section: its setups run the first time, and the
// answer holds the commands the page types into the terminals.
func (s *Server) startSection(w http.ResponseWriter, r *http.Request) {
	var req startRequest
	if err := decodeJSON(r, &req, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, lab, err := s.sessionLab(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.manager.StartSection(r.Context(), sess, lab, chi.URLParam(r, "section"), req.Wait)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
