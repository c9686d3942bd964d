package app

// The checks of the settings that need more than a line, and the
// helpers the settings' table uses.

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
)

// parseEgressAllow reads comma-separated IPv4 prefixes.
func parseEgressAllow(c *Config, v string) error {
	c.Engine.EgressAllow = nil
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		p, err := netip.ParsePrefix(a)
		if err != nil || !p.Addr().Is4() {
			return fmt.Errorf("node egress allow %q must be IPv4 CIDRs, comma-separated", v)
		}
		c.Engine.EgressAllow = append(c.Engine.EgressAllow, p.Masked())
	}
	return nil
}

// parseDisk reads a node's disk in MiB, 0 for no disks.
func parseDisk(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil || (n != 0 && n < engine.MinDisk>>20):
		return fmt.Errorf("node disk %q must be 0 or a whole number of MiB, at least %d", v, engine.MinDisk>>20)
	case n == 0:
		c.Engine.Disk = engine.DiskOff
	default:
		c.Engine.Disk = n << 20
	}
	return nil
}

// parseSubnetPool reads the prefix session networks are cut from.
func parseSubnetPool(c *Config, v string) error {
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return fmt.Errorf("subnet pool %q: %v", v, err)
	}
	c.Sessions.Subnets = store.Subnets{Pool: p.Masked(), Bits: manager.SubnetBits}
	if !c.Sessions.Subnets.Valid() {
		return fmt.Errorf("subnet pool %q must be an IPv4 prefix of /8 to /%d", v, manager.SubnetBits)
	}
	if overlapsInner(p) {
		return fmt.Errorf("subnet pool %q overlaps what the nodes' engines use (172.17.0.0/16, 172.18.0.0/16, 10.0.0.0/8)", v)
	}
	return nil
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

// isWebURL reports whether v is an absolute http or https URL.
func isWebURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// orOff returns v, or "" when v is "off".
func orOff(v string) string {
	if v == off {
		return ""
	}
	return v
}

// mibText writes a size in bytes as a whole number of MiB.
func mibText(bytes int64) string { return strconv.FormatInt(bytes>>20, 10) }

// durationText writes d as a person would: 2h, 30m, 720h (not 2h0m0s).
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
