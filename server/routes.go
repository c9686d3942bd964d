package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/labplay/playground/web"
)

// Handler returns the root handler with every route of the playground.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	if s.cfg.TrustProxy {
		// Only behind a proxy may its header be believed; otherwise anyone
		// could pick their address for the limits.
		r.Use(forwardedFor)
	}
	r.Use(s.recoverer, s.accessLog, s.portsHosts)

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle(web.AssetsPrefix+"*", s.site.Assets())

	r.Group(func(r chi.Router) {
		r.Use(s.identify)
		r.Get("/", s.site.Home)
		r.Get("/s/{id}", s.site.Session)
		r.HandleFunc(portsPrefix+"{id}/{node}/{port}", s.pathPort)
		r.HandleFunc(portsPrefix+"{id}/{node}/{port}/*", s.pathPort)
		r.HandleFunc(sharedPrefix+"{token}", s.sharedPath)
		r.HandleFunc(sharedPrefix+"{token}/*", s.sharedPath)
		s.classroomPages(r) // classroom_routes.go
		s.deviceLinkPages(r)

		r.Route("/api", func(r chi.Router) {
			r.Use(noStore, s.sameSite)
			r.Get("/sessions", s.listSessions)
			r.Post("/sessions", s.createSession)
			r.Get("/sessions/{id}", s.getSession)
			r.Delete("/sessions/{id}", s.deleteSession)
			r.Post("/sessions/{id}/extend", s.extendSession)
			r.Post("/sessions/{id}/pause", s.pauseSession)
			r.Post("/sessions/{id}/resume", s.resumeSession)
			r.Get("/sessions/{id}/nodes/{node}/terminal", s.terminal)
			r.Post("/sessions/{id}/nodes/{node}/restart", s.restartNode)
			r.Post("/sessions/{id}/nodes", s.addNode)
			r.Delete("/sessions/{id}/nodes/{node}", s.removeNode)
			r.Put("/sessions/{id}/nodes/{node}/files", s.uploadFile)
			r.Get("/sessions/{id}/nodes/{node}/files", s.downloadFile)
			r.Get("/sessions/{id}/ports", s.listPorts)
			r.Get("/sessions/{id}/nodes/{node}/ports/{port}/open", s.openPort)
			r.Post("/sessions/{id}/nodes/{node}/ports/{port}/share", s.sharePort)
			r.Delete("/sessions/{id}/nodes/{node}/ports/{port}/share", s.unsharePort)

			r.Get("/labs", s.listLabs)
			r.Get("/labs/{slug}", s.getLab)
			r.Get("/labs/{slug}/version", s.labVersion)
			r.With(s.requireInstructor).Get("/lab-problems", s.labProblems)
			r.Get("/sessions/{id}/progress", s.getProgress)
			r.Post("/sessions/{id}/progress/reset", s.resetProgress)
			r.Post("/sessions/{id}/sections/{section}/check", s.checkSection)
			r.Post("/sessions/{id}/sections/{section}/start", s.startSection)
			r.Post("/sessions/{id}/quizzes/{quiz}/answer", s.answerQuiz)
			r.Post("/sessions/{id}/blocks/{block}/resolve", s.resolveBlock)
			s.classroomAPI(r)   // classroom_routes.go
			s.learnerNewsAPI(r) // learner_news.go
			s.deviceLinkAPI(r)

			r.NotFound(s.apiNotFound)
			r.MethodNotAllowed(s.apiMethodNotAllowed)
		})
	})
	return r
}

// sameSite refuses requests that change state when a browser says they
// come from another site: learner cookies ride along on such requests, so
// another site's page could otherwise start sessions or send checks in a
// learner's name.
func (s *Server) sameSite(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if r.Header.Get("Sec-Fetch-Site") == "cross-site" || !s.checkOrigin(r) {
				s.writeError(w, r, fault.Errorf(fault.EFORBIDDEN, "Requests from other sites are refused."))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedFor takes the client's address from the last entry of
// X-Forwarded-For: the one the trusted proxy itself appended (nginx's
// $proxy_add_x_forwarded_for, Caddy and Traefik do so). Entries before it,
// True-Client-IP and X-Real-IP come from whoever sent the request, so they
// are never believed.
func forwardedFor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if addr, ok := lastForwarded(r.Header.Values("X-Forwarded-For")); ok {
			r.RemoteAddr = addr
		}
		next.ServeHTTP(w, r)
	})
}

// lastForwarded returns the last address in X-Forwarded-For header values,
// which may be several headers of comma-separated entries.
func lastForwarded(values []string) (string, bool) {
	if len(values) == 0 {
		return "", false
	}
	list := strings.Split(values[len(values)-1], ",")
	a, err := netip.ParseAddr(strings.TrimSpace(list[len(list)-1]))
	if err != nil {
		return "", false
	}
	return a.Unmap().String(), true
}

// noStore keeps API answers out of caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic in a handler into a 500 answer and a log line, so
// one bad request never takes the server down.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic in handler: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// accessLog logs each request at debug level, and slow or failed ones at info.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		took := time.Since(start)
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		streamed := strings.HasSuffix(route, "/terminal") || strings.HasSuffix(route, "/events")
		s.metrics.Request(route, r.Method, ww.Status(), took, streamed)
		level := slog.LevelDebug
		if ww.Status() >= 500 {
			level = slog.LevelInfo
		}
		path := r.URL.Path
		if strings.HasPrefix(path, continuePrefix) {
			path = continuePrefix + "…" // a device link's token is a learner's identity
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", path,
			"status", ww.Status(), "took_ms", took.Milliseconds())
	})
}
