package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/labplay/playground/sessions"
)

// Nodes keep off the host and the operator's networks: the rules of
// sessions/agent/egress.go refuse traffic from the session pool to any
// address of the engine's host (its services on 0.0.0.0 included, through
// the nodes' gateway) and to private, shared and link-local ranges (cloud
// metadata), except the ranges of Config.EgressAllow, the nodes' own
// networks and the host's nameservers on port 53. They are installed, in
// chains named after the instance (PG-IN-<name> and PG-FWD-<name>, shown
// by iptables -S), by a short-lived container of the host's network with
// NET_ADMIN, and removed by Close.

// LabelEgress marks the short-lived container that installs the rules.
const LabelEgress = "playground.egress"

// egressName returns the rules' chain suffix for an instance: the instance
// itself when iptables can take it, else a digest of it.
func egressName(instance string) string {
	if len(instance) <= 21 && regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(instance) {
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
	if err := e.runOnHostNetwork(ctx, cmd); err != nil {
		return sessions.Wrap(sessions.EUNAVAILABLE, err, "The rules that keep nodes off the host's network could not be installed.")
	}
	e.egressMu.Lock()
	e.egressPool = pool.Masked()
	e.egressMu.Unlock()
	e.log.Info("egress rules installed", "chains", "PG-IN-"+egressName(e.cfg.Instance)+", PG-FWD-"+egressName(e.cfg.Instance), "pool", pool.Masked(), "allow", e.cfg.EgressAllow)
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
	return e.runOnHostNetwork(ctx, []string{"playground", "node", "egress", "--name", egressName(e.cfg.Instance), "--pool", pool.String(), "--remove"})
}

// runOnHostNetwork runs cmd from the node image in a container of the
// host's network and user namespaces, with no capability but NET_ADMIN and
// NET_RAW, and waits for it; a non-zero exit is an error with its output.
func (e *Engine) runOnHostNetwork(ctx context.Context, cmd []string) error {
	cfg := &container.Config{
		Image:      e.cfg.NodeImage,
		Entrypoint: cmd,
		Labels:     map[string]string{LabelInstance: e.cfg.Instance, LabelEgress: "true"},
	}
	hc := &container.HostConfig{
		NetworkMode:    "host",
		UsernsMode:     "host",
		CapDrop:        []string{"ALL"},
		CapAdd:         []string{"NET_ADMIN", "NET_RAW"},
		SecurityOpt:    []string{"no-new-privileges"},
		ReadonlyRootfs: true,
		Tmpfs:          map[string]string{"/run": "size=1m"}, // iptables' lock file
	}
	return e.runOnce(ctx, cfg, hc)
}

// runOnce runs a short-lived container (small memory and process limits
// are added) to its end and removes it; a non-zero exit is an error with
// its output.
func (e *Engine) runOnce(ctx context.Context, cfg *container.Config, hc *container.HostConfig) error {
	pids := int64(32)
	hc.Resources = container.Resources{Memory: 64 << 20, MemorySwap: 64 << 20, PidsLimit: &pids}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
	if err != nil {
		return engineError(err, "create a container of "+cfg.Entrypoint[0])
	}
	defer e.removeQuietly(created.ID)
	waitC, errC := e.cli.ContainerWait(ctx, created.ID, container.WaitConditionNextExit)
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return engineError(err, "start a container of "+cfg.Entrypoint[0])
	}
	var code int64
	select {
	case res := <-waitC:
		code = res.StatusCode
	case err := <-errC:
		return engineError(err, "wait for a container of "+cfg.Entrypoint[0])
	}
	if code == 0 {
		return nil
	}
	var out bytes.Buffer
	if logs, err := e.cli.ContainerLogs(ctx, created.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true}); err == nil {
		stdcopy.StdCopy(&out, &out, logs)
		logs.Close()
	}
	return fmt.Errorf("%s exited with %d: %s", strings.Join(cfg.Entrypoint[:min(3, len(cfg.Entrypoint))], " "), code, nodeText(out.String()))
}
