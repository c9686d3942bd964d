// Package app is the program "playground serve": it reads the configuration
// from flags and environment (settings.go, flags.go), then wires the rooms
// together and runs them (main.go): the store, the Docker engine and its
// checks, the labs, the metrics, the manager, the dashboards' hub and the
// HTTP server, until its context ends; then it shuts them down in order.
package app

import (
	"log/slog"
	"os"

	"github.com/labplay/playground/server"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/manager"
)

// Config is everything "playground serve" is told, typed and validated by
// ParseFlags. Each field is one setting of settings.go, or part of one.
type Config struct {
	// Addr is the public listen address, such as 127.0.0.1:8080.
	Addr string
	// MetricsAddr is where /metrics listens, apart from Addr; "" for
	// nowhere.
	MetricsAddr string
	// DatabaseURL is the Postgres URL.
	DatabaseURL string
	// LogFormat is LogText or LogJSON, and LogLevel the least level logged.
	LogFormat string
	LogLevel  slog.Level
	// LabsDir is a folder of labs served beside the built-in ones, read
	// at start and again as it changes (labsdir.go); "" for none.
	LabsDir string

	// Server, Engine and Sessions are the settings of the rooms that take
	// them: the handlers, the Docker engine and the manager.
	Server   server.Config
	Engine   engine.Config
	Sessions manager.Config

	// Cluster, when its Manager is set, runs the nodes on a Docker Swarm
	// of hosts instead of the one engine of DOCKER_HOST.
	Cluster ClusterConfig
}

// ClusterConfig is the cluster mode's settings (sessions/cluster).
type ClusterConfig struct {
	// Manager is the Docker address of a swarm manager; "" for one host.
	Manager string
	// TLSDir holds ca.pem, cert.pem and key.pem for the hosts' Engine APIs.
	TLSDir string
	// Reservation is the memory each node reserves on its host.
	Reservation int64
}

// Defaults of the settings that belong to this room; the other rooms name
// theirs (engine.DefaultNodeImage, manager.DefaultLifetime, ...).
const (
	// DefaultAddr is the public listen address: loopback, for a proxy or
	// a single machine.
	DefaultAddr = "127.0.0.1:8080"
	// DefaultMetricsAddr is where /metrics listens: loopback, so that only
	// the host reads them.
	DefaultMetricsAddr = "127.0.0.1:9464"
	// DefaultLogLevel is the least level logged.
	DefaultLogLevel = slog.LevelInfo
)

// The log formats of Config.LogFormat.
const (
	LogText = "text"
	LogJSON = "json"
)

// off is the word that turns a setting with a default off.
const off = "off"

// NewLogger returns the process logger in the configured format and level,
// writing to the standard error.
func NewLogger(cfg Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == LogJSON {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
