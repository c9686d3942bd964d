package engine

import (
	"context"
	"strings"

	"github.com/labplay/playground/fault"
)

// CheckHostLimits reads, through the helper, the kernel limits that every
// node of the engine's host shares (sessions/agent/hostlimits.go). Where
// nodes run in the engine's user namespace, they are all one host uid, and
// a limit below what the host's memory needs is one a single learner could
// use up for everyone: that is EUNAVAILABLE, saying which and how to raise
// them. Short namespace counts, which root cannot raise on every host, are
// logged as a warning. Other modes have nothing to check: their nodes are
// the host's root or get uids of their own from the runtime.
func (e *Engine) CheckHostLimits(ctx context.Context) error {
	mode, err := e.Mode(ctx)
	if err != nil || mode != ModeUserns {
		return err
	}
	out, code, err := e.inHelper(ctx, []string{"playground", "node", "host-limits"})
	if err != nil {
		return err
	}
	var short, advisory []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasSuffix(line, "TOO LOW") && len(f) > 0:
			short = append(short, f[0])
		case strings.HasSuffix(line, "low (advisory)") && len(f) > 0:
			advisory = append(advisory, f[0])
		}
	}
	if len(advisory) > 0 {
		e.log.Warn("the namespace counts every node shares are below what this host's memory needs: "+
			"raise them as root with CAP_SYS_RESOURCE (playground node host-limits --apply); until then a learner could use one up",
			"limits", advisory)
	}
	if code == 0 {
		return nil
	}
	if len(short) == 0 {
		return fault.Errorf(fault.EUNAVAILABLE, "The kernel limits that every node shares could not be read on the engine's host: %s", nodeText(out))
	}
	return fault.Errorf(fault.EUNAVAILABLE,
		"Kernel limits that every node of the engine's host shares are too low for its memory, so one learner could use them up for everyone: %s. "+
			"Run `playground node host-limits --apply` as root on that host (make run and make test do), or see the README's Security section.",
		strings.Join(short, ", "))
}
