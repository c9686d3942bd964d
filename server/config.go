package server

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
)

// Config is everything the server needs to run, from flags and environment.
type Config struct {
	Addr        string // listen address, e.g. 127.0.0.1:8080
	MetricsAddr string // where /metrics listens, apart from Addr; "off" for nowhere
	DatabaseURL string
	PublicURL   string // the URL learners use, when behind a proxy; optional
	LogFormat   string // "text" or "json"
	LogLevel    string // "debug", "info", "warn", "error"
	// TrustProxy believes X-Forwarded-For and X-Real-IP for client
	// addresses; set it only behind a proxy that sets them.
	TrustProxy bool
	// PortsDomain, when set, serves each node's port on a host of its own,
	// <node>-<port>-<key>.<PortsDomain> (a wildcard DNS name pointing at
	// the server); ports are always served under /ports/ too (ports.go).
	PortsDomain string
	// UploadMax bounds the size of one file uploaded to a node.
	UploadMax int64
	// LabsDir is a folder of labs read at start beside the built-in ones;
	// a missing folder holds no labs.
	LabsDir string

	Engine   engine.Config
	Sessions manager.Config
}

// DefaultLabsDir is where the server looks for labs added at run time, and
// where "playground lab import-pwd" writes by default.
const DefaultLabsDir = "/var/lib/playground/labs"

// ParseConfig reads the configuration from command-line flags, falling back
// to environment variables (looked up with getenv), then to defaults. It
// validates the result.
func ParseConfig(args []string, getenv func(string) string) (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var c Config
	var upload string
	var pool, warm, lifetime, extend, maxLifetime, memory, nodesMemory, disk, cpus, pids, maxSessions, perLearner, perAddress, retention string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", env("PLAYGROUND_ADDR", "127.0.0.1:8080"), "listen address (PLAYGROUND_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("PLAYGROUND_METRICS_ADDR", "127.0.0.1:9464"), "listen address of Prometheus metrics, apart from the public one; off to serve none (PLAYGROUND_METRICS_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "Postgres URL (DATABASE_URL)")
	fs.StringVar(&c.PublicURL, "public-url", env("PLAYGROUND_PUBLIC_URL", ""), "public URL of the site, for links and origin checks (PLAYGROUND_PUBLIC_URL)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", env("PLAYGROUND_TRUST_PROXY", "") == "true", "believe X-Forwarded-For / X-Real-IP (only behind a proxy that sets them) (PLAYGROUND_TRUST_PROXY=true)")
	fs.StringVar(&c.PortsDomain, "ports-domain", env("PLAYGROUND_PORTS_DOMAIN", ""), "wildcard domain whose hosts open the nodes' ports, e.g. ports.example.org (PLAYGROUND_PORTS_DOMAIN)")
	fs.StringVar(&upload, "upload-max", env("PLAYGROUND_UPLOAD_MAX", "100"), "largest file a learner uploads to a node, in MiB (PLAYGROUND_UPLOAD_MAX)")
	fs.StringVar(&c.LabsDir, "labs-dir", env("PLAYGROUND_LABS_DIR", DefaultLabsDir), "folder of labs read at start beside the built-in ones, one folder per lab; off for none (PLAYGROUND_LABS_DIR)")
	fs.StringVar(&c.LogFormat, "log-format", env("PLAYGROUND_LOG_FORMAT", "text"), "log format: text or json (PLAYGROUND_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("PLAYGROUND_LOG_LEVEL", "info"), "log level (PLAYGROUND_LOG_LEVEL)")
	fs.StringVar(&c.Engine.NodeImage, "node-image", env("PLAYGROUND_NODE_IMAGE", "playground-node:latest"), "node image (PLAYGROUND_NODE_IMAGE)")
	fs.StringVar(&c.Engine.Instance, "instance", env("PLAYGROUND_INSTANCE", "default"), "label that separates deployments sharing one engine (PLAYGROUND_INSTANCE)")
	fs.StringVar(&c.Engine.Isolation, "node-isolation", env("PLAYGROUND_NODE_ISOLATION", engine.IsolationUserns), "userns (nodes in the engine's user namespace; the engine must run with --userns-remap), or unsafe-host-root (nodes are root on the host; only for trusted learners) (PLAYGROUND_NODE_ISOLATION)")
	fs.StringVar(&c.Engine.Runtime, "node-runtime", env("PLAYGROUND_NODE_RUNTIME", ""), "container runtime of the nodes, e.g. sysbox-runc (PLAYGROUND_NODE_RUNTIME)")
	fs.StringVar(&c.Engine.Egress, "node-egress", env("PLAYGROUND_NODE_EGRESS", "internet"), "what nodes reach: internet, or none (only each other) (PLAYGROUND_NODE_EGRESS)")
	egressAllow := fs.String("node-egress-allow", env("PLAYGROUND_NODE_EGRESS_ALLOW", ""), "comma-separated CIDRs the nodes may reach although they are private, link-local or the host's (PLAYGROUND_NODE_EGRESS_ALLOW)")
	mirror := fs.String("registry-mirror", env("PLAYGROUND_REGISTRY_MIRROR", ""), "registry mirror for the nodes' engines (PLAYGROUND_REGISTRY_MIRROR)")
	fs.StringVar(&memory, "node-memory", env("PLAYGROUND_NODE_MEMORY", "1024"), "memory limit per node in MiB (PLAYGROUND_NODE_MEMORY)")
	fs.StringVar(&nodesMemory, "nodes-memory", env("PLAYGROUND_NODES_MEMORY", "auto"), "memory all nodes may use together in MiB; auto: the host's less max(2 GiB, 10%); 0: no cap (PLAYGROUND_NODES_MEMORY)")
	fs.StringVar(&disk, "node-disk", env("PLAYGROUND_NODE_DISK", "10240"), "disk of each node in MiB, for all it writes (its files and its engine's images); 0: no disks, nodes write to the engine's storage unbounded (PLAYGROUND_NODE_DISK)")
	fs.StringVar(&c.Engine.RegistryImage, "registry-image", env("PLAYGROUND_REGISTRY_IMAGE", "playground-registry:latest"), "image of the host's registry that holds the labs' images and mirrors them to the nodes; off for none, the images are then copied in (PLAYGROUND_REGISTRY_IMAGE)")
	fs.StringVar(&c.Engine.RegistryUpstream, "registry-upstream", env("PLAYGROUND_REGISTRY_UPSTREAM", engine.DefaultUpstream), "registry whose pulls a cache on the host keeps for the nodes, with node egress to the internet; off for no cache (PLAYGROUND_REGISTRY_UPSTREAM)")
	fs.StringVar(&c.Engine.LXCFSDir, "node-lxcfs", env("PLAYGROUND_NODE_LXCFS", engine.DefaultLXCFSDir), "where LXCFS is mounted on the engine's host, whose /proc files show each node its own memory and CPUs; off for none (PLAYGROUND_NODE_LXCFS)")
	fs.StringVar(&c.Engine.DiskDir, "disk-dir", env("PLAYGROUND_DISK_DIR", engine.DefaultDiskDir), "folder on the engine's host for the nodes' disk files (PLAYGROUND_DISK_DIR)")
	fs.StringVar(&cpus, "node-cpus", env("PLAYGROUND_NODE_CPUS", "1"), "CPU limit per node (PLAYGROUND_NODE_CPUS)")
	fs.StringVar(&pids, "node-pids", env("PLAYGROUND_NODE_PIDS", "2000"), "process limit per node (PLAYGROUND_NODE_PIDS)")
	fs.StringVar(&lifetime, "session-lifetime", env("PLAYGROUND_SESSION_LIFETIME", "2h"), "how long a session lives (PLAYGROUND_SESSION_LIFETIME)")
	fs.StringVar(&extend, "session-extend", env("PLAYGROUND_SESSION_EXTEND", "30m"), "how much time a learner adds to their session at once (PLAYGROUND_SESSION_EXTEND)")
	fs.StringVar(&maxLifetime, "session-max-lifetime", env("PLAYGROUND_SESSION_MAX_LIFETIME", "8h"), "how long a session may live in all, extensions included (PLAYGROUND_SESSION_MAX_LIFETIME)")
	fs.StringVar(&maxSessions, "max-sessions", env("PLAYGROUND_MAX_SESSIONS", "auto"), "live sessions the host accepts; auto: as many as the nodes' memory holds at the measured cost of a session (PLAYGROUND_MAX_SESSIONS)")
	fs.StringVar(&perLearner, "max-sessions-per-learner", env("PLAYGROUND_MAX_SESSIONS_PER_LEARNER", "3"), "live sessions one learner may hold (PLAYGROUND_MAX_SESSIONS_PER_LEARNER)")
	fs.StringVar(&perAddress, "max-sessions-per-address", env("PLAYGROUND_MAX_SESSIONS_PER_ADDRESS", "6"), "live sessions outside a classroom one client address may hold; 0: no cap (PLAYGROUND_MAX_SESSIONS_PER_ADDRESS)")
	fs.StringVar(&retention, "event-retention", env("PLAYGROUND_EVENT_RETENTION", "720h"), "how long the log of check attempts is kept; progress itself is kept (PLAYGROUND_EVENT_RETENTION; 0 keeps the log too)")
	fs.StringVar(&warm, "pool-size", env("PLAYGROUND_POOL_SIZE", "2"), "ready sessions kept in the warm pool, so a Start is instant; 0: none (PLAYGROUND_POOL_SIZE)")
	fs.StringVar(&c.Sessions.PoolLab, "pool-lab", env("PLAYGROUND_POOL_LAB", "docker-orchestration"), "the lab the warm pool's sessions are made for (PLAYGROUND_POOL_LAB)")
	fs.StringVar(&pool, "subnet-pool", env("PLAYGROUND_SUBNET_POOL", "100.64.0.0/17"), "pool that session networks (/28 each) are cut from (PLAYGROUND_SUBNET_POOL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.DatabaseURL == "" {
		bad("no database: set DATABASE_URL or -database-url (make run sets up a local one)")
	}
	for _, a := range strings.Split(*egressAllow, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if p, err := netip.ParsePrefix(a); err != nil || !p.Addr().Is4() {
			bad("node egress allow %q must be IPv4 CIDRs, comma-separated", *egressAllow)
		} else {
			c.Engine.EgressAllow = append(c.Engine.EgressAllow, p.Masked())
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("public URL %q must be an http or https URL", c.PublicURL)
		}
	}
	if d := c.PortsDomain; d != "" && (strings.ContainsAny(d, "/:* ") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".")) {
		bad("ports domain %q must be a plain domain name such as ports.example.org", d)
	}
	if n, err := strconv.ParseInt(upload, 10, 64); err != nil || n < 1 || n > 1<<20 {
		bad("upload maximum %q must be a whole number of MiB from 1 to %d", upload, 1<<20)
	} else {
		c.UploadMax = n << 20
	}
	if c.LabsDir == "off" {
		c.LabsDir = ""
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log format %q must be text or json", c.LogFormat)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		bad("log level %q must be debug, info, warn or error", c.LogLevel)
	}
	if c.Engine.RegistryImage == "off" {
		c.Engine.RegistryImage = ""
	}
	if c.Engine.RegistryUpstream == "off" {
		c.Engine.RegistryUpstream = ""
	} else if u, err := url.Parse(c.Engine.RegistryUpstream); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("registry upstream %q must be an http or https URL, or off", c.Engine.RegistryUpstream)
	}
	if *mirror != "" {
		c.Engine.AgentArgs = []string{"--registry-mirror", *mirror}
	}
	if n, err := strconv.ParseInt(memory, 10, 64); err != nil || n < 64 {
		bad("node memory %q must be a whole number of MiB, at least 64", memory)
	} else {
		c.Engine.Memory = n << 20
	}
	if nodesMemory == "auto" {
		c.Engine.NodesMemory = engine.NodesMemoryAuto
	} else if n, err := strconv.ParseInt(nodesMemory, 10, 64); err != nil || n < 0 {
		bad("nodes' memory %q must be auto, 0, or a whole number of MiB", nodesMemory)
	} else {
		c.Engine.NodesMemory = n << 20
	}
	if n, err := strconv.ParseInt(disk, 10, 64); err != nil || (n != 0 && n < engine.MinDisk>>20) {
		bad("node disk %q must be 0 or a whole number of MiB, at least %d", disk, engine.MinDisk>>20)
	} else if n == 0 {
		c.Engine.Disk = engine.DiskOff
	} else {
		c.Engine.Disk = n << 20
	}
	if f, err := strconv.ParseFloat(cpus, 64); err != nil || f <= 0 || f > 64 {
		bad("node CPUs %q must be a number between 0 and 64", cpus)
	} else {
		c.Engine.NanoCPUs = int64(f * 1e9)
	}
	if n, err := strconv.ParseInt(pids, 10, 64); err != nil || n < 100 {
		bad("node pids %q must be a whole number, at least 100", pids)
	} else {
		c.Engine.PidsLimit = n
	}
	if d, err := time.ParseDuration(lifetime); err != nil || d < time.Minute {
		bad("session lifetime %q must be a duration of at least 1m", lifetime)
	} else {
		c.Sessions.Lifetime = d
	}
	if d, err := time.ParseDuration(extend); err != nil || d < time.Minute {
		bad("session extension %q must be a duration of at least 1m", extend)
	} else {
		c.Sessions.ExtendStep = d
	}
	if d, err := time.ParseDuration(maxLifetime); err != nil || d < c.Sessions.Lifetime {
		bad("session maximum lifetime %q must be a duration no shorter than the lifetime", maxLifetime)
	} else {
		c.Sessions.MaxLifetime = d
	}
	if n, err := strconv.Atoi(maxSessions); maxSessions != "auto" && (err != nil || n < 1) {
		bad("max sessions %q must be auto or a positive whole number", maxSessions)
	} else {
		c.Sessions.MaxSessions = n // 0 for auto: Run sets it from the host
	}
	if n, err := strconv.Atoi(warm); err != nil || n < 0 {
		bad("pool size %q must be a whole number, 0 or more", warm)
	} else {
		c.Sessions.PoolSize = n
	}
	if n, err := strconv.Atoi(perLearner); err != nil || n < 1 {
		bad("max sessions per learner %q must be a positive whole number", perLearner)
	} else {
		c.Sessions.MaxPerLearner = n
	}
	if d, err := time.ParseDuration(retention); retention != "0" && (err != nil || d < time.Hour) {
		bad("event retention %q must be a duration of at least 1h, or 0", retention)
	} else {
		c.Sessions.EventRetention = d
	}
	if n, err := strconv.Atoi(perAddress); err != nil || n < 0 {
		bad("max sessions per address %q must be a whole number, 0 for no cap", perAddress)
	} else {
		c.Sessions.MaxPerAddress = n
	}
	if p, err := netip.ParsePrefix(pool); err != nil {
		bad("subnet pool %q: %v", pool, err)
	} else {
		c.Sessions.Subnets = store.Subnets{Pool: p.Masked(), Bits: 28}
		if !c.Sessions.Subnets.Valid() {
			bad("subnet pool %q must be an IPv4 prefix of /8 to /28", pool)
		} else if overlapsInner(p) {
			bad("subnet pool %q overlaps what the nodes' engines use (172.17.0.0/16, 172.18.0.0/16, 10.0.0.0/8)", pool)
		}
	}
	if err := c.Engine.Validate(); err != nil {
		bad("%v", err)
	}
	return c, errors.Join(errs...)
}

// overlapsInner reports whether p overlaps the ranges the inner engines use
// for docker0, docker_gwbridge and swarm overlays.
func overlapsInner(p netip.Prefix) bool {
	for _, s := range []string{"172.17.0.0/16", "172.18.0.0/16", "10.0.0.0/8"} {
		if p.Overlaps(netip.MustParsePrefix(s)) {
			return true
		}
	}
	return false
}

// parseLevel reads a level name (debug, info, warn, error).
func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}
