package server

import (
	"errors"
	"mime"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"
)

// transferTime bounds one upload or download, as the engine does.
const transferTime = 15 * time.Minute

// uploadFile writes the request body to the file named by the query's path
// on a node of the caller's session: PUT
// /api/sessions/{id}/nodes/{node}/files?path=P. A relative path lands in
// the working directory of the node's shell. The body must announce its
// size (Content-Length) and stay within the configured maximum.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	size := r.ContentLength
	switch {
	case size < 0:
		s.writeError(w, r, fault.Errorf(fault.EINVALID, "Send the file with its size (a Content-Length header)."))
		return
	case size > s.cfg.UploadMax:
		s.writeError(w, r, fault.Errorf(fault.ETOOLARGE, "The file is %s; files up to %s can be uploaded.",
			humanBytes(size), humanBytes(s.cfg.UploadMax)))
		return
	}
	// The server's read deadline suits JSON requests; a large file over a
	// school's link takes longer.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(transferTime))
	rc.SetWriteDeadline(time.Now().Add(transferTime))
	body := http.MaxBytesReader(w, r.Body, size)
	info, err := s.manager.WriteFile(r.Context(), userID(r), chi.URLParam(r, "id"), chi.URLParam(r, "node"),
		r.URL.Query().Get("path"), size, body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"node": chi.URLParam(r, "node"), "path": info.Path, "size": info.Size})
}

// downloadFile sends a file of a node of the caller's session as an
// attachment: GET /api/sessions/{id}/nodes/{node}/files?path=P.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	info, copyTo, err := s.manager.ReadFile(r.Context(), userID(r), chi.URLParam(r, "id"), chi.URLParam(r, "node"),
		r.URL.Query().Get("path"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(transferTime))
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(info.Path)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := copyTo(w); err != nil && !errors.Is(err, r.Context().Err()) {
		// The status has gone out; the short body tells the browser.
		s.log.Warn("download cut short", "session", chi.URLParam(r, "id"), "node", chi.URLParam(r, "node"), "err", err)
	}
}

// humanBytes writes a size for people: 12 KiB, 3.4 MiB.
func humanBytes(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1<<20:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	case n < 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
	}
}
