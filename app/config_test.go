package app_test

import (
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/app"
	"github.com/labplay/playground/sessions/engine"
)

// parse parses flags with an environment of its own.
func parse(t *testing.T, env map[string]string, args ...string) (app.Config, error) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	env["DATABASE_URL"] = "postgres://nowhere/db"
	m := app.Main{Output: io.Discard}
	err := m.ParseFlags(args, func(k string) string { return env[k] })
	return m.Config, err
}

func TestConfigCapacityAndEgress(t *testing.T) {
	t.Parallel()
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sessions.MaxSessions != 0 || c.Engine.LXCFSDir != "/var/lib/lxcfs" || len(c.Engine.EgressAllow) != 0 {
		t.Errorf("defaults: max sessions %d (want 0, auto), LXCFS %q, egress allow %v", c.Sessions.MaxSessions, c.Engine.LXCFSDir, c.Engine.EgressAllow)
	}
	c, err = parse(t, map[string]string{"PLAYGROUND_MAX_SESSIONS": "40", "PLAYGROUND_NODE_EGRESS_ALLOW": "10.1.2.0/24, 192.168.7.9/32", "PLAYGROUND_NODE_LXCFS": "off"})
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24"), netip.MustParsePrefix("192.168.7.9/32")}
	if c.Sessions.MaxSessions != 40 || c.Engine.LXCFSDir != "off" || len(c.Engine.EgressAllow) != 2 || c.Engine.EgressAllow[0] != want[0] || c.Engine.EgressAllow[1] != want[1] {
		t.Errorf("overrides: max sessions %d, LXCFS %q, egress allow %v", c.Sessions.MaxSessions, c.Engine.LXCFSDir, c.Engine.EgressAllow)
	}
	for env, says := range map[string]string{
		"PLAYGROUND_MAX_SESSIONS=0":             "max sessions",
		"PLAYGROUND_MAX_SESSIONS=lots":          "max sessions",
		"PLAYGROUND_NODE_EGRESS_ALLOW=10.0.0.1": "egress allow",
		"PLAYGROUND_NODE_EGRESS_ALLOW=fd00::/8": "egress allow",
		"PLAYGROUND_NODE_LXCFS=relative/lxcfs":  "LXCFS",
	} {
		k, v, _ := strings.Cut(env, "=")
		if _, err := parse(t, map[string]string{k: v}); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want an error about %s", env, err, says)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.MetricsAddr != "127.0.0.1:9464" || c.DatabaseURL != "postgres://nowhere/db" ||
		c.LabsDir != "/var/lib/playground/labs" || c.LogFormat != "text" || c.LogLevel != slog.LevelInfo {
		t.Errorf("defaults: addr %q, metrics %q, database %q, labs %q, log %s %v",
			c.Addr, c.MetricsAddr, c.DatabaseURL, c.LabsDir, c.LogFormat, c.LogLevel)
	}
	if s := c.Server; s.UploadMax != 100<<20 || s.TrustProxy || s.PublicURL != "" || s.PortsDomain != "" {
		t.Errorf("server defaults: %+v", s)
	}
	e := c.Engine
	if e.NodeImage != "playground-node:latest" || e.Instance != "default" || e.Isolation != "userns" || e.Egress != "internet" ||
		e.Memory != 1<<30 || e.NodesMemory != engine.NodesMemoryAuto || e.Disk != 10<<30 || e.NanoCPUs != 1e9 || e.PidsLimit != 2000 ||
		e.RegistryImage != "playground-registry:latest" || e.RegistryUpstream != "https://registry-1.docker.io" ||
		e.DiskDir != "/var/lib/playground/disks" || e.Runtime != "" || e.AgentArgs != nil {
		t.Errorf("engine defaults: %+v", e)
	}
	s := c.Sessions
	if s.Lifetime != 2*time.Hour || s.ExtendStep != 30*time.Minute || s.MaxLifetime != 8*time.Hour ||
		s.MaxPerLearner != 3 || s.MaxPerAddress != 6 || s.EventRetention != 720*time.Hour || s.PoolSize != 2 ||
		s.PoolLab != "docker-orchestration" || s.Subnets.Pool != netip.MustParsePrefix("100.64.0.0/17") || s.Subnets.Bits != 28 {
		t.Errorf("session defaults: %+v", s)
	}
}

func TestConfigOverrides(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PLAYGROUND_ADDR": "0.0.0.0:80", "PLAYGROUND_METRICS_ADDR": "off", "PLAYGROUND_LABS_DIR": "off",
		"PLAYGROUND_REGISTRY_IMAGE": "off", "PLAYGROUND_REGISTRY_UPSTREAM": "off", "PLAYGROUND_NODE_DISK": "0",
		"PLAYGROUND_NODES_MEMORY": "4096", "PLAYGROUND_NODE_CPUS": "0.5", "PLAYGROUND_REGISTRY_MIRROR": "http://mirror:5000",
		"PLAYGROUND_LOG_LEVEL": "debug", "PLAYGROUND_EVENT_RETENTION": "0", "PLAYGROUND_TRUST_PROXY": "true",
	}
	c, err := parse(t, env, "-addr", "127.0.0.1:0", "-upload-max=7", "-log-format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:0" || c.Server.UploadMax != 7<<20 || c.LogFormat != "json" || c.LogLevel != slog.LevelDebug {
		t.Errorf("flags over environment: addr %q, upload %d, log %s %v", c.Addr, c.Server.UploadMax, c.LogFormat, c.LogLevel)
	}
	if c.MetricsAddr != "" || c.LabsDir != "" || c.Engine.RegistryImage != "" || c.Engine.RegistryUpstream != "" {
		t.Errorf("off: metrics %q, labs %q, registry %q, upstream %q", c.MetricsAddr, c.LabsDir, c.Engine.RegistryImage, c.Engine.RegistryUpstream)
	}
	if e := c.Engine; e.Disk != engine.DiskOff || e.NodesMemory != 4096<<20 || e.NanoCPUs != 5e8 ||
		len(e.AgentArgs) != 2 || e.AgentArgs[1] != "http://mirror:5000" {
		t.Errorf("engine: disk %d, nodes' memory %d, CPUs %d, agent args %q", e.Disk, e.NodesMemory, e.NanoCPUs, e.AgentArgs)
	}
	if !c.Server.TrustProxy || c.Sessions.EventRetention != 0 {
		t.Errorf("trust proxy %v, event retention %v", c.Server.TrustProxy, c.Sessions.EventRetention)
	}
	// A bool flag stands alone, and wins over its variable.
	if c, err := parse(t, nil, "-trust-proxy"); err != nil || !c.Server.TrustProxy {
		t.Errorf("-trust-proxy: %v, %v", c.Server.TrustProxy, err)
	}
	if c, err := parse(t, map[string]string{"PLAYGROUND_TRUST_PROXY": "true"}, "-trust-proxy=false"); err != nil || c.Server.TrustProxy {
		t.Errorf("-trust-proxy=false over the variable: %v, %v", c.Server.TrustProxy, err)
	}
}

func TestConfigRefusals(t *testing.T) {
	t.Parallel()
	for env, says := range map[string]string{
		"PLAYGROUND_PUBLIC_URL=example.org":          `public URL "example.org" must be an http or https URL`,
		"PLAYGROUND_TRUST_PROXY=maybe":               `trust proxy "maybe" must be true or false`,
		"PLAYGROUND_PORTS_DOMAIN=*.example.org":      `ports domain "*.example.org" must be a plain domain name`,
		"PLAYGROUND_UPLOAD_MAX=0":                    `upload maximum "0" must be a whole number of MiB from 1 to 1048576`,
		"PLAYGROUND_LOG_FORMAT=xml":                  `log format "xml" must be text or json`,
		"PLAYGROUND_LOG_LEVEL=loud":                  `log level "loud" must be debug, info, warn or error`,
		"PLAYGROUND_NODE_ISOLATION=none":             `engine: node isolation "none" is not userns or unsafe-host-root`,
		"PLAYGROUND_NODE_EGRESS=some":                `engine: egress "some" is not internet or none`,
		"PLAYGROUND_REGISTRY_UPSTREAM=hub":           `registry upstream "hub" must be an http or https URL, or off`,
		"PLAYGROUND_NODE_MEMORY=32":                  `node memory "32" must be a whole number of MiB, at least 64`,
		"PLAYGROUND_NODES_MEMORY=-1":                 `nodes' memory "-1" must be auto, 0, or a whole number of MiB`,
		"PLAYGROUND_NODES_MEMORY=512":                `the nodes' memory cap 536870912 is below one node's memory`,
		"PLAYGROUND_NODE_DISK=100":                   `node disk "100" must be 0 or a whole number of MiB, at least 256`,
		"PLAYGROUND_DISK_DIR=disks":                  `engine: disk folder "disks" is not an absolute path`,
		"PLAYGROUND_NODE_CPUS=65":                    `node CPUs "65" must be a number between 0 and 64`,
		"PLAYGROUND_NODE_PIDS=99":                    `node pids "99" must be a whole number, at least 100`,
		"PLAYGROUND_INSTANCE=a b":                    `engine: instance "a b" must be letters, digits`,
		"PLAYGROUND_SESSION_LIFETIME=30s":            `session lifetime "30s" must be a duration of at least 1m`,
		"PLAYGROUND_SESSION_EXTEND=1":                `session extension "1" must be a duration of at least 1m`,
		"PLAYGROUND_SESSION_MAX_LIFETIME=1h":         `session maximum lifetime "1h" must be a duration no shorter than the lifetime`,
		"PLAYGROUND_MAX_SESSIONS_PER_LEARNER=0":      `max sessions per learner "0" must be a positive whole number`,
		"PLAYGROUND_MAX_SESSIONS_PER_ADDRESS=-1":     `max sessions per address "-1" must be a whole number, 0 for no cap`,
		"PLAYGROUND_EVENT_RETENTION=5m":              `event retention "5m" must be a duration of at least 1h, or 0`,
		"PLAYGROUND_POOL_SIZE=-1":                    `pool size "-1" must be a whole number, 0 or more`,
		"PLAYGROUND_SUBNET_POOL=nowhere":             `subnet pool "nowhere": netip.ParsePrefix`,
		"PLAYGROUND_SUBNET_POOL=100.64.0.0/30":       `subnet pool "100.64.0.0/30" must be an IPv4 prefix of /8 to /28`,
		"PLAYGROUND_SUBNET_POOL=172.16.0.0/12":       `subnet pool "172.16.0.0/12" overlaps what the nodes' engines use`,
		"PLAYGROUND_NODE_EGRESS_ALLOW=10.1.2.0/24,x": `node egress allow "10.1.2.0/24,x" must be IPv4 CIDRs, comma-separated`,
	} {
		k, v, _ := strings.Cut(env, "=")
		if _, err := parse(t, map[string]string{k: v}); err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v, want an error saying %s", env, err, says)
		}
	}
	m := app.Main{Output: io.Discard}
	err := m.ParseFlags(nil, func(string) string { return "" })
	if err == nil || err.Error() != "no database: set DATABASE_URL or -database-url (make run sets up a local one)" {
		t.Errorf("no database: %v", err)
	}
	if _, err := parse(t, nil, "extra"); err == nil || err.Error() != "unexpected arguments: [extra]" {
		t.Errorf("an argument: %v", err)
	}
	// Every wrong setting is reported, not only the first.
	_, err = parse(t, map[string]string{"PLAYGROUND_NODE_PIDS": "1", "PLAYGROUND_POOL_SIZE": "x"})
	if err == nil || !strings.Contains(err.Error(), "node pids") || !strings.Contains(err.Error(), "pool size") {
		t.Errorf("two wrong settings: %v", err)
	}
}
