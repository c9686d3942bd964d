package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labplay/playground/fault"
)

// healthz answers while the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when Postgres and the Docker engine both answer, and 503
// naming the dependency that does not.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "engine": "ok"}
	ready := true
	dbErr, engineErr := s.manager.Ping(ctx)
	if dbErr != nil {
		checks["database"], ready = fault.ErrorMessage(dbErr), false
	}
	if engineErr != nil {
		checks["engine"], ready = fault.ErrorMessage(engineErr), false
	}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{"ready": ready, "checks": checks})
}

// apiNotFound answers unknown API paths in the JSON error shape.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, fault.Errorf(fault.ENOTFOUND, "No such API endpoint: %s %s.", r.Method, r.URL.Path))
}

// apiMethodNotAllowed answers a known path with the wrong method.
func (s *Server) apiMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, fault.Errorf(fault.ENOTALLOWED, "Method %s is not allowed here.", r.Method))
}
