package agent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Like delegation, this runs on the host side, in the engine's helper
// container: it caps what all the nodes of a deployment may use together.
// Every node's cgroup sits under one parent cgroup of the deployment; the
// parent's limits leave the host's own services (Postgres, dockerd, the
// server) the memory and process ids they need, so that a class of memory
// hogs or fork bombs meets the kernel's limit inside the nodes, never the
// host's OOM killer or an exhausted PID table.

// ParentLimits are the limits of the nodes' parent cgroup.
type ParentLimits struct {
	// Path is the parent cgroup, e.g. /playground-default.
	Path string
	// Memory is the most memory, in bytes, all nodes may use; 0 leaves it.
	Memory int64
	// PidsReserve is how many process ids of the host's pid_max stay out of
	// the nodes' reach; 0 leaves the pids limit alone.
	PidsReserve int
}

// LimitParent creates the parent cgroup in the memory and pids hierarchies
// mounted under hostRoot and writes its limits. procRoot is the host's
// /proc, where pid_max is read.
func LimitParent(hostRoot, procRoot string, l ParentLimits) error {
	if !strings.HasPrefix(l.Path, "/") || l.Path == "/" || strings.Contains(l.Path, "..") {
		return fmt.Errorf("parent cgroup %q must be an absolute path below the root", l.Path)
	}
	mi, err := os.ReadFile(filepath.Join(procRoot, "self", "mountinfo"))
	if err != nil {
		return err
	}
	mounts, err := parseMountInfo(string(mi))
	if err != nil {
		return err
	}
	var pids int
	if l.PidsReserve > 0 {
		b, err := os.ReadFile(filepath.Join(procRoot, "sys", "kernel", "pid_max"))
		if err != nil {
			return err
		}
		max, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("pid_max: %w", err)
		}
		pids = max - l.PidsReserve
		if pids < 1000 {
			return fmt.Errorf("pid_max %d leaves fewer than 1000 process ids after a reserve of %d", max, l.PidsReserve)
		}
	}
	var errs []error
	found := false
	for _, m := range mounts {
		if !underRoot(m, hostRoot) || m.Root != "/" {
			continue
		}
		// The files to write in this hierarchy: v1 has one hierarchy per
		// controller, v2 (mounted at hostRoot itself) one for all.
		files := map[string]string{}
		switch {
		case m.FSType == "cgroup2" && m.Point == filepath.Clean(hostRoot):
			if l.Memory > 0 {
				files["memory.max"] = strconv.FormatInt(l.Memory, 10)
			}
			if pids > 0 {
				files["pids.max"] = strconv.Itoa(pids)
			}
		case m.FSType == "cgroup":
			ids := hierarchyOf(m.Super)
			if slices.Contains(ids, "memory") && l.Memory > 0 {
				files["memory.limit_in_bytes"] = strconv.FormatInt(l.Memory, 10)
			}
			if slices.Contains(ids, "pids") && pids > 0 {
				files["pids.max"] = strconv.Itoa(pids)
			}
		}
		if len(files) == 0 {
			continue
		}
		found = true
		dir := filepath.Join(m.Point, l.Path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			errs = append(errs, err)
			continue
		}
		for file, value := range files {
			if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", filepath.Join(dir, file), err))
			}
		}
	}
	if !found && (l.Memory > 0 || pids > 0) {
		errs = append(errs, fmt.Errorf("no cgroup memory or pids hierarchy is mounted under %s", hostRoot))
	}
	return errors.Join(errs...)
}

// RemoveParent removes the parent cgroup from every hierarchy mounted under
// hostRoot where it is empty; one still holding nodes (of another process of
// the deployment) stays.
func RemoveParent(hostRoot, procRoot, path string) error {
	if !strings.HasPrefix(path, "/") || path == "/" || strings.Contains(path, "..") {
		return fmt.Errorf("parent cgroup %q must be an absolute path below the root", path)
	}
	mi, err := os.ReadFile(filepath.Join(procRoot, "self", "mountinfo"))
	if err != nil {
		return err
	}
	mounts, err := parseMountInfo(string(mi))
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range mounts {
		if (m.FSType != "cgroup" && m.FSType != "cgroup2") || !underRoot(m, hostRoot) || m.Root != "/" {
			continue
		}
		err := os.Remove(filepath.Join(m.Point, path))
		if err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.EBUSY) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
