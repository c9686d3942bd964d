package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/labplay/playground/sessions/agent"
)

// errLimitsShort makes host-limits exit 1 after its table.
var errLimitsShort = errors.New("kernel limits shared by every node are too low for this host's memory")

// runNodeHostLimits prints the kernel limits every node of the host shares,
// what the host's memory needs of each and whether they are short (exit
// 1), so that the server can refuse to start on a host where one learner
// could stop everyone. With --apply (root, on the engine's host) it raises
// the short ones and writes them to a sysctl.d file for the next boot.
func runNodeHostLimits(args []string) error {
	fs := flag.NewFlagSet("node host-limits", flag.ContinueOnError)
	apply := fs.Bool("apply", false, "raise the limits that are too low (root, on the engine's host)")
	proc := fs.String("proc", "/proc", "the host's /proc")
	conf := fs.String("conf", "/etc/sysctl.d/60-playground.conf", "with --apply, the file that sets them again at boot (\"\" for none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	read := agent.ReadSharedLimits
	if *apply {
		read = agent.ApplySharedLimits
	}
	states, err := read(*proc)
	if states != nil {
		agent.WriteLimitsTable(os.Stdout, states)
	}
	if err != nil {
		return err
	}
	if *apply && *conf != "" {
		if _, err := os.Stat(filepath.Dir(*conf)); err == nil {
			if err := os.WriteFile(*conf, []byte(agent.SysctlConf(states)), 0o644); err != nil {
				return err
			}
		}
	}
	if short := agent.ShortLimits(states, true); len(short) > 0 {
		fmt.Fprintf(os.Stderr, "advisory: %s\n", strings.Join(short, " "))
	}
	if short := agent.ShortLimits(states, false); len(short) > 0 {
		return fmt.Errorf("%w: %s", errLimitsShort, strings.Join(short, " "))
	}
	return nil
}

// runNodeEgress installs (or, with --remove, removes) the rules that keep
// a deployment's nodes off the host and the operator's networks. It runs
// in a short-lived container of the engine's host network, with iptables.
func runNodeEgress(args []string) error {
	fs := flag.NewFlagSet("node egress", flag.ContinueOnError)
	name := fs.String("name", "", "the deployment's chains are PG-IN-NAME and PG-FWD-NAME")
	pool := fs.String("pool", "", "the deployment's session networks (a CIDR)")
	allow := fs.String("allow", "", "comma-separated CIDRs the nodes may reach all the same")
	resolv := fs.String("resolv", "/etc/resolv.conf", "the resolv.conf whose nameservers stay reachable on port 53")
	remove := fs.Bool("remove", false, "remove the rules instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := agent.EgressRules{Name: *name}
	var err error
	if r.Pool, err = netip.ParsePrefix(*pool); err != nil {
		return fmt.Errorf("--pool: %w", err)
	}
	if *remove {
		return agent.RemoveEgress(r)
	}
	for _, a := range strings.Split(*allow, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return fmt.Errorf("--allow: %w", err)
		}
		r.Allow = append(r.Allow, p)
	}
	if r.Nameservers, err = agent.Nameservers(*resolv); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return agent.ApplyEgress(r)
}
