// Package metrics is what the playground tells Prometheus: sessions and
// nodes, session starts, terminals, checks, HTTP requests, refusals and
// errors by code, the reaper, and the Postgres pool. It owns one registry
// of its own (no global state), served by Handler on a listener apart from
// the public one. Every method is safe on a nil *Metrics, so the parts that
// record can run without one (tests, tools).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the playground's collectors.
type Metrics struct {
	reg *prometheus.Registry

	sessionStart  *prometheus.HistogramVec
	terminals     prometheus.Gauge
	terminalBytes *prometheus.CounterVec
	// bytesIn and bytesOut are terminalBytes' two series, looked up once:
	// they are counted on every terminal frame.
	bytesIn, bytesOut prometheus.Counter
	checks            *prometheus.CounterVec
	checkSeconds      prometheus.Histogram
	httpRequests      *prometheus.CounterVec
	httpSeconds       *prometheus.HistogramVec
	errors            *prometheus.CounterVec
	maintenance       *prometheus.CounterVec
	maintenanceSec    *prometheus.HistogramVec
}

// SessionCounts reports the live sessions by state and their nodes, for
// the gauges read at each scrape.
type SessionCounts func() (byState map[string]int, nodes int, err error)

// New returns the collectors, registered with the Go runtime's and the
// process's. counts is read at each scrape; pool, when not nil, is
// described by its own statistics.
func New(counts SessionCounts, pool *pgxpool.Pool) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.sessionStart = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "playground_session_start_seconds",
		Help:    "Time from a session request until its nodes' engines answer, by how it started (cold).",
		Buckets: []float64{0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 60},
	}, []string{"kind", "result"})
	m.terminals = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "playground_terminal_connections",
		Help: "Open terminal websockets.",
	})
	m.terminalBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "playground_terminal_bytes_total",
		Help: "Terminal bytes relayed: in (typed, towards the nodes) and out (output, towards browsers).",
	}, []string{"direction"})
	m.checks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "playground_checks_total",
		Help: "Section checks run, by outcome (passed, failed, error) and whether the page's polling asked (auto).",
	}, []string{"outcome", "auto"})
	m.checkSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "playground_check_seconds",
		Help:    "Time to run a section's checks on the nodes.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30},
	})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "playground_http_requests_total",
		Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.httpSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "playground_http_request_seconds",
		Help:    "HTTP request durations by route pattern (websockets and streams excluded).",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "playground_errors_total",
		Help: "Error answers by code; refusals by limits are full, rate_limited, forbidden and too_large.",
	}, []string{"code"})
	m.maintenance = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "playground_maintenance_runs_total",
		Help: "Runs of the periodic work (reap, reconcile, prune) by result.",
	}, []string{"job", "result"})
	m.maintenanceSec = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "playground_maintenance_seconds",
		Help:    "Duration of the periodic work.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.5, 1, 5, 30},
	}, []string{"job"})
	m.bytesIn, m.bytesOut = m.terminalBytes.WithLabelValues("in"), m.terminalBytes.WithLabelValues("out")
	m.reg.MustRegister(m.sessionStart, m.terminals, m.terminalBytes, m.checks, m.checkSeconds,
		m.httpRequests, m.httpSeconds, m.errors, m.maintenance, m.maintenanceSec,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if counts != nil {
		m.reg.MustRegister(&sessionCollector{counts: counts})
	}
	if pool != nil {
		m.reg.MustRegister(&poolCollector{pool: pool})
	}
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// SessionStarted records one session start, cold, and whether it worked.
func (m *Metrics) SessionStarted(kind string, took time.Duration, err error) {
	if m == nil {
		return
	}
	m.sessionStart.WithLabelValues(kind, result(err)).Observe(took.Seconds())
}

// TerminalOpened counts a terminal websocket; call the function it returns
// when it closes.
func (m *Metrics) TerminalOpened() (closed func()) {
	if m == nil {
		return func() {}
	}
	m.terminals.Inc()
	return m.terminals.Dec
}

// TerminalBytes adds relayed terminal bytes; direction is "in" or "out".
func (m *Metrics) TerminalBytes(direction string, n int) {
	if m == nil || n <= 0 {
		return
	}
	if direction == "in" {
		m.bytesIn.Add(float64(n))
	} else {
		m.bytesOut.Add(float64(n))
	}
}

// CheckRan records a section check: passed, failed or error.
func (m *Metrics) CheckRan(outcome string, auto bool, took time.Duration) {
	if m == nil {
		return
	}
	m.checks.WithLabelValues(outcome, strconv.FormatBool(auto)).Inc()
	m.checkSeconds.Observe(took.Seconds())
}

// Request records an HTTP request; long-lived ones (streamed) count but are
// not timed.
func (m *Metrics) Request(route, method string, status int, took time.Duration, streamed bool) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	// Any word is a method to net/http: only the known ones become labels,
	// so a client cannot make series without end.
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	if !streamed {
		m.httpSeconds.WithLabelValues(route).Observe(took.Seconds())
	}
}

// Error counts an error answer by its code.
func (m *Metrics) Error(code string) {
	if m == nil {
		return
	}
	m.errors.WithLabelValues(code).Inc()
}

// Maintenance records one run of periodic work (reap, reconcile, prune).
func (m *Metrics) Maintenance(job string, took time.Duration, err error) {
	if m == nil {
		return
	}
	m.maintenance.WithLabelValues(job, result(err)).Inc()
	m.maintenanceSec.WithLabelValues(job).Observe(took.Seconds())
}

func result(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
