package engine

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
)

// Every node has a disk of its own: a sparse file on the engine's host
// holding an ext4 file system of Config.Disk bytes, which the helper makes
// and attaches to a loop device ("playground node disk", see
// sessions/agent/disk.go) and the node mounts as a volume of the local
// driver. The agent moves the node's root onto it before anything runs
// (sessions/agent/rootdisk.go), so all a node writes, its own files and its
// inner engine's images alike, counts against its size: a full node gets
// ENOSPC and no one else notices. Disks are sparse, so they are
// overcommitted: a node is refused when the folder's file system has less
// free space than one disk (diskFreeFloor); the README says how to size it.
const (
	// DefaultDisk is a node's disk size: room for a lab's images and more.
	DefaultDisk = 10 << 30
	// MinDisk is the smallest disk accepted.
	MinDisk = 256 << 20
	// DiskOff turns the disks off.
	DiskOff = -1
	// DefaultDiskDir is the default folder of the disk files.
	DefaultDiskDir = "/var/lib/playground/disks"
	// helperDiskDir and helperDevDir are where the helper sees the disk
	// folder and the host's /dev.
	helperDiskDir = "/host/disks"
	helperDevDir  = "/host/dev"
	// nodeDiskDir is where a node mounts its disk (agent.DefaultDiskDir).
	nodeDiskDir = "/playground/disk"
	// diskSuffix ends the name of a node's disk volume.
	diskSuffix = "-disk"
	// orphanDiskAge is how long a disk without a container is kept, for
	// the node being created at that moment.
	orphanDiskAge = 10 * time.Minute
)

// disksOn reports whether nodes get disks. Nodes of a Runtime map users
// their own way and keep writing to the engine's storage.
func (e *Engine) disksOn() bool { return e.cfg.Disk != DiskOff && e.cfg.Runtime == "" }

// remappedRootPattern matches the last element of a remapping engine's
// data root: "100000.100000".
var remappedRootPattern = regexp.MustCompile(`^([0-9]+)\.([0-9]+)$`)

// remappedRoot returns the host's UID:GID of a node's root from the data
// root of an engine that remaps users, or "" when it does not say.
func remappedRoot(dockerRootDir string) string {
	m := remappedRootPattern.FindStringSubmatch(path.Base(dockerRootDir))
	if m == nil {
		return ""
	}
	return m[1] + ":" + m[2]
}

// diskMount returns the mount of a node's disk: a volume of the local driver
// that mounts the loop device the disk's link points at.
func (e *Engine) diskMount(sessionID, node, containerName string) mount.Mount {
	return mount.Mount{
		Type:   mount.TypeVolume,
		Source: containerName + diskSuffix,
		Target: nodeDiskDir,
		VolumeOptions: &mount.VolumeOptions{
			Labels: e.labels(sessionID, node),
			DriverConfig: &mount.Driver{Name: "local", Options: map[string]string{
				"type":   "ext4",
				"device": path.Join(e.cfg.DiskDir, containerName+".dev"),
				// Blocks a node frees go back to the host's file system.
				"o": "discard",
			}},
		},
	}
}

// attachDisks makes and attaches the disks of the named node containers in
// one exec of the helper. It is EUNAVAILABLE when the host's disk folder
// has less room than one more disk.
func (e *Engine) attachDisks(ctx context.Context, containerNames ...string) error {
	e.modeMu.Lock()
	owner := e.diskOwner
	e.modeMu.Unlock()
	if owner == "" {
		owner = "0:0"
	}
	cmd := []string{"playground", "node", "disk", "attach", "--dir", helperDiskDir, "--dev", helperDevDir,
		"--size", strconv.FormatInt(e.cfg.Disk, 10), "--owner", owner}
	out, code, err := e.inHelper(ctx, append(cmd, containerNames...))
	if err != nil {
		return err
	}
	if code != 0 {
		cause := fmt.Errorf("node disk attach exited with %d: %s", code, nodeText(out))
		return fault.Wrap(fault.EUNAVAILABLE, cause, "The nodes' disks could not be prepared.")
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		_, free, ok := strings.Cut(line, " free=")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(free, 10, 64)
		if err == nil && n < e.cfg.Disk {
			e.log.Warn("the nodes' disk folder is nearly full", "dir", e.cfg.DiskDir, "free_mib", n>>20)
			return fault.Errorf(fault.EUNAVAILABLE, "The host's disk is nearly full; try again later.")
		}
	}
	return nil
}

// removeDisks removes the disk volumes of a session, then detaches and
// deletes its disks.
func (e *Engine) removeDisks(ctx context.Context, sessionID string) error {
	list, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: e.filter(sessionID)})
	if err != nil {
		return engineError(err, "list volumes")
	}
	for _, v := range list.Volumes {
		if err := e.cli.VolumeRemove(ctx, v.Name, true); err != nil && !cerrdefs.IsNotFound(err) {
			return engineError(err, "remove volume "+v.Name)
		}
	}
	cmd := []string{"playground", "node", "disk", "remove", "--dir", helperDiskDir, "--dev", helperDevDir,
		"--prefix", sessionPrefix(sessionID)}
	out, code, err := e.inHelper(ctx, cmd)
	if err != nil {
		if len(list.Volumes) == 0 && fault.ErrorCode(err) == fault.EUNAVAILABLE {
			// No helper (the node image is missing, say): then no disk
			// was made either; an orphan would go with the next sweep.
			return nil
		}
		return err
	}
	if code != 0 {
		cause := fmt.Errorf("node disk remove exited with %d: %s", code, nodeText(out))
		return fault.Wrap(fault.EINTERNAL, cause, "The session's disks could not be removed.")
	}
	return nil
}

// sessionPrefix starts the names of a session's containers and disks.
func sessionPrefix(sessionID string) string { return NamePrefix + shortID(sessionID) + "-" }

// hasDisk reports whether a container's mounts include a node disk.
func hasDisk(mounts []container.MountPoint) bool {
	for _, m := range mounts {
		if m.Destination == nodeDiskDir && strings.HasSuffix(m.Name, diskSuffix) {
			return true
		}
	}
	return false
}

// SweepDisks removes disks that no node uses: ones left by a process that
// died between making a disk and its container, or while removing a
// session. A disk goes when no container has its name, it was last
// attached more than orphanDiskAge ago (a node may be being created), and
// its volume, if any, is this instance's. It returns how many went.
func (e *Engine) SweepDisks(ctx context.Context) (int, error) {
	if !e.disksOn() {
		return 0, nil
	}
	out, code, err := e.inHelper(ctx, []string{"playground", "node", "disk", "list", "--dir", helperDiskDir})
	if err != nil {
		return 0, err
	}
	if code != 0 {
		return 0, fault.Wrap(fault.EINTERNAL, fmt.Errorf("node disk list exited with %d: %s", code, nodeText(out)), "The nodes' disks could not be listed.")
	}
	var orphans []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, age, ok := strings.Cut(line, " ")
		secs, err := strconv.ParseInt(age, 10, 64)
		if !ok || err != nil || time.Duration(secs)*time.Second < orphanDiskAge {
			continue
		}
		if _, err := e.cli.ContainerInspect(ctx, name); !cerrdefs.IsNotFound(err) {
			continue // in use, or the engine did not say
		}
		// A swarm names its containers after the task, not the node: a
		// container that mounts the disk's volume is using it.
		users, err := e.cli.ContainerList(ctx, container.ListOptions{All: true,
			Filters: filters.NewArgs(filters.Arg("volume", name+diskSuffix))})
		if err != nil || len(users) > 0 {
			continue
		}
		v, err := e.cli.VolumeInspect(ctx, name+diskSuffix)
		switch {
		case cerrdefs.IsNotFound(err):
		case err != nil || v.Labels[LabelInstance] != e.cfg.Instance:
			continue
		default:
			if err := e.cli.VolumeRemove(ctx, v.Name, true); err != nil && !cerrdefs.IsNotFound(err) {
				e.log.Warn("remove an orphan disk's volume", "volume", v.Name, "err", err)
				continue
			}
		}
		orphans = append(orphans, name)
	}
	if len(orphans) == 0 {
		return 0, nil
	}
	if err := e.removeDisksNamed(ctx, orphans...); err != nil {
		return 0, err
	}
	e.log.Info("removed orphan disks", "disks", orphans)
	return len(orphans), nil
}

// CheckDisks makes, attaches and removes a small disk, so that a host
// where loop devices or ext4 do not work is found at start and not by the
// first learner. It logs the disks' size and the room left for them.
func (e *Engine) CheckDisks(ctx context.Context) error {
	if !e.disksOn() {
		if e.cfg.Runtime == "" {
			e.log.Warn("nodes have no disks of their own: what a node writes is bounded only by the engine's storage")
		}
		return nil
	}
	if _, err := e.Mode(ctx); err != nil {
		return err
	}
	name := NamePrefix + "probe-" + e.cfg.Instance
	cmd := []string{"playground", "node", "disk", "attach", "--dir", helperDiskDir, "--dev", helperDevDir,
		"--size", strconv.FormatInt(MinDisk, 10), name}
	out, code, err := e.inHelper(ctx, cmd)
	if err == nil && code != 0 {
		err = fmt.Errorf("node disk attach exited with %d: %s", code, nodeText(out))
	}
	if err != nil {
		return fault.Wrap(fault.EUNAVAILABLE, err, "Node disks need loop devices and ext4 on the engine's host, in "+e.cfg.DiskDir+
			"; set PLAYGROUND_NODE_DISK=0 to run without them (a node could then fill the host's disk).")
	}
	free := ""
	if _, f, ok := strings.Cut(strings.TrimSpace(out), " free="); ok {
		free = f
	}
	if err := e.removeDisksNamed(ctx, name); err != nil {
		return err
	}
	freeMiB, _ := strconv.ParseInt(free, 10, 64)
	e.log.Info("node disks ready", "dir", e.cfg.DiskDir, "disk_mib", e.cfg.Disk>>20, "free_mib", freeMiB>>20)
	return nil
}

// removeDisksNamed detaches and deletes the named disks.
func (e *Engine) removeDisksNamed(ctx context.Context, names ...string) error {
	cmd := append([]string{"playground", "node", "disk", "remove", "--dir", helperDiskDir, "--dev", helperDevDir}, names...)
	out, code, err := e.inHelper(ctx, cmd)
	if err == nil && code != 0 {
		err = fault.Wrap(fault.EINTERNAL, fmt.Errorf("node disk remove exited with %d: %s", code, nodeText(out)), "Disks could not be removed.")
	}
	return err
}
