package engine

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/versions"
)

// NodeMode is how the nodes are isolated from the host, as Mode found it.
type NodeMode string

// The node modes. Only the first two are safe for strangers: in the others
// a node's root is the host's root, and a learner can escape to the host.
const (
	// ModeUserns: the engine runs containers in a user namespace
	// (dockerd --userns-remap), so uid 0 in a node is an unprivileged uid on
	// the host. Nodes get a private cgroup namespace and their own cgroups
	// delegated to them (see delegate.go).
	ModeUserns NodeMode = "userns"
	// ModeRuntime: Config.Runtime (such as sysbox-runc) isolates the nodes.
	ModeRuntime NodeMode = "runtime"
	// ModeUnsafePrivileged: nodes run --privileged in the host's user
	// namespace.
	ModeUnsafePrivileged NodeMode = "unsafe-privileged"
	// ModeUnsafeCapabilities: nodes run in the host's user namespace with
	// every capability but SYS_RESOURCE and no seccomp or AppArmor profile,
	// where the engine refuses --privileged.
	ModeUnsafeCapabilities NodeMode = "unsafe-capabilities"
)

// Safe reports whether a node's root is kept from the host's root.
func (m NodeMode) Safe() bool { return m == ModeUserns || m == ModeRuntime }

// Mode reports how nodes are isolated, and caches the answer. With a Runtime
// it is ModeRuntime. With IsolationUserns it asks the engine whether it
// remaps users (dockerd --userns-remap); an engine that does not is
// EUNAVAILABLE with a message that says what to do, since nodes there would
// be root on the host. With IsolationUnsafeHostRoot it starts a throwaway
// container from the node image with Privileged set, once: an engine that
// refuses for lack of capabilities (a host whose bounding set misses some,
// as in a container or a restricted VM) gets the capability set instead.
// Errors are not cached; a missing node image is EUNAVAILABLE.
func (e *Engine) Mode(ctx context.Context) (NodeMode, error) {
	if e.cfg.Runtime != "" {
		return ModeRuntime, nil
	}
	e.modeMu.Lock()
	defer e.modeMu.Unlock()
	if e.mode != "" {
		return e.mode, nil
	}
	var mode NodeMode
	switch e.cfg.Isolation {
	case IsolationUnsafeHostRoot:
		privileged, err := e.probePrivileged(ctx)
		if err != nil {
			return "", err
		}
		mode = ModeUnsafeCapabilities
		if privileged {
			mode = ModeUnsafePrivileged
		}
	default:
		info, err := e.cli.Info(ctx)
		if err != nil {
			return "", engineError(err, "read the engine's settings")
		}
		if !remapsUsers(info.SecurityOptions) {
			return "", fault.Errorf(fault.EUNAVAILABLE,
				"The Docker engine does not run containers in user namespaces, so a node's root would be the host's root. "+
					"Start dockerd with --userns-remap=default (make run does), or set PLAYGROUND_NODE_RUNTIME=sysbox-runc; "+
					"PLAYGROUND_NODE_ISOLATION=%s runs nodes as the host's root, which is unsafe for strangers.", IsolationUnsafeHostRoot)
		}
		mode = ModeUserns
		e.diskOwner = remappedRoot(info.DockerRootDir)
	}
	if v, err := e.cli.ServerVersion(ctx); err == nil && !versions.LessThan(v.APIVersion, capsFromHostAPI) {
		// Docker 25 and later grant ALL as the capabilities the host has,
		// and refuse to drop one it lacks.
		e.keepCapDrop = false
	} else {
		e.keepCapDrop = true
	}
	e.mode = mode
	e.log.Info("node isolation mode detected", "mode", mode)
	return mode, nil
}

// capsFromHostAPI is the first Engine API (Docker 25) whose "ALL"
// capabilities are the host's, and which refuses to drop one the host
// lacks.
const capsFromHostAPI = "1.44"

// remapsUsers reports whether the engine's security options (from
// /info) include user namespace remapping.
func remapsUsers(options []string) bool {
	for _, o := range options {
		// Current engines say "name=userns"; very old ones said "userns".
		if o == "userns" || strings.Contains(","+o+",", ",name=userns,") {
			return true
		}
	}
	return false
}

// probePrivileged starts a privileged container that exits at once and
// reports whether the engine could start it.
func (e *Engine) probePrivileged(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	e.removeProbes(ctx)
	name := probeName(e.cfg.Instance)
	cfg := &container.Config{
		Image:      e.cfg.NodeImage,
		Entrypoint: []string{probeEntrypoint},
		Labels:     probeLabels(e.cfg.Instance),
	}
	hc := &container.HostConfig{
		Privileged:  true,
		UsernsMode:  "host", // a remapping engine refuses privileged otherwise
		NetworkMode: "none",
		AutoRemove:  false,
	}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return false, fault.Wrap(fault.EUNAVAILABLE, err, "The node image "+e.cfg.NodeImage+" is not on the Docker engine.")
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
func probeName(instance string) string {
	return NamePrefix + "probe-" + instance + "-" + strings.ToLower(rand.Text()[:8])
}

// securityConfig fills in the isolation settings of a node's host config.
func securityConfig(hc *container.HostConfig, mode NodeMode, runtime string) {
	if mode == ModeRuntime {
		hc.Runtime = runtime
		return
	}
	// A cgroup namespace of its own, in every mode: a fresh cgroup mount in
	// the node shows only the node's subtree, never another node's cgroups.
	hc.CgroupnsMode = container.CgroupnsModePrivate
	switch mode {
	case ModeUnsafePrivileged:
		hc.UsernsMode = "host"
		hc.Privileged = true
		return
	case ModeUnsafeCapabilities:
		hc.UsernsMode = "host"
	}
	// ModeUserns keeps the engine's default: its user namespace.
	// Capabilities and unconfined profiles for the nested engine. In a user
	// namespace they count only inside it: the kernel still refuses the
	// node's root what only the host's root may do.
	hc.CapAdd = append([]string(nil), nodeCapAdd...)
	hc.CapDrop = append([]string(nil), nodeCapDrop...)
	hc.SecurityOpt = append([]string(nil), nodeSecurityOpt...)
	// Empty, non-nil lists reach the engine as [], which unmasks /proc and
	// /sys paths (a nested engine mounts proc, which a user namespace allows
	// only where no path of it is masked); nil would keep the defaults.
	hc.MaskedPaths = []string{}
	hc.ReadonlyPaths = []string{}
}
