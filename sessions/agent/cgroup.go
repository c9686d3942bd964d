package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// cgroupTree names the files and directories cgroup preparation works on;
// tests point it at a scratch tree in a private mount namespace.
type cgroupTree struct {
	Root       string // where the hierarchies are mounted, /sys/fs/cgroup
	Scratch    string // where fresh mounts go, /run/playground/cgroup
	MountInfo  string // /proc/self/mountinfo
	ProcCgroup string // /proc/self/cgroup
}

// defaultCgroupTree is the tree inside a node.
var defaultCgroupTree = cgroupTree{
	Root:       "/sys/fs/cgroup",
	Scratch:    "/run/playground/cgroup",
	MountInfo:  "/proc/self/mountinfo",
	ProcCgroup: "/proc/self/cgroup",
}

// PrepareCgroups makes the cgroup tree writable for a nested Docker engine.
// Without --privileged a container's v1 hierarchies are mounted read-only;
// each one is mounted afresh at a scratch path, the read-only mount is
// removed, the container's own cgroup directory in the fresh mount is bound
// in its place (so nested containers stay under the node's limits), and the
// fresh mount is removed. In a user namespace with a cgroup namespace of its
// own (ModeUserns) the fresh mount shows only the node's subtree, and the
// kernel refuses to mount any other; whether the node may write in it is
// decided outside (the engine delegates the node's own directories).
// A writable v1 tree is left alone. A read-only v2 tree is remounted
// read-write if possible, and in a private cgroup namespace the processes of
// its root move to a child cgroup so controllers can be delegated (as the
// official docker:dind image does). Running it again changes nothing.
func PrepareCgroups(log *slog.Logger) error {
	return defaultCgroupTree.prepare(log)
}

// prepare carries out the plan for the tree.
func (t cgroupTree) prepare(log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	mounts, cgroups, err := t.read()
	if err != nil {
		return err
	}
	plan := planCgroups(mounts, cgroups, t.Root)
	if plan.Version == 0 {
		log.Warn("no cgroup tree mounted", "root", t.Root)
		return nil
	}
	if plan.RemountRoot {
		if err := remountRW(plan.Root); err != nil {
			log.Warn("cgroup root stays read-only", "root", t.Root, "err", err)
		} else {
			log.Info("remounted cgroup root read-write", "root", t.Root)
		}
	}
	if plan.Evacuate {
		if err := evacuateV2(t.Root); err != nil {
			log.Warn("cgroup v2 controllers not delegated", "root", t.Root, "err", err)
		}
		return nil
	}
	for _, point := range plan.Unmatched {
		log.Warn("read-only cgroup hierarchy without a matching /proc/self/cgroup line", "mount", point)
	}
	var errs []error
	for _, step := range plan.Steps {
		if err := t.rebind(step, mounts); err != nil {
			errs = append(errs, err)
			continue
		}
		log.Info("cgroup hierarchy made writable", "mount", step.Point, "own", step.Own)
	}
	return errors.Join(errs...)
}

// read parses the mount table and the process's cgroups.
func (t cgroupTree) read() ([]mountEntry, []cgroupEntry, error) {
	mi, err := os.ReadFile(t.MountInfo)
	if err != nil {
		return nil, nil, err
	}
	pc, err := os.ReadFile(t.ProcCgroup)
	if err != nil {
		return nil, nil, err
	}
	mounts, err := parseMountInfo(string(mi))
	if err != nil {
		return nil, nil, err
	}
	cgroups, err := parseProcCgroup(string(pc))
	if err != nil {
		return nil, nil, err
	}
	return mounts, cgroups, nil
}

// rebind replaces one read-only hierarchy with a writable bind of the
// container's own cgroup from a fresh mount of the same hierarchy.
func (t cgroupTree) rebind(step hierarchyStep, mounts []mountEntry) error {
	fresh := filepath.Join(t.Scratch, step.Name)
	if err := os.MkdirAll(fresh, 0o755); err != nil {
		return fmt.Errorf("cgroup %s: %w", step.Name, err)
	}
	mounted := slices.ContainsFunc(mounts, func(m mountEntry) bool { return m.Point == fresh })
	if !mounted {
		flags := uintptr(syscall.MS_NOSUID | syscall.MS_NODEV | syscall.MS_NOEXEC)
		if err := syscall.Mount(step.FSType, fresh, step.FSType, flags, step.Data); err != nil {
			return fmt.Errorf("cgroup %s: mount -t %s -o %s: %w", step.Name, step.FSType, step.Data, err)
		}
	}
	own := filepath.Join(fresh, step.Own)
	if fi, err := os.Stat(own); err != nil || !fi.IsDir() {
		// Leave the read-only mount in place rather than expose the whole
		// hierarchy.
		return fmt.Errorf("cgroup %s: own cgroup %s not found in a fresh mount", step.Name, step.Own)
	}
	if err := syscall.Unmount(step.Point, 0); err != nil {
		if !errors.Is(err, syscall.EBUSY) {
			return fmt.Errorf("cgroup %s: unmount read-only mount: %w", step.Name, err)
		}
		if err := syscall.Unmount(step.Point, syscall.MNT_DETACH); err != nil {
			return fmt.Errorf("cgroup %s: detach read-only mount: %w", step.Name, err)
		}
	}
	if err := syscall.Mount(own, step.Point, "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("cgroup %s: bind own cgroup: %w", step.Name, err)
	}
	// Best effort: the same hardening the read-only mount had.
	_ = syscall.Mount("", step.Point, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_NOSUID|syscall.MS_NODEV|syscall.MS_NOEXEC, "")
	// The fresh mount must not stay: without a cgroup namespace it shows
	// the whole hierarchy, every other container's cgroups included.
	if err := syscall.Unmount(fresh, syscall.MNT_DETACH); err != nil {
		return fmt.Errorf("cgroup %s: unmount the fresh mount: %w", step.Name, err)
	}
	return nil
}

// remountRW makes m writable: the filesystem when it is read-only, and the
// mount itself when it is.
func remountRW(m mountEntry) error {
	keep := remountFlags(m.Opts)
	if slices.Contains(m.Super, "ro") {
		if err := syscall.Mount("", m.Point, "", syscall.MS_REMOUNT|keep, ""); err != nil {
			return fmt.Errorf("remount filesystem read-write: %w", err)
		}
	}
	if slices.Contains(m.Opts, "ro") {
		if err := syscall.Mount("", m.Point, "", syscall.MS_REMOUNT|syscall.MS_BIND|keep, ""); err != nil {
			return fmt.Errorf("remount read-write: %w", err)
		}
	}
	return nil
}

// evacuateV2 moves every process of a v2 root cgroup into its child "init"
// and enables the available controllers for children, as a nested engine
// needs: v2 allows no processes in a cgroup that delegates controllers.
func evacuateV2(root string) error {
	initDir := filepath.Join(root, "init")
	if err := os.Mkdir(initDir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	procs, err := os.ReadFile(filepath.Join(root, "cgroup.procs"))
	if err != nil {
		return err
	}
	for _, pid := range strings.Fields(string(procs)) {
		// A process that exited meanwhile cannot move; nothing is lost.
		_ = os.WriteFile(filepath.Join(initDir, "cgroup.procs"), []byte(pid), 0)
	}
	ctrls, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return err
	}
	if line := subtreeControl(string(ctrls)); line != "" {
		return os.WriteFile(filepath.Join(root, "cgroup.subtree_control"), []byte(line), 0)
	}
	return nil
}
