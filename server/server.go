// Package server is the HTTP face of the playground: the JSON API, the
// terminal websockets and the pages. Handlers are methods on Server, which
// holds their dependencies; every route is registered in routes.go.
package server

import (
	"log/slog"
	"sync"
	"time"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/ratelimit"
	"github.com/labplay/playground/sessions/live"
	"github.com/labplay/playground/web"
)

// Server serves the playground.
type Server struct {
	cfg     Config
	log     *slog.Logger
	manager Manager
	labs    *labs.Catalog
	site    *web.Site
	signer  signer

	// terms tracks open terminal websockets so shutdown can close them and
	// wait for their goroutines.
	terms terminalSet

	// Classrooms: their rules, the live fan-out to dashboards, and the
	// limits on instructor logins.
	classes Classrooms
	hub     *live.Hub
	logins  *loginLimiter

	// Per-address limits on anonymous session starts, on wrong classroom
	// codes (ratelimit.go) and on device links that open nothing
	// (devices.go), shared with the other processes on the database.
	starts   *ratelimit.Limiter
	badCodes *ratelimit.Limiter
	badLinks *ratelimit.Limiter
	now      func() time.Time // their clock; tests stop it

	// metrics receives requests, terminals and errors; nil records nothing.
	metrics *metrics.Metrics

	// ports forwards requests to the nodes' ports (ports.go), made once.
	portsOnce sync.Once
	ports     *portsProxy
}

// Deps are the parts a Server is built from.
type Deps struct {
	// Manager is the session manager; Classrooms the classroom rules and
	// the instructor accounts, which start sessions with the same manager.
	Manager    Manager
	Classrooms Classrooms
	Labs       *labs.Catalog
	Site       *web.Site
	// Secret signs identity cookies; every process sharing a database must
	// use the same one.
	Secret []byte
	Log    *slog.Logger
	// Hub fans database announcements out to classroom dashboards; without
	// one the live stream answers 503.
	Hub *live.Hub
	// Metrics, when set, receives requests, terminals and errors.
	Metrics *metrics.Metrics
	// Limits, when set, is where the rate limits and the terminals per
	// session are counted with every other process on the same database
	// (the store); without it they count in this process only.
	Limits ratelimit.Store
}

// DefaultUploadMax is the largest upload when the configuration sets none.
const DefaultUploadMax = 100 << 20

// New returns a Server.
func New(cfg Config, d Deps) *Server {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	if cfg.UploadMax <= 0 {
		cfg.UploadMax = DefaultUploadMax
	}
	return &Server{
		cfg: cfg, log: log, manager: d.Manager, labs: d.Labs, site: d.Site,
		signer: signer{secret: d.Secret},
		terms: terminalSet{conns: map[*terminalConn]struct{}{},
			perSession: ratelimit.NewCap("terminals", maxTermsPerSession, d.Limits, log)},
		// Classrooms.
		classes: d.Classrooms, hub: d.Hub, logins: newLoginLimiter(d.Limits, log),
		starts:   ratelimit.NewLimiter(startRate, d.Limits, log),
		badCodes: ratelimit.NewLimiter(badCodeRate, d.Limits, log),
		badLinks: ratelimit.NewLimiter(badLinkRate, d.Limits, log),
		now:      time.Now,
		metrics:  d.Metrics,
	}
}
