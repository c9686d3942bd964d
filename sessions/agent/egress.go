package agent

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
)

// Like delegation, this runs on the host side: in a short-lived container
// of the engine's host network (see sessions/engine/egress.go), with
// iptables. It keeps nodes off the host and the operator's networks: a
// node reaches the internet, but not the host's own services (through its
// gateway or any other address of the host), nor link-local (cloud
// metadata) and private ranges, except what the operator allows.

// Guarded are the ranges nodes may not reach unless allowed: the private
// ones, shared address space, and link-local.
var Guarded = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("169.254.0.0/16"),
}

// EgressRules are the rules of one deployment.
type EgressRules struct {
	// Name names the deployment's two chains: PG-IN-Name and PG-FWD-Name.
	Name string
	// Pool is the deployment's session networks; rules apply to traffic
	// from it.
	Pool netip.Prefix
	// Allow are the ranges the operator opens (PLAYGROUND_NODE_EGRESS_ALLOW).
	Allow []netip.Prefix
	// Nameservers are the resolvers the engine's DNS forwards the nodes'
	// queries to; they stay reachable on port 53 alone.
	Nameservers []netip.Addr
}

// Chains returns the input and forward chains' names.
func (r EgressRules) Chains() (in, fwd string) { return "PG-IN-" + r.Name, "PG-FWD-" + r.Name }

// check says what is wrong with r.
func (r EgressRules) check() error {
	if r.Name == "" || len(r.Name) > 21 || strings.Trim(r.Name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return fmt.Errorf("egress: chain name %q must be 1 to 21 letters, digits, - or _", r.Name)
	}
	if !r.Pool.IsValid() || !r.Pool.Addr().Is4() {
		return fmt.Errorf("egress: the session pool %v is not an IPv4 prefix", r.Pool)
	}
	return nil
}

// Rules returns the iptables rule specifications of the input and forward
// chains, in order.
func (r EgressRules) Rules() (in, fwd [][]string) {
	established := []string{"-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"}
	reject := []string{"-j", "REJECT", "--reject-with", "icmp-admin-prohibited"}
	in = append(in, established)
	fwd = append(fwd, established)
	for _, a := range r.Allow {
		in = append(in, []string{"-d", a.String(), "-j", "RETURN"})
		fwd = append(fwd, []string{"-d", a.String(), "-j", "RETURN"})
	}
	for _, ns := range r.Nameservers {
		for _, proto := range []string{"udp", "tcp"} {
			rule := []string{"-d", ns.String() + "/32", "-p", proto, "--dport", "53", "-j", "RETURN"}
			in = append(in, rule)
			fwd = append(fwd, rule)
		}
	}
	// The host itself: nothing from the nodes, through any of its addresses.
	in = append(in, reject)
	// Nodes of a session talk to each other (bridged traffic passes here
	// too) and to the registry on their network; the engine keeps one
	// session's network from another's.
	fwd = append(fwd, []string{"-d", r.Pool.String(), "-j", "RETURN"})
	for _, g := range Guarded {
		fwd = append(fwd, append([]string{"-d", g.String()}, reject...))
	}
	return in, fwd
}

// ApplyEgress installs r's chains, replacing their rules, and jumps to them
// from the top of INPUT and FORWARD for traffic from the pool. It can run
// again at any time.
func ApplyEgress(r EgressRules) error {
	if err := r.check(); err != nil {
		return err
	}
	inChain, fwdChain := r.Chains()
	inRules, fwdRules := r.Rules()
	for _, c := range []struct {
		chain, parent string
		rules         [][]string
	}{{inChain, "INPUT", inRules}, {fwdChain, "FORWARD", fwdRules}} {
		if !iptablesOK("-S", c.chain) {
			if err := iptables("-N", c.chain); err != nil {
				return err
			}
		}
		if err := iptables("-F", c.chain); err != nil {
			return err
		}
		for _, rule := range c.rules {
			if err := iptables(append([]string{"-A", c.chain}, rule...)...); err != nil {
				return err
			}
		}
		jump := []string{c.parent, "-s", r.Pool.String(), "-j", c.chain}
		if !iptablesOK(append([]string{"-C"}, jump...)...) {
			if err := iptables(append([]string{"-I", c.parent, "1"}, jump[1:]...)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// RemoveEgress removes r's jumps and chains; ones already gone are fine.
func RemoveEgress(r EgressRules) error {
	if err := r.check(); err != nil {
		return err
	}
	inChain, fwdChain := r.Chains()
	var errs []error
	for _, c := range [][2]string{{inChain, "INPUT"}, {fwdChain, "FORWARD"}} {
		jump := []string{c[1], "-s", r.Pool.String(), "-j", c[0]}
		for i := 0; i < 10 && iptablesOK(append([]string{"-C"}, jump...)...); i++ {
			errs = append(errs, iptables(append([]string{"-D"}, jump...)...))
		}
		if iptablesOK("-S", c[0]) {
			errs = append(errs, iptables("-F", c[0]), iptables("-X", c[0]))
		}
	}
	return errors.Join(errs...)
}

// Nameservers returns the IPv4 nameservers of a resolv.conf.
func Nameservers(path string) ([]netip.Addr, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []netip.Addr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil && a.Is4() && !a.IsLoopback() {
				out = append(out, a)
			}
		}
	}
	return out, sc.Err()
}

// iptables runs iptables with args, waiting for the lock other writers
// (the engine) hold.
func iptables(args ...string) error {
	out, err := exec.Command("iptables", append([]string{"-w", "10"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("iptables %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// iptablesOK reports whether iptables with args succeeds (a check).
func iptablesOK(args ...string) bool {
	return exec.Command("iptables", append([]string{"-w", "10"}, args...)...).Run() == nil
}
