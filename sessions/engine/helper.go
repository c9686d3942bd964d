package engine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
)

// The helper is one long-lived container per instance that does, on the
// engine's host, the cgroup work nodes need from outside: handing a node in
// a user namespace its own cgroup directories ("playground node delegate",
// see sessions/agent/delegate.go), and the limits all the instance's nodes
// share ("playground node limit", sessions/agent/limit.go), checking the
// kernel limits every node shares (hostlimits.go), installing the egress
// rules (egress.go) and looking for LXCFS (lxcfs.go). It runs the node
// image's binary in the host's user, PID, cgroup and network namespaces
// (listening on nothing), with no capabilities but CHOWN and DAC_OVERRIDE
// (the roots of cgroup hierarchies are read-only even to their owner) and
// NET_ADMIN and NET_RAW (iptables), a read-only root, the host's cgroup
// tree at helperCgroupDir and LXCFS's mount, read-only, at helperLXCFSDir. With node disks (disk.go)
// it also makes and attaches their files: it then sees the disk folder and
// the host's /dev, may open only the loop devices there, and has SYS_ADMIN
// for their ioctls. Learners never reach it:
// only the engine execs in it. It is created on first use, replaced when the node image changes, comes back
// with the engine (restart policy), and removed by Close when the server
// stops (or by make clean after a crash). Processes that share an instance
// share it; one that finds it gone makes it again.

// helperCgroupDir is where the helper sees the host's cgroup hierarchies,
// helperLXCFSDir LXCFS's mount.
const (
	helperCgroupDir = "/host/cgroup"
	helperLXCFSDir  = "/host/lxcfs"
)

// helperName returns the helper container's name for an instance.
func helperName(instance string) string { return NamePrefix + "helper-" + instance }

// delegate hands the cgroups of running node containers to their root users
// through the helper. A node that is not running is EUNAVAILABLE.
func (e *Engine) delegate(ctx context.Context, containerIDs ...string) error {
	cmd := []string{"playground", "node", "delegate", "--root", helperCgroupDir}
	for _, id := range containerIDs {
		info, err := e.cli.ContainerInspect(ctx, id)
		if err != nil {
			return e.nodeDown(ctx, id, err)
		}
		if info.State == nil || !info.State.Running || info.State.Pid <= 1 {
			return fault.Errorf(fault.EUNAVAILABLE, "%s is not running.", e.nodeName(ctx, id))
		}
		cmd = append(cmd, info.ID+":"+strconv.Itoa(info.State.Pid))
	}
	out, code, err := e.inHelper(ctx, cmd)
	if err == nil && code != 0 {
		cause := fmt.Errorf("node delegate exited with %d: %s", code, nodeText(out))
		return fault.Wrap(fault.EINTERNAL, cause, "The nodes' cgroups could not be prepared.")
	}
	return err
}

// inHelper runs cmd in the helper container and returns its output and
// exit code. A helper that was removed or stopped behind our back (by
// another process of the instance closing, or by hand) is made again, once.
func (e *Engine) inHelper(ctx context.Context, cmd []string) (string, int, error) {
	var err error
	for try := 0; try < 2; try++ {
		var helper string
		if helper, err = e.helper(ctx); err != nil {
			return "", 0, err
		}
		out := &cappedBuffer{max: 4 << 10}
		var code int
		if code, err = e.run(ctx, helper, cmd, nil, out); err == nil {
			return out.String(), code, nil
		}
		if ctx.Err() != nil {
			break
		}
		e.forgetHelper(helper)
	}
	return "", 0, err
}

// helper returns the id of a running helper container, creating or
// starting it when needed.
func (e *Engine) helper(ctx context.Context) (string, error) {
	e.helperMu.Lock()
	defer e.helperMu.Unlock()
	if e.helperID != "" {
		return e.helperID, nil
	}
	img, err := e.cli.ImageInspect(ctx, e.cfg.NodeImage)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return "", fault.Wrap(fault.EUNAVAILABLE, err, "The node image "+e.cfg.NodeImage+" is not on the Docker engine.")
		}
		return "", engineError(err, "inspect the node image")
	}
	name := helperName(e.cfg.Instance)
	for try := 0; try < 3; try++ {
		info, err := e.cli.ContainerInspect(ctx, name)
		switch {
		case cerrdefs.IsNotFound(err):
			err = e.createHelper(ctx, name)
			if cerrdefs.IsConflict(err) {
				continue // another process of the instance made it first
			}
			if err != nil {
				return "", err
			}
			continue
		case err != nil:
			return "", engineError(err, "inspect the helper container")
		case info.Image != img.ID || info.Config == nil || info.Config.Labels[LabelHelper] != e.helperSpec():
			// An older node image, whose binary may not match ours, or
			// other mounts.
			if err := e.removeContainer(ctx, info.ID); err != nil {
				return "", err
			}
			continue
		case info.State == nil || !info.State.Running:
			if err := e.cli.ContainerStart(ctx, info.ID, container.StartOptions{}); err != nil {
				return "", engineError(err, "start the helper container")
			}
		}
		e.helperID = info.ID
		return info.ID, nil
	}
	return "", fault.Errorf(fault.EUNAVAILABLE, "The helper container %s could not be started.", name)
}

// Close removes the egress rules this engine installed and the helper
// container, if there is one. The Engine can still be used: the next
// delegation makes a new helper.
func (e *Engine) Close(ctx context.Context) error {
	if err := e.removeEgress(ctx); err != nil {
		e.log.Warn("remove the egress rules", "err", err)
	}
	e.limitsMu.Lock()
	parent := e.parent
	e.parent = ""
	e.limitsMu.Unlock()
	if parent != "" {
		// The instance's empty parent cgroups go too; ones that still hold
		// nodes of another process stay.
		cmd := []string{"playground", "node", "limit", "--root", helperCgroupDir, "--path", parent, "--remove"}
		if out, code, err := e.inHelper(ctx, cmd); err != nil || code != 0 {
			e.log.Warn("remove the nodes' parent cgroup", "cgroup", parent, "code", code, "err", err, "output", nodeText(out))
		}
	}
	e.helperMu.Lock()
	defer e.helperMu.Unlock()
	e.helperID = ""
	return e.removeContainer(ctx, helperName(e.cfg.Instance))
}

// forgetHelper drops a cached helper id that stopped working.
func (e *Engine) forgetHelper(id string) {
	e.helperMu.Lock()
	defer e.helperMu.Unlock()
	if e.helperID == id {
		e.helperID = ""
	}
}

// helperSpec is the helper's label value: what its mounts are, so a helper
// made for other settings is replaced.
func (e *Engine) helperSpec() string {
	spec := "3 lxcfs=" + e.cfg.LXCFSDir
	if e.disksOn() {
		spec += " disks=" + e.cfg.DiskDir
	}
	return spec
}

// createHelper creates the helper container and starts it.
func (e *Engine) createHelper(ctx context.Context, name string) error {
	pids := int64(64)
	cfg := &container.Config{
		Image:      e.cfg.NodeImage,
		Entrypoint: []string{"playground", "node", "helper"},
		Labels:     map[string]string{LabelInstance: e.cfg.Instance, LabelHelper: e.helperSpec()},
	}
	hc := &container.HostConfig{
		UsernsMode:   "host",
		PidMode:      "host",
		CgroupnsMode: container.CgroupnsModeHost,
		// The host's network, and NET_ADMIN and NET_RAW, for the egress
		// rules (egress.go); it listens on nothing.
		NetworkMode:    "host",
		CapDrop:        []string{"ALL"},
		CapAdd:         []string{"CHOWN", "DAC_OVERRIDE", "NET_ADMIN", "NET_RAW"},
		SecurityOpt:    []string{"no-new-privileges"},
		ReadonlyRootfs: true,
		Tmpfs:          map[string]string{"/run": "size=1m"}, // iptables' lock file
		Binds:          []string{"/sys/fs/cgroup:" + helperCgroupDir},
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
		LogConfig: container.LogConfig{
			Type:   logDriver,
			Config: map[string]string{"max-size": logMaxSize, "max-file": logMaxFiles},
		},
		Resources: container.Resources{Memory: 64 << 20, MemorySwap: 64 << 20, PidsLimit: &pids},
	}
	if e.cfg.LXCFSDir != LXCFSOff {
		// LXCFS's mount as it is when the helper starts (each server
		// start makes a helper), to see whether it answers (lxcfs.go).
		hc.Binds = append(hc.Binds, e.cfg.LXCFSDir+":"+helperLXCFSDir+":ro")
	}
	if e.disksOn() {
		// Loop devices: the host's /dev, but only loop-control (10:237)
		// and the loop devices (block major 7) may be opened, and their
		// ioctls need SYS_ADMIN.
		hc.Binds = append(hc.Binds, e.cfg.DiskDir+":"+helperDiskDir, "/dev:"+helperDevDir)
		hc.CapAdd = append(hc.CapAdd, "SYS_ADMIN")
		hc.DeviceCgroupRules = []string{"c 10:237 rwm", "b 7:* rwm"}
	}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		if cerrdefs.IsConflict(err) {
			return err
		}
		return engineError(err, "create the helper container")
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return engineError(err, "start the helper container")
	}
	e.log.Info("helper container started", "container", name)
	return nil
}
