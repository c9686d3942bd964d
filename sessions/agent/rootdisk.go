package agent

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/labplay/playground/fault"

	"golang.org/x/sys/unix"
)

// A node's disk is a file system of fixed size that the engine's helper
// makes for it on the host (see disk.go) and mounts at DefaultDiskDir. When
// it is there, the agent moves the node's root onto it before anything else
// runs: an overlay whose lower layer is the image's root and whose upper
// layer is on the disk, with the inner engine's data root bound from the
// disk too. Everything the learner writes, anywhere, then counts against
// the disk's size; df shows that size; a full disk is ENOSPC in this node
// and nowhere else. The old root is detached, so not even the node's root
// can write to the container's own writable layer on the host afterwards.

// Paths of the node's disk.
const (
	// DefaultDiskDir is where the engine mounts the node's disk.
	DefaultDiskDir = "/playground/disk"
	// newRootDir is where the overlay is put together before pivot_root.
	newRootDir = "/playground/root"
	// oldRootName is where pivot_root leaves the old root, inside the new.
	oldRootName = ".playground-old-root"
	// innerDataDir is the inner engine's data root.
	innerDataDir = "/var/lib/docker"
)

// MoveRootToDisk moves the node's root onto the disk mounted at diskDir.
// It reports false, and changes nothing, when nothing is mounted there (the
// disk is off). Any failure after that is an error: a node with a disk must
// not run without it.
func MoveRootToDisk(diskDir string, log *slog.Logger) (bool, error) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false, fmt.Errorf("disk: %w", err)
	}
	mounts, err := parseMountInfo(string(mi))
	if err != nil {
		return false, err
	}
	root, disk := -1, -1
	for i, m := range mounts {
		switch m.Point {
		case "/":
			root = i
		case diskDir:
			disk = i
		}
	}
	if disk < 0 {
		return false, nil
	}
	if root < 0 {
		return false, fault.Errorf(fault.EINTERNAL, "no root in the mount table")
	}
	upper, work, data := filepath.Join(diskDir, "upper"), filepath.Join(diskDir, "work"), filepath.Join(diskDir, "docker")
	for _, d := range []string{upper, work, data, newRootDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return false, fmt.Errorf("disk: %w", err)
		}
	}
	// The work directory must be empty; a crash may have left files.
	if err := clearDir(work); err != nil {
		return false, err
	}
	opts := "lowerdir=/,upperdir=" + upper + ",workdir=" + work
	if err := unix.Mount("overlay", newRootDir, "overlay", 0, opts); err != nil {
		return false, fmt.Errorf("disk: mount the overlay root: %w", err)
	}
	// What the engine mounted on top of the image's root comes along:
	// directories (/proc, /dev, /sys) with everything under them; files
	// (/etc/hosts, /etc/hostname, /etc/resolv.conf) are copied instead, as
	// they are files on the host that the node could otherwise grow.
	rootID := mounts[root].ID
	for _, m := range mounts {
		if m.Parent != rootID || m.Point == "/" || m.Point == diskDir || m.Point == newRootDir {
			continue
		}
		if err := carryMount(m.Point, filepath.Join(newRootDir, m.Point)); err != nil {
			return false, err
		}
	}
	inner := filepath.Join(newRootDir, innerDataDir)
	if err := os.MkdirAll(inner, 0o710); err != nil {
		return false, fmt.Errorf("disk: %w", err)
	}
	if err := unix.Mount(data, inner, "", unix.MS_BIND, ""); err != nil {
		return false, fmt.Errorf("disk: bind the inner engine's data root: %w", err)
	}
	old := filepath.Join(newRootDir, oldRootName)
	if err := os.MkdirAll(old, 0o700); err != nil {
		return false, fmt.Errorf("disk: %w", err)
	}
	if err := unix.PivotRoot(newRootDir, old); err != nil {
		return false, fmt.Errorf("disk: pivot_root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return false, fmt.Errorf("disk: %w", err)
	}
	if err := unix.Unmount("/"+oldRootName, unix.MNT_DETACH); err != nil {
		return false, fmt.Errorf("disk: detach the old root: %w", err)
	}
	if err := os.Remove("/" + oldRootName); err != nil {
		log.Warn("remove the old root's mount point", "err", err)
	}
	log.Info("root moved onto the node's disk", "disk", diskDir)
	return true, nil
}

// carryMount brings the mount at point into the new root at target.
func carryMount(point, target string) error {
	fi, err := os.Stat(point)
	if err != nil {
		return fmt.Errorf("disk: %w", err)
	}
	if fi.Mode().IsRegular() {
		b, err := os.ReadFile(point)
		if err == nil {
			err = os.WriteFile(target, b, fi.Mode().Perm())
		}
		if err != nil {
			return fmt.Errorf("disk: copy %s: %w", point, err)
		}
		return nil
	}
	if err := unix.Mount(point, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("disk: carry %s over: %w", point, err)
	}
	return nil
}

// clearDir removes everything inside dir.
func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("disk: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("disk: %w", err)
		}
	}
	return nil
}
