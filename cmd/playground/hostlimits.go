package main

import (
	"errors"
	"flag"
	"fmt"
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
