package engine

import (
	"context"
	"net/netip"
	"time"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"
)

// serviceStopGrace is how long a node that runs as a swarm service is given
// to stop before it is killed: nothing in a node is worth waiting for when
// its session ends.
const serviceStopGrace = time.Second

// NodeService returns the swarm service that runs one node of a session on
// a host of a cluster (sessions/cluster): the node image with the agent's
// arguments, the same labels as a node container (so that this engine, on
// the host the swarm picks, finds it as it finds its own), the node's
// limits, the same isolation as a node container in ModeUserns, an
// the node's disk (or an anonymous volume for the inner engine) and
// LXCFS's files, one replica
// that is never restarted, and the session's network, where the node's
// name is its alias. Placement and reservations are the caller's.
//
// What a service cannot say, the host says for all its containers instead:
// a private cgroup namespace (dockerd --default-cgroupns-mode=private) and
// the user namespace (--userns-remap). Masked /proc paths cannot be turned
// off either; the agent lifts them in the node (--lift-proc-masks). Nor
// can swap be: the host's own swap setting applies.
func (e *Engine) NodeService(sessionID, name, networkID string, subnet netip.Prefix) swarm.ServiceSpec {
	labels := e.labels(sessionID, name)
	grace := serviceStopGrace
	pids := e.cfg.PidsLimit
	cs := &swarm.ContainerSpec{
		Image:           e.cfg.NodeImage,
		Labels:          labels,
		Hostname:        name,
		Args:            append([]string{"--lift-proc-masks"}, e.nodeArgs(subnet)...),
		StopGracePeriod: &grace,
		Mounts:          append([]mount.Mount{e.serviceDisk(sessionID, name)}, e.lxcfsMounts()...),
		// Every capability the host has: Docker 25 and later count only
		// those, and refuse to drop one the host lacks (SYS_RESOURCE on a
		// restricted VM). In the user namespace they count only inside it.
		CapabilityAdd: append([]string(nil), nodeCapAdd...),
		Privileges: &swarm.Privileges{
			Seccomp:  &swarm.SeccompOpts{Mode: swarm.SeccompModeCustom, Profile: []byte(nodeSeccomp)},
			AppArmor: &swarm.AppArmorOpts{Mode: swarm.AppArmorModeDisabled},
		},
	}
	for _, h := range dockerHubHosts {
		cs.Hosts = append(cs.Hosts, "127.0.0.1 "+h)
	}
	one := uint64(1)
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: ContainerName(sessionID, name), Labels: labels},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: cs,
			Resources: &swarm.ResourceRequirements{Limits: &swarm.Limit{
				NanoCPUs: e.cfg.NanoCPUs, MemoryBytes: e.cfg.Memory, Pids: pids,
			}},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone},
			Networks:      []swarm.NetworkAttachmentConfig{{Target: networkID, Aliases: []string{name}}},
			LogDriver: &swarm.Driver{Name: logDriver,
				Options: map[string]string{"max-size": logMaxSize, "max-file": logMaxFiles}},
		},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}},
		EndpointSpec: &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR},
	}
}

// serviceDisk returns the mount of a service node's disk: the node's own
// disk (AttachDisks must have made it on the host the node runs on), or
// an anonymous volume for the inner engine when disks are off.
func (e *Engine) serviceDisk(sessionID, name string) mount.Mount {
	if e.disksOn() {
		return e.diskMount(sessionID, name, ContainerName(sessionID, name))
	}
	return mount.Mount{Type: mount.TypeVolume, Target: dockerDataDir}
}

// AttachDisks makes and attaches, on this engine's host, the disks of a
// session's nodes that a swarm will start here (see NodeService); with
// disks off it does nothing.
func (e *Engine) AttachDisks(ctx context.Context, sessionID string, names ...string) error {
	if !e.disksOn() || len(names) == 0 {
		return nil
	}
	if _, err := e.Mode(ctx); err != nil { // the disks' owner
		return err
	}
	containers := make([]string, len(names))
	for i, n := range names {
		containers[i] = ContainerName(sessionID, n)
	}
	return e.attachDisks(ctx, containers...)
}

// RemoveDisks removes a session's disks on this engine's host, once its
// nodes are gone.
func (e *Engine) RemoveDisks(ctx context.Context, sessionID string) error {
	if !e.disksOn() {
		return nil
	}
	return e.removeDisks(ctx, sessionID)
}

// Labels returns the labels of a session's resources (node empty for its
// network), as this engine sets and looks for them.
func (e *Engine) Labels(sessionID, node string) map[string]string { return e.labels(sessionID, node) }

// Adopt readies node containers that a swarm started on this engine's host,
// as CreateSession readies its own: in ModeUserns it hands each its cgroups.
func (e *Engine) Adopt(ctx context.Context, containerIDs ...string) error {
	mode, err := e.Mode(ctx)
	if err != nil {
		return err
	}
	if mode != ModeUserns {
		return nil
	}
	return e.delegate(ctx, containerIDs...)
}

// RemoveContainer force-removes one container with its anonymous volumes;
// a missing one is fine.
func (e *Engine) RemoveContainer(ctx context.Context, containerID string) error {
	return e.removeContainer(ctx, containerID)
}

// FreezeNode freezes a node's processes (the cgroup freezer): they take no
// CPU and keep their memory, their files and their connections, until
// ThawNode. A node already frozen, stopped or gone is fine. It is how a
// cluster pauses a node, which it cannot stop and start again (sessions/cluster).
func (e *Engine) FreezeNode(ctx context.Context, containerID string) error {
	info, err := e.cli.ContainerInspect(ctx, containerID)
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return engineError(err, "inspect container "+containerID)
	}
	if info.State == nil || !info.State.Running || info.State.Paused {
		return nil
	}
	if err := e.cli.ContainerPause(ctx, containerID); err != nil && !cerrdefs.IsConflict(err) {
		return engineError(err, "freeze container "+containerID)
	}
	return nil
}

// ThawNode lets a frozen node run again. It reports false, doing nothing,
// when the node is not frozen.
func (e *Engine) ThawNode(ctx context.Context, containerID string) (bool, error) {
	info, err := e.cli.ContainerInspect(ctx, containerID)
	if cerrdefs.IsNotFound(err) {
		return false, fault.Wrap(fault.ENOTFOUND, err, "This node's container is gone; start a new session.")
	}
	if err != nil {
		return false, engineError(err, "inspect container "+containerID)
	}
	if info.State == nil || !info.State.Paused {
		return false, nil
	}
	if err := e.cli.ContainerUnpause(ctx, containerID); err != nil {
		return false, engineError(err, "thaw container "+containerID)
	}
	return true, nil
}
