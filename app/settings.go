package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/server"
	"github.com/labplay/playground/sessions/cluster"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/manager"
)

// A setting is one thing "playground serve" can be told: a flag, the
// environment variable that means the same, its default as text, its help,
// and parse, which checks a value and writes it into a Config. A flag wins
// over its variable, which wins over the default.
type setting struct {
	flag, env, def, help string
	// isBool lets the flag stand alone: -trust-proxy means true.
	isBool bool
	// parse checks v and writes it into c, or says what is wrong with it.
	parse func(c *Config, v string) error
}

// settings are every setting, in the order "serve -h" lists them and
// ParseFlags parses them: session-max-lifetime reads the lifetime parsed
// before it. README.md's configuration table has a row for each
// (settings_test.go checks it).
var settings = []setting{
	{flag: "addr", env: "PLAYGROUND_ADDR", def: DefaultAddr,
		help:  "listen address",
		parse: func(c *Config, v string) error { c.Addr = v; return nil }},
	{flag: "metrics-addr", env: "PLAYGROUND_METRICS_ADDR", def: DefaultMetricsAddr,
		help:  "listen address of Prometheus metrics, apart from the public one; off to serve none",
		parse: func(c *Config, v string) error { c.MetricsAddr = orOff(v); return nil }},
	{flag: "database-url", env: "DATABASE_URL",
		help: "Postgres URL",
		parse: func(c *Config, v string) error {
			if v == "" {
				return errors.New("no database: set DATABASE_URL or -database-url (make run sets up a local one)")
			}
			c.DatabaseURL = v
			return nil
		}},
	{flag: "public-url", env: "PLAYGROUND_PUBLIC_URL",
		help: "public URL of the site, for links and origin checks",
		parse: func(c *Config, v string) error {
			if v != "" && !isWebURL(v) {
				return fmt.Errorf("public URL %q must be an http or https URL", v)
			}
			c.Server.PublicURL = v
			return nil
		}},
	{flag: "trust-proxy", env: "PLAYGROUND_TRUST_PROXY", def: "false", isBool: true,
		help: "take the client's address from the last X-Forwarded-For entry, the one the proxy appends (only behind a proxy that sets it)",
		parse: func(c *Config, v string) (err error) {
			if c.Server.TrustProxy, err = strconv.ParseBool(v); err != nil {
				return fmt.Errorf("trust proxy %q must be true or false", v)
			}
			return nil
		}},
	{flag: "ports-domain", env: "PLAYGROUND_PORTS_DOMAIN",
		help: "wildcard domain whose hosts open the nodes' ports, e.g. ports.example.org",
		parse: func(c *Config, v string) error {
			if v != "" && (strings.ContainsAny(v, "/:* ") || strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".")) {
				return fmt.Errorf("ports domain %q must be a plain domain name such as ports.example.org", v)
			}
			c.Server.PortsDomain = v
			return nil
		}},
	{flag: "upload-max", env: "PLAYGROUND_UPLOAD_MAX", def: mibText(server.DefaultUploadMax),
		help: "largest file a learner uploads to a node, in MiB",
		parse: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 || n > 1<<20 {
				return fmt.Errorf("upload maximum %q must be a whole number of MiB from 1 to %d", v, 1<<20)
			}
			c.Server.UploadMax = n << 20
			return nil
		}},
	{flag: "labs-dir", env: "PLAYGROUND_LABS_DIR", def: DefaultLabsDir,
		help:  "folder of labs served beside the built-in ones and watched for changes, one folder per lab; off for none",
		parse: func(c *Config, v string) error { c.LabsDir = orOff(v); return nil }},
	{flag: "log-format", env: "PLAYGROUND_LOG_FORMAT", def: LogText,
		help: "log format: text or json",
		parse: func(c *Config, v string) error {
			if v != LogText && v != LogJSON {
				return fmt.Errorf("log format %q must be text or json", v)
			}
			c.LogFormat = v
			return nil
		}},
	{flag: "log-level", env: "PLAYGROUND_LOG_LEVEL", def: strings.ToLower(DefaultLogLevel.String()),
		help: "log level: debug, info, warn or error",
		parse: func(c *Config, v string) error {
			if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("log level %q must be debug, info, warn or error", v)
			}
			return nil
		}},
	{flag: "node-image", env: "PLAYGROUND_NODE_IMAGE", def: engine.DefaultNodeImage,
		help:  "node image",
		parse: func(c *Config, v string) error { c.Engine.NodeImage = v; return nil }},
	{flag: "instance", env: "PLAYGROUND_INSTANCE", def: engine.DefaultInstance,
		help:  "label that separates deployments sharing one engine",
		parse: func(c *Config, v string) error { c.Engine.Instance = v; return nil }},
	{flag: "node-isolation", env: "PLAYGROUND_NODE_ISOLATION", def: engine.IsolationUserns,
		help:  "userns (nodes in the engine's user namespace; the engine must run with --userns-remap), or unsafe-host-root (nodes are root on the host; only for trusted learners)",
		parse: func(c *Config, v string) error { c.Engine.Isolation = v; return nil }},
	{flag: "node-runtime", env: "PLAYGROUND_NODE_RUNTIME",
		help:  "container runtime of the nodes, e.g. sysbox-runc",
		parse: func(c *Config, v string) error { c.Engine.Runtime = v; return nil }},
	{flag: "node-egress", env: "PLAYGROUND_NODE_EGRESS", def: engine.EgressInternet,
		help:  "what nodes reach: internet, or none (only each other)",
		parse: func(c *Config, v string) error { c.Engine.Egress = v; return nil }},
	{flag: "node-egress-allow", env: "PLAYGROUND_NODE_EGRESS_ALLOW",
		help:  "comma-separated CIDRs the nodes may reach although they are private, link-local or the host's",
		parse: parseEgressAllow},
	{flag: "registry-mirror", env: "PLAYGROUND_REGISTRY_MIRROR",
		help: "registry mirror for the nodes' engines",
		parse: func(c *Config, v string) error {
			if v != "" {
				c.Engine.AgentArgs = []string{"--registry-mirror", v}
			}
			return nil
		}},
	{flag: "node-memory", env: "PLAYGROUND_NODE_MEMORY", def: mibText(engine.DefaultMemory),
		help: "memory limit per node in MiB",
		parse: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 64 {
				return fmt.Errorf("node memory %q must be a whole number of MiB, at least 64", v)
			}
			c.Engine.Memory = n << 20
			return nil
		}},
	{flag: "cluster", env: "PLAYGROUND_CLUSTER", def: "",
		help: "Docker address of a swarm manager (unix:// or tcp://): run the nodes on that swarm's hosts; empty: on the one engine of DOCKER_HOST",
		parse: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "unix://") && !strings.HasPrefix(v, "tcp://") {
				return fmt.Errorf("cluster %q must be a unix:// or tcp:// address", v)
			}
			c.Cluster.Manager = v
			return nil
		}},
	{flag: "cluster-tls", env: "PLAYGROUND_CLUSTER_TLS", def: "",
		help: "folder with ca.pem, cert.pem and key.pem for the cluster hosts' Engine APIs (mutual TLS)",
		parse: func(c *Config, v string) error {
			if v != "" && !filepath.IsAbs(v) {
				abs, err := filepath.Abs(v)
				if err != nil {
					return fmt.Errorf("cluster TLS folder %q: %w", v, err)
				}
				v = abs
			}
			c.Cluster.TLSDir = v
			return nil
		}},
	{flag: "node-reservation", env: "PLAYGROUND_NODE_RESERVATION", def: mibText(cluster.DefaultReservation),
		help: "memory each node reserves on its host in MiB, which a cluster places sessions by",
		parse: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return fmt.Errorf("node reservation %q must be a whole number of MiB, at least 1", v)
			}
			c.Cluster.Reservation = n << 20
			return nil
		}},
	{flag: "nodes-memory", env: "PLAYGROUND_NODES_MEMORY", def: auto,
		help: "memory all nodes may use together in MiB; auto: the host's less max(2 GiB, 10%); 0: no cap",
		parse: func(c *Config, v string) error {
			if v == auto {
				c.Engine.NodesMemory = engine.NodesMemoryAuto
				return nil
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("nodes' memory %q must be auto, 0, or a whole number of MiB", v)
			}
			c.Engine.NodesMemory = n << 20
			return nil
		}},
	{flag: "node-disk", env: "PLAYGROUND_NODE_DISK", def: mibText(engine.DefaultDisk),
		help:  "disk of each node in MiB, for all it writes (its files and its engine's images); 0: no disks, nodes write to the engine's storage unbounded",
		parse: parseDisk},
	{flag: "registry-image", env: "PLAYGROUND_REGISTRY_IMAGE", def: engine.DefaultRegistryImage,
		help:  "image of the host's registry that holds the labs' images and mirrors them to the nodes; off for none, the images are then copied in",
		parse: func(c *Config, v string) error { c.Engine.RegistryImage = orOff(v); return nil }},
	{flag: "registry-upstream", env: "PLAYGROUND_REGISTRY_UPSTREAM", def: engine.DefaultUpstream,
		help: "registry whose pulls a cache on the host keeps for the nodes, with node egress to the internet; off for no cache",
		parse: func(c *Config, v string) error {
			if v != off && !isWebURL(v) {
				return fmt.Errorf("registry upstream %q must be an http or https URL, or off", v)
			}
			c.Engine.RegistryUpstream = orOff(v)
			return nil
		}},
	{flag: "node-lxcfs", env: "PLAYGROUND_NODE_LXCFS", def: engine.DefaultLXCFSDir,
		help:  "where LXCFS is mounted on the engine's host, whose /proc files show each node its own memory and CPUs; off for none",
		parse: func(c *Config, v string) error { c.Engine.LXCFSDir = v; return nil }}, // engine.LXCFSOff is "off"
	{flag: "disk-dir", env: "PLAYGROUND_DISK_DIR", def: engine.DefaultDiskDir,
		help:  "folder on the engine's host for the nodes' disk files",
		parse: func(c *Config, v string) error { c.Engine.DiskDir = v; return nil }},
	{flag: "node-cpus", env: "PLAYGROUND_NODE_CPUS", def: strconv.FormatFloat(engine.DefaultNanoCPUs/1e9, 'f', -1, 64),
		help: "CPU limit per node",
		parse: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 || f > 64 {
				return fmt.Errorf("node CPUs %q must be a number between 0 and 64", v)
			}
			c.Engine.NanoCPUs = int64(f * 1e9)
			return nil
		}},
	{flag: "node-pids", env: "PLAYGROUND_NODE_PIDS", def: strconv.Itoa(engine.DefaultPidsLimit),
		help: "process limit per node",
		parse: func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 100 {
				return fmt.Errorf("node pids %q must be a whole number, at least 100", v)
			}
			c.Engine.PidsLimit = n
			return nil
		}},
	{flag: "session-lifetime", env: "PLAYGROUND_SESSION_LIFETIME", def: durationText(manager.DefaultLifetime),
		help: "how long a session lives",
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute {
				return fmt.Errorf("session lifetime %q must be a duration of at least 1m", v)
			}
			c.Sessions.Lifetime = d
			return nil
		}},
	{flag: "session-extend", env: "PLAYGROUND_SESSION_EXTEND", def: durationText(manager.DefaultExtendStep),
		help: "how much time a learner adds to their session at once",
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute {
				return fmt.Errorf("session extension %q must be a duration of at least 1m", v)
			}
			c.Sessions.ExtendStep = d
			return nil
		}},
	{flag: "session-max-lifetime", env: "PLAYGROUND_SESSION_MAX_LIFETIME", def: durationText(manager.DefaultMaxLifetime),
		help: "how long a session may live in all, extensions included",
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < c.Sessions.Lifetime {
				return fmt.Errorf("session maximum lifetime %q must be a duration no shorter than the lifetime", v)
			}
			c.Sessions.MaxLifetime = d
			return nil
		}},
	{flag: "max-sessions", env: "PLAYGROUND_MAX_SESSIONS", def: auto,
		help: "live sessions the host accepts; auto: as many as the nodes' memory holds at the measured cost of a session",
		parse: func(c *Config, v string) error {
			if v == auto {
				c.Sessions.MaxSessions = 0 // Main.Run sets it from the host
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("max sessions %q must be auto or a positive whole number", v)
			}
			c.Sessions.MaxSessions = n
			return nil
		}},
	{flag: "max-sessions-per-learner", env: "PLAYGROUND_MAX_SESSIONS_PER_LEARNER", def: strconv.Itoa(manager.DefaultMaxPerLearner),
		help: "live sessions one learner may hold",
		parse: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("max sessions per learner %q must be a positive whole number", v)
			}
			c.Sessions.MaxPerLearner = n
			return nil
		}},
	{flag: "max-sessions-per-address", env: "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS", def: strconv.Itoa(manager.DefaultMaxPerAddress),
		help: "live sessions outside a classroom one client address may hold; 0: no cap",
		parse: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("max sessions per address %q must be a whole number, 0 for no cap", v)
			}
			c.Sessions.MaxPerAddress = n
			return nil
		}},
	{flag: "idle-pause", env: "PLAYGROUND_IDLE_PAUSE", def: durationText(manager.DefaultIdlePause),
		help: "how long a session may go unused (no terminal attached, no request) before it is paused; 0 never pauses one",
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if v != "0" && (err != nil || d < manager.MinIdlePause) {
				return fmt.Errorf("idle pause %q must be a duration of at least %s, or 0", v, manager.MinIdlePause)
			}
			c.Sessions.IdlePause = d
			return nil
		}},
	{flag: "paused-lifetime", env: "PLAYGROUND_PAUSED_LIFETIME", def: durationText(manager.DefaultPausedLifetime),
		help: "how long a paused session keeps its disks before it ends",
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Hour {
				return fmt.Errorf("paused lifetime %q must be a duration of at least 1h", v)
			}
			c.Sessions.PausedLifetime = d
			return nil
		}},
	{flag: "max-paused", env: "PLAYGROUND_MAX_PAUSED", def: strconv.Itoa(manager.DefaultMaxPaused),
		help: "paused sessions the host keeps (their disks stay); 0: no cap",
		parse: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("max paused sessions %q must be a whole number, 0 for no cap", v)
			}
			c.Sessions.MaxPaused = n
			return nil
		}},
	{flag: "event-retention", env: "PLAYGROUND_EVENT_RETENTION", def: durationText(manager.DefaultEventRetention),
		help: "how long the log of check attempts is kept; progress itself is kept; 0 keeps the log too",
		parse: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if v != "0" && (err != nil || d < time.Hour) {
				return fmt.Errorf("event retention %q must be a duration of at least 1h, or 0", v)
			}
			c.Sessions.EventRetention = d
			return nil
		}},
	{flag: "pool-size", env: "PLAYGROUND_POOL_SIZE", def: strconv.Itoa(manager.DefaultPoolSize),
		help: "ready sessions kept in the warm pool, so a Start is instant; 0: none",
		parse: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("pool size %q must be a whole number, 0 or more", v)
			}
			c.Sessions.PoolSize = n
			return nil
		}},
	{flag: "pool-lab", env: "PLAYGROUND_POOL_LAB", def: manager.DefaultPoolLab,
		help:  "the lab the warm pool's sessions are made for",
		parse: func(c *Config, v string) error { c.Sessions.PoolLab = v; return nil }},
	{flag: "subnet-pool", env: "PLAYGROUND_SUBNET_POOL", def: manager.DefaultSubnetPool,
		help:  fmt.Sprintf("pool that session networks (/%d each) are cut from", manager.SubnetBits),
		parse: parseSubnetPool},
}

// auto is the word that leaves a setting to be measured on the host.
const auto = "auto"
