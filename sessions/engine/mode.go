package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/labplay/playground/sessions"
)

// Mode reports whether nodes run with --privileged. With Config.Privileged
// "always" or "never" it says so; with "auto" it starts a throwaway container
// from the node image with Privileged set, once, and caches the answer: an
// engine that refuses for lack of capabilities (a host whose bounding set
// misses some, as in a container or a restricted VM) gets the unprivileged
// set instead (every capability but SYS_RESOURCE, no seccomp or AppArmor
// profile, writable system paths). Errors are not cached; a missing node
// image is EUNAVAILABLE.
func (e *Engine) Mode(ctx context.Context) (privileged bool, err error) {
	if e.cfg.Runtime != "" {
		return false, nil // the runtime gives the nodes what they need
	}
	switch e.cfg.Privileged {
	case PrivilegedAlways:
		return true, nil
	case PrivilegedNever:
		return false, nil
	}
	e.modeMu.Lock()
	defer e.modeMu.Unlock()
	if e.modeKnown {
		return e.privileged, nil
	}
	ok, err := e.probePrivileged(ctx)
	if err != nil {
		return false, err
	}
	e.modeKnown, e.privileged = true, ok
	e.log.Info("node privilege mode detected", "privileged", ok)
	return ok, nil
}

// probePrivileged starts a privileged container that exits at once and
// reports whether the engine could start it.
func (e *Engine) probePrivileged(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	e.removeProbes(ctx)
	name, err := probeName(e.cfg.Instance)
	if err != nil {
		return false, err
	}
	cfg := &container.Config{
		Image:      e.cfg.NodeImage,
		Entrypoint: []string{probeEntrypoint},
		Labels:     probeLabels(e.cfg.Instance),
	}
	hc := &container.HostConfig{
		Privileged:  true,
		NetworkMode: "none",
		AutoRemove:  false,
	}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return false, sessions.Wrap(sessions.EUNAVAILABLE, err, "The node image "+e.cfg.NodeImage+" is not on the Docker engine.")
		}
		return false, engineError(err, "create the probe container")
	}
	defer e.removeQuietly(created.ID)
	err = e.cli.ContainerStart(ctx, created.ID, container.StartOptions{})
	switch {
	case err == nil:
		return true, nil
	case isPrivilegeRefusal(err):
		e.log.Info("engine refuses privileged containers; using explicit capabilities", "err", err)
		return false, nil
	default:
		return false, engineError(err, "start the probe container")
	}
}

// removeProbes removes probe containers a crashed server may have left.
func (e *Engine) removeProbes(ctx context.Context) {
	f := filters.NewArgs()
	for k, v := range probeLabels(e.cfg.Instance) {
		f.Add("label", k+"="+v)
	}
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return // the probe itself will report an engine that does not answer
	}
	for _, c := range list {
		if err := e.removeContainer(ctx, c.ID); err != nil {
			e.log.Warn("remove old probe container", "container", c.ID, "err", err)
		}
	}
}

// probeLabels returns the labels of a probe container.
func probeLabels(instance string) map[string]string {
	return map[string]string{LabelInstance: instance, LabelProbe: "true"}
}

// isPrivilegeRefusal reports whether a container start failed because the
// engine may not grant what --privileged asks for, rather than for another
// reason (missing image, bad command, engine down).
func isPrivilegeRefusal(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{
		"unable to apply caps",
		"operation not permitted",
		"permission denied",
		"privileged mode is disabled",
		"privileged containers are not allowed",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return cerrdefs.IsPermissionDenied(err)
}

// probeName returns a fresh name for the probe container.
func probeName(instance string) (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return NamePrefix + "probe-" + instance + "-" + hex.EncodeToString(b[:]), nil
}

// securityConfig fills in the privilege settings of a node's host config.
func securityConfig(hc *container.HostConfig, privileged bool) {
	if privileged {
		hc.Privileged = true
		return
	}
	hc.CapAdd = append([]string(nil), unprivCapAdd...)
	hc.CapDrop = append([]string(nil), unprivCapDrop...)
	hc.SecurityOpt = append([]string(nil), unprivSecurityOpt...)
	// Empty, non-nil lists reach the engine as [], which unmasks /proc and
	// /sys paths; nil would keep the defaults.
	hc.MaskedPaths = []string{}
	hc.ReadonlyPaths = []string{}
}
