package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Delegation hands a node's own cgroups to the node's root user. It does not
// run in a node: it runs on the host side, in the engine's helper container,
// which shares the host's PID and cgroup namespaces and sees the host's
// cgroup tree mounted under a folder of its own. A node in a user namespace
// cannot write the cgroup directories the outer runtime made for it (they
// belong to the host's root), so its engine could not give nested containers
// cgroups of their own; after Delegate the node's root owns those
// directories, and only those: it may create child cgroups (each one bounded
// by the node's limits, which the kernel applies hierarchically), while the
// node's limit files stay the host root's and out of its reach.

// DelegateTarget names one node for Delegate: its container id, which its
// cgroup paths must contain, and the host PID of its init process.
type DelegateTarget struct {
	ContainerID string
	Pid         int
}

// ParseDelegateTarget reads "CONTAINER_ID:PID".
func ParseDelegateTarget(s string) (DelegateTarget, error) {
	id, pidText, ok := strings.Cut(s, ":")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 1 || len(id) < 12 || strings.ContainsAny(id, "/.") {
		return DelegateTarget{}, fmt.Errorf("delegate target %q is not CONTAINER_ID:PID", s)
	}
	return DelegateTarget{ContainerID: id, Pid: pid}, nil
}

// delegateTree names what delegation reads; tests point it elsewhere.
type delegateTree struct {
	Proc      string // the host's /proc
	MountInfo string // the helper's own mount table
	HostRoot  string // where the host's cgroup hierarchies are mounted
}

// Delegate gives each target's cgroup directories, in every hierarchy
// mounted under hostRoot, to the host user that is root in the target's user
// namespace. A target that is not in a user namespace, or whose cgroups do
// not name its container, is refused and left alone.
func Delegate(hostRoot string, targets []DelegateTarget) error {
	t := delegateTree{Proc: "/proc", MountInfo: "/proc/self/mountinfo", HostRoot: hostRoot}
	var errs []error
	for _, target := range targets {
		if err := t.delegate(target); err != nil {
			errs = append(errs, fmt.Errorf("container %.12s: %w", target.ContainerID, err))
		}
	}
	return errors.Join(errs...)
}

// delegate hands one target's cgroups over.
func (t delegateTree) delegate(target DelegateTarget) error {
	proc := filepath.Join(t.Proc, strconv.Itoa(target.Pid))
	uid, err := readRootMapping(filepath.Join(proc, "uid_map"))
	if err != nil {
		return err
	}
	gid, err := readRootMapping(filepath.Join(proc, "gid_map"))
	if err != nil {
		return err
	}
	mi, err := os.ReadFile(t.MountInfo)
	if err != nil {
		return err
	}
	mounts, err := parseMountInfo(string(mi))
	if err != nil {
		return err
	}
	pc, err := os.ReadFile(filepath.Join(proc, "cgroup"))
	if err != nil {
		return err
	}
	cgroups, err := parseProcCgroup(string(pc))
	if err != nil {
		return err
	}
	dirs, err := planDelegation(mounts, cgroups, t.HostRoot, target.ContainerID)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		for _, name := range d.Files {
			if err := os.Lchown(filepath.Join(d.Dir, name), uid, gid); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRootMapping returns the outside id that id 0 maps to in a uid_map or
// gid_map file. The identity mapping of the initial user namespace is
// refused: handing cgroups to the host's own root would change nothing and
// means the target is not isolated.
func readRootMapping(file string) (int, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "0" {
			continue
		}
		outside, err := strconv.Atoi(f[1])
		if err != nil {
			return 0, fmt.Errorf("%s: bad line %q", file, line)
		}
		if outside == 0 {
			return 0, fmt.Errorf("%s: root is the host's root (no user namespace)", file)
		}
		return outside, nil
	}
	return 0, fmt.Errorf("%s: root is not mapped", file)
}

// delegatedDir is one cgroup directory to hand over and the names in it
// (the directory itself is ".") that change owner.
type delegatedDir struct {
	Dir   string
	Files []string
}

// v2DelegateFiles are the files of a cgroup v2 directory that its delegate
// must own, besides the directory (see the kernel's cgroup-v2 document,
// "Delegation Containment"); v1 needs only the directory.
var v2DelegateFiles = []string{".", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"}

// planDelegation finds, for each of a process's cgroups, the directory that
// holds it under one of the mounts below hostRoot. Every path must name the
// container (so a reused PID of another process is refused), and no v1 path
// may be a hierarchy's root (a v2 line at the root is skipped). It has no side effects.
func planDelegation(mounts []mountEntry, cgroups []cgroupEntry, hostRoot, containerID string) ([]delegatedDir, error) {
	var out []delegatedDir
	seen := make(map[string]bool)
	for _, c := range cgroups {
		if c.ID == 0 && c.Path == "/" {
			continue // a hybrid host whose engine leaves the unified tree alone
		}
		if c.Path == "/" || !strings.Contains(c.Path, containerID) {
			return nil, fmt.Errorf("cgroup %q of hierarchy %d does not belong to the container", c.Path, c.ID)
		}
		for _, m := range mounts {
			if !underRoot(m, hostRoot) || !cgroupMatches(m, c) {
				continue
			}
			rel, ok := strings.CutPrefix(c.Path, m.Root)
			if !ok || (m.Root != "/" && rel != "" && rel[0] != '/') {
				continue
			}
			dir := filepath.Join(m.Point, rel)
			if seen[dir] {
				continue
			}
			seen[dir] = true
			files := []string{"."}
			if m.FSType == "cgroup2" {
				files = v2DelegateFiles
			}
			out = append(out, delegatedDir{Dir: dir, Files: files})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no cgroup hierarchy of the container is mounted under %s", hostRoot)
	}
	return out, nil
}

// underRoot reports whether m is one of the host's hierarchies as mounted
// under hostRoot: a v1 hierarchy (or a hybrid host's unified one) in a
// folder of hostRoot, or a pure v2 tree at hostRoot itself.
func underRoot(m mountEntry, hostRoot string) bool {
	root := filepath.Clean(hostRoot)
	return filepath.Dir(m.Point) == root || (m.FSType == "cgroup2" && m.Point == root)
}

// cgroupMatches reports whether mount m is the hierarchy of cgroup line c.
func cgroupMatches(m mountEntry, c cgroupEntry) bool {
	switch m.FSType {
	case "cgroup2":
		return c.ID == 0 && len(c.Controllers) == 0
	case "cgroup":
		ids := hierarchyOf(m.Super)
		ctrls := slices.Sorted(slices.Values(c.Controllers))
		return c.ID != 0 && len(ids) > 0 && strings.Join(ids, ",") == strings.Join(ctrls, ",")
	}
	return false
}
