package server

import (
	"net/http"
	"strconv"
	"strings"

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
	notFound := func() { http.Error(w, "404 page not found", http.StatusNotFound) }
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		notFound()
		return
	}
	sh, err := s.manager.Store().PortShareByToken(r.Context(), token)
	if err != nil {
		notFound()
		return
	}
	sess, err := s.manager.Store().Session(r.Context(), sh.SessionID)
	if err != nil {
		notFound()
		return
	}
	t, err := targetIn(sess, sh.Node, strconv.Itoa(sh.Port))
	if err != nil {
		notFound()
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

// ownPortTarget is portTargetOf for the session's owner alone.
func (s *Server) ownPortTarget(r *http.Request) (portTarget, error) {
	sess, err := s.manager.Get(r.Context(), userID(r), chi.URLParam(r, "id"))
	if err != nil {
		return portTarget{}, err
	}
	return targetIn(sess, chi.URLParam(r, "node"), chi.URLParam(r, "port"))
}

// sharePort makes (or returns) the shared link of one of the owner's ports.
func (s *Server) sharePort(w http.ResponseWriter, r *http.Request) {
	t, err := s.ownPortTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sh, err := s.manager.Store().SharePort(r.Context(), t.session.ID, t.node.Name, t.port)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("port shared", "session", t.session.ID, "node", t.node.Name, "port", t.port)
	writeJSON(w, http.StatusOK, map[string]any{"node": t.node.Name, "port": t.port, "url": s.shareURL(r, sh.Token)})
}

// unsharePort takes a shared link back.
func (s *Server) unsharePort(w http.ResponseWriter, r *http.Request) {
	t, err := s.ownPortTarget(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.manager.Store().UnsharePort(r.Context(), t.session.ID, t.node.Name, t.port); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("port share taken back", "session", t.session.ID, "node", t.node.Name, "port", t.port)
	w.WriteHeader(http.StatusNoContent)
}
