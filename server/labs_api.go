package server

import (
	"net/http"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
)

// listLabs answers the catalogue of labs.
func (s *Server) listLabs(w http.ResponseWriter, r *http.Request) {
	type entry struct {
		Slug  string   `json:"slug"`
		Title string   `json:"title"`
		Langs []string `json:"langs"`
		Nodes []string `json:"nodes"`
		// Level and Minutes are left out when the lab does not say.
		Level   string `json:"level,omitempty"`
		Minutes int    `json:"minutes,omitempty"`
	}
	lang := r.URL.Query().Get("lang")
	out := []entry{}
	for _, l := range s.labs.List() {
		title := l.Title
		// The title in the asked language, when the lab is written in it.
		if lang != "" {
			if rd, err := l.Render(lang); err == nil && rd.Title != "" {
				title = rd.Title
			}
		}
		out = append(out, entry{Slug: l.Slug, Title: title, Langs: l.Langs, Nodes: l.Nodes, Level: l.Level, Minutes: l.Minutes})
	}
	writeJSON(w, http.StatusOK, map[string]any{"labs": out})
}

// getLab answers a lab rendered in one language: its sections, their HTML
// and run blocks, never its check scripts.
func (s *Server) getLab(w http.ResponseWriter, r *http.Request) {
	lab, err := s.labs.Get(chi.URLParam(r, "slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rendered, err := lab.Render(r.URL.Query().Get("lang"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rendered)
}

// How often an open page asks for the version of its lab: a teacher's edit
// of the run-time labs folder reaches learners' pages within LabPoll, and
// an author's within PreviewPoll.
const (
	LabPoll     = 30 * time.Second
	PreviewPoll = 2 * time.Second
)

// labVersion answers the version of a lab's text, and how long the page
// should wait before asking again. In preview, it also answers the lint
// problems of the lab's latest version, if it fails lint, even for a lab
// never served.
func (s *Server) labVersion(w http.ResponseWriter, r *http.Request) {
	slug := chi.URLParam(r, "slug")
	out := map[string]any{"lab": slug, "version": "", "poll_ms": LabPoll.Milliseconds()}
	lab, err := s.labs.Get(slug)
	if err == nil {
		out["version"] = lab.Version()
	}
	if s.cfg.Preview {
		out["poll_ms"] = PreviewPoll.Milliseconds()
		out["preview"] = true
		if b, ok := s.labs.BrokenLab(slug); ok {
			out["problems"] = b.Problems
			err = nil
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// labProblems answers, to instructors, the labs of the run-time folder
// whose latest version fails lint, with their problems and whether an
// earlier version is served.
func (s *Server) labProblems(w http.ResponseWriter, r *http.Request) {
	list := s.labs.Broken()
	if list == nil {
		list = []labs.Broken{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"labs": list})
}

// sessionLab returns the caller's session named in the URL and its lab.
func (s *Server) sessionLab(r *http.Request) (*sessions.Session, *labs.Lab, error) {
	sess, err := s.manager.Get(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		return nil, nil, err
	}
	if sess.Lab == "" {
		return nil, nil, fault.Errorf(fault.ENOTFOUND, "This session has no lab.")
	}
	lab, err := s.labs.Get(sess.Lab)
	if err != nil {
		return nil, nil, err
	}
	return sess, lab, nil
}

// getProgress answers the owner's progress through the session's lab.
func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) {
	sess, lab, err := s.sessionLab(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.manager.Progress(r.Context(), sess, lab)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	titles := lab.SectionTitles(sess.Lang)
	for i := range list {
		list[i].Title = titles[list[i].Section]
	}
	writeJSON(w, http.StatusOK, map[string]any{"lab": lab.Slug, "sections": list})
}

// resetProgress lets a learner start the lab again from scratch.
func (s *Server) resetProgress(w http.ResponseWriter, r *http.Request) {
	sess, _, err := s.sessionLab(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.manager.ResetProgress(r.Context(), sess); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkRequest is the optional body of a check: automatic checks say so.
type checkRequest struct {
	Auto bool `json:"auto"`
}

// checkSection runs a section's checks on the nodes and records the result.
func (s *Server) checkSection(w http.ResponseWriter, r *http.Request) {
	var req checkRequest
	if err := decodeJSON(r, &req, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, lab, err := s.sessionLab(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.manager.Check(r.Context(), sess, lab, chi.URLParam(r, "section"), req.Auto)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// resolveBlock answers a run block's node and its command with the session's
// live values filled in.
func (s *Server) resolveBlock(w http.ResponseWriter, r *http.Request) {
	sess, lab, err := s.sessionLab(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	node, command, err := s.manager.Resolve(r.Context(), sess, lab, chi.URLParam(r, "block"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"node": node, "command": command})
}
