package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/labplay/playground/fault"
)

// Nodes keep off the host and the operator's networks: the rules of
// sessions/agent/egress.go refuse traffic from the session pool to any
// address of the engine's host (its services on 0.0.0.0 included, through
// the nodes' gateway) and to private, shared and link-local ranges (cloud
// metadata), except the ranges of Config.EgressAllow, the nodes' own
// networks and the host's nameservers on port 53. They are installed, in
// chains named after the instance (PG-IN-<name> and PG-FWD-<name>, shown
// by iptables -S), by the helper (in the host's network, with NET_ADMIN),
// and removed by Close.

// chainSafe matches instance names iptables takes in a chain name.
var chainSafe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,21}$`)

// egressName returns the rules' chain suffix for an instance: the instance
// itself when iptables can take it, else a digest of it.
func egressName(instance string) string {
	if chainSafe.MatchString(instance) {
		return instance
	}
	sum := sha256.Sum256([]byte(instance))
	return hex.EncodeToString(sum[:])[:16]
}

// EnsureEgress installs, or installs again, the egress rules for the
// sessions of pool. It can run at any time; a failure is EUNAVAILABLE.
func (e *Engine) EnsureEgress(ctx context.Context, pool netip.Prefix) error {
	cmd := []string{"playground", "node", "egress", "--name", egressName(e.cfg.Instance), "--pool", pool.Masked().String()}
	if len(e.cfg.EgressAllow) > 0 {
		allow := make([]string, len(e.cfg.EgressAllow))
		for i, p := range e.cfg.EgressAllow {
			allow[i] = p.String()
		}
		cmd = append(cmd, "--allow", strings.Join(allow, ","))
	}
	if err := e.inHelperOK(ctx, cmd); err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "The rules that keep nodes off the host's network could not be installed.")
	}
	e.egressMu.Lock()
	e.egressPool = pool.Masked()
	e.egressMu.Unlock()
	name := egressName(e.cfg.Instance)
	e.log.Info("egress rules installed", "chains", "PG-IN-"+name+", PG-FWD-"+name, "pool", pool.Masked(), "allow", e.cfg.EgressAllow)
	return nil
}

// removeEgress removes the rules EnsureEgress installed, if it did.
func (e *Engine) removeEgress(ctx context.Context) error {
	e.egressMu.Lock()
	pool := e.egressPool
	e.egressPool = netip.Prefix{}
	e.egressMu.Unlock()
	if !pool.IsValid() {
		return nil
	}
	return e.RemoveEgress(ctx, pool)
}

// RemoveEgress removes the instance's egress rules for pool, whichever
// process installed them (one that was killed leaves them); rules already
// gone are fine.
func (e *Engine) RemoveEgress(ctx context.Context, pool netip.Prefix) error {
	return e.inHelperOK(ctx, []string{"playground", "node", "egress", "--name", egressName(e.cfg.Instance), "--pool", pool.Masked().String(), "--remove"})
}

// inHelperOK runs cmd in the helper; an exit other than 0 is an error with
// its output.
func (e *Engine) inHelperOK(ctx context.Context, cmd []string) error {
	out, code, err := e.inHelper(ctx, cmd)
	if err == nil && code != 0 {
		err = fmt.Errorf("%s exited with %d: %s", strings.Join(cmd[:min(3, len(cmd))], " "), code, nodeText(out))
	}
	return err
}
