package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

// Shared links: a learner may open one of their ports to anyone who has
// the link (a classmate, say), and take it back. The link's token is the
// capability: 128 random bits, revoked by the owner or with the session.
const (
	sharedPrefix     = "/shared/"
	shareLabelPrefix = "share-"
)

// sharedPort serves a shared link: /shared/{token}/... (prefix set, and
// sandboxed like the path form), or the host share-{token}.<domain>.
func (s *Server) sharedPort(w http.ResponseWriter, r *http.Request, token, prefix string) {
	t, err := s.manager.SharedPort(r.Context(), token)
	if err != nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	if prefix != "" && r.URL.Path == prefix {
		http.Redirect(w, r, prefix+"/", http.StatusFound)
		return
	}
	s.proxy().serve(w, r, t, prefix)
}

// sharedPath serves /shared/{token}/...
func (s *Server) sharedPath(w http.ResponseWriter, r *http.Request) {
	token := chi.URLParam(r, "token")
	s.sharedPort(w, r, token, sharedPrefix+token)
}

// shareURL is the link of a share, absolute, to copy and send.
func (s *Server) shareURL(r *http.Request, token string) string {
	if s.cfg.PortsDomain != "" {
		return s.portOrigin(r, shareLabelPrefix+token) + "/"
	}
	return s.siteBase(r) + sharedPrefix + token + "/"
}

// sharePort makes (or returns) the shared link of one of the owner's ports.
func (s *Server) sharePort(w http.ResponseWriter, r *http.Request) {
	sh, err := s.manager.SharePort(r.Context(), userID(r), chi.URLParam(r, "id"), chi.URLParam(r, "node"), chi.URLParam(r, "port"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("port shared", "session", sh.SessionID, "node", sh.Node, "port", sh.Port)
	writeJSON(w, http.StatusOK, map[string]any{"node": sh.Node, "port": sh.Port, "url": s.shareURL(r, sh.Token)})
}

// unsharePort takes a shared link back.
func (s *Server) unsharePort(w http.ResponseWriter, r *http.Request) {
	id, node, port := chi.URLParam(r, "id"), chi.URLParam(r, "node"), chi.URLParam(r, "port")
	if err := s.manager.UnsharePort(r.Context(), userID(r), id, node, port); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, _ := strconv.Atoi(port) // a port, or UnsharePort would have refused it
	s.log.Info("port share taken back", "session", id, "node", node, "port", n)
	w.WriteHeader(http.StatusNoContent)
}
