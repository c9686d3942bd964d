package app_test

import (
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/labplay/playground/app"
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
