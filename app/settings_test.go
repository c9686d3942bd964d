package app

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
)

// knownSettings are the flags, variables and defaults "playground serve"
// has always had; deployments and the end-to-end tests depend on them, so
// a change here is a change people must be told about.
var knownSettings = [][3]string{
	{"addr", "PLAYGROUND_ADDR", "127.0.0.1:8080"},
	{"metrics-addr", "PLAYGROUND_METRICS_ADDR", "127.0.0.1:9464"},
	{"database-url", "DATABASE_URL", ""},
	{"public-url", "PLAYGROUND_PUBLIC_URL", ""},
	{"trust-proxy", "PLAYGROUND_TRUST_PROXY", "false"},
	{"ports-domain", "PLAYGROUND_PORTS_DOMAIN", ""},
	{"upload-max", "PLAYGROUND_UPLOAD_MAX", "100"},
	{"labs-dir", "PLAYGROUND_LABS_DIR", "/var/lib/playground/labs"},
	{"log-format", "PLAYGROUND_LOG_FORMAT", "text"},
	{"log-level", "PLAYGROUND_LOG_LEVEL", "info"},
	{"node-image", "PLAYGROUND_NODE_IMAGE", "playground-node:latest"},
	{"instance", "PLAYGROUND_INSTANCE", "default"},
	{"node-isolation", "PLAYGROUND_NODE_ISOLATION", "userns"},
	{"node-runtime", "PLAYGROUND_NODE_RUNTIME", ""},
	{"node-egress", "PLAYGROUND_NODE_EGRESS", "internet"},
	{"node-egress-allow", "PLAYGROUND_NODE_EGRESS_ALLOW", ""},
	{"registry-mirror", "PLAYGROUND_REGISTRY_MIRROR", ""},
	{"node-memory", "PLAYGROUND_NODE_MEMORY", "1024"},
	{"cluster", "PLAYGROUND_CLUSTER", ""},
	{"cluster-tls", "PLAYGROUND_CLUSTER_TLS", ""},
	{"node-reservation", "PLAYGROUND_NODE_RESERVATION", "64"},
	{"nodes-memory", "PLAYGROUND_NODES_MEMORY", "auto"},
	{"node-disk", "PLAYGROUND_NODE_DISK", "10240"},
	{"registry-image", "PLAYGROUND_REGISTRY_IMAGE", "playground-registry:latest"},
	{"registry-upstream", "PLAYGROUND_REGISTRY_UPSTREAM", "https://registry-1.docker.io"},
	{"node-lxcfs", "PLAYGROUND_NODE_LXCFS", "/var/lib/lxcfs"},
	{"disk-dir", "PLAYGROUND_DISK_DIR", "/var/lib/playground/disks"},
	{"node-cpus", "PLAYGROUND_NODE_CPUS", "1"},
	{"node-pids", "PLAYGROUND_NODE_PIDS", "2000"},
	{"session-lifetime", "PLAYGROUND_SESSION_LIFETIME", "2h"},
	{"session-extend", "PLAYGROUND_SESSION_EXTEND", "30m"},
	{"session-max-lifetime", "PLAYGROUND_SESSION_MAX_LIFETIME", "8h"},
	{"max-sessions", "PLAYGROUND_MAX_SESSIONS", "auto"},
	{"max-sessions-per-learner", "PLAYGROUND_MAX_SESSIONS_PER_LEARNER", "3"},
	{"max-sessions-per-address", "PLAYGROUND_MAX_SESSIONS_PER_ADDRESS", "6"},
	{"idle-pause", "PLAYGROUND_IDLE_PAUSE", "30m"},
	{"paused-lifetime", "PLAYGROUND_PAUSED_LIFETIME", "168h"},
	{"max-paused", "PLAYGROUND_MAX_PAUSED", "100"},
	{"event-retention", "PLAYGROUND_EVENT_RETENTION", "720h"},
	{"pool-size", "PLAYGROUND_POOL_SIZE", "2"},
	{"pool-lab", "PLAYGROUND_POOL_LAB", "docker-orchestration"},
	{"subnet-pool", "PLAYGROUND_SUBNET_POOL", "100.64.0.0/17"},
}

func TestSettingsKeepTheirNamesAndDefaults(t *testing.T) {
	t.Parallel()
	if len(settings) != len(knownSettings) {
		t.Errorf("%d settings, want %d", len(settings), len(knownSettings))
	}
	for i := range min(len(settings), len(knownSettings)) {
		s, k := settings[i], knownSettings[i]
		if got := [3]string{s.flag, s.env, s.def}; got != k {
			t.Errorf("setting %d is %q, want %q", i, got, k)
		}
	}
	for _, s := range settings {
		want := "PLAYGROUND_" + strings.ToUpper(strings.ReplaceAll(s.flag, "-", "_"))
		if s.env != want && s.env != "DATABASE_URL" {
			t.Errorf("-%s reads %s, want %s (the README says the names match)", s.flag, s.env, want)
		}
		if s.help == "" || s.parse == nil {
			t.Errorf("-%s has no help or no parse", s.flag)
		}
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := Main{Output: &out}
	env := map[string]string{"PLAYGROUND_ADDR": "0.0.0.0:1"} // the defaults are shown, not the environment
	if err := m.ParseFlags([]string{"-h"}, func(k string) string { return env[k] }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
	help := out.String()
	for _, s := range settings {
		if !strings.Contains(help, "-"+s.flag+", "+s.env) || !strings.Contains(help, s.help) {
			t.Errorf("serve -h does not show -%s with %s and its help", s.flag, s.env)
		}
		if s.def != "" && !strings.Contains(help, "-"+s.flag+", "+s.env+` (default "`+s.def+`")`) {
			t.Errorf("serve -h does not show -%s's default %q", s.flag, s.def)
		}
	}
	if strings.Contains(help, "0.0.0.0:1") {
		t.Error("serve -h shows the environment's value as the default")
	}
}

func TestReadmeListsEverySetting(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(src), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	// rows maps the variable of each row of the table to its default cell.
	rows := map[string]string{}
	for line := range strings.SplitSeq(section, "\n") {
		cells := strings.Split(line, "|") // "", variable, default, meaning, ""
		if !strings.HasPrefix(line, "| `") || len(cells) != 5 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(cells[1]), "`"), "`")
		if _, dup := rows[name]; dup {
			t.Errorf("README.md lists %s twice", name)
		}
		rows[name] = strings.TrimSpace(cells[2])
	}
	known := map[string]bool{}
	for _, s := range settings {
		known[s.env] = true
		def, ok := rows[s.env]
		switch {
		case !ok:
			t.Errorf("README.md's configuration table has no row for %s", s.env)
		case s.def != "" && def != "`"+s.def+"`":
			t.Errorf("README.md gives %s the default %s, want `%s`", s.env, def, s.def)
		}
	}
	for name := range rows {
		if strings.HasPrefix(name, "PLAYGROUND_") && !known[name] {
			t.Errorf("README.md lists %s, which is no setting of playground serve", name)
		}
	}
}
