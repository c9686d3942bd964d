package agent

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct {
	ID, Parent int
	Root       string   // the mounted directory inside its filesystem
	Point      string   // where it is mounted
	Opts       []string // per-mount options (ro, nosuid, ...)
	FSType     string
	Source     string
	Super      []string // per-superblock options (rw, memory, name=systemd, ...)
}

// readOnly reports whether the mount or its filesystem is read-only.
func (m mountEntry) readOnly() bool {
	return slices.Contains(m.Opts, "ro") || slices.Contains(m.Super, "ro")
}

// parseMountInfo parses the text of /proc/self/mountinfo.
func parseMountInfo(text string) ([]mountEntry, error) {
	var out []mountEntry
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		sep := slices.Index(f, "-")
		if len(f) < 6 || sep < 6 || len(f) < sep+4 {
			return nil, fmt.Errorf("mountinfo line %d: malformed: %q", n+1, line)
		}
		id, err1 := strconv.Atoi(f[0])
		parent, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("mountinfo line %d: bad mount ids: %q", n+1, line)
		}
		out = append(out, mountEntry{
			ID:     id,
			Parent: parent,
			Root:   unescapeMount(f[3]),
			Point:  unescapeMount(f[4]),
			Opts:   strings.Split(f[5], ","),
			FSType: f[sep+1],
			Source: unescapeMount(f[sep+2]),
			Super:  strings.Split(f[sep+3], ","),
		})
	}
	return out, nil
}

// unescapeMount undoes the octal escapes (\040 for a space) the kernel uses
// in mountinfo paths.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// cgroupEntry is one line of /proc/self/cgroup.
type cgroupEntry struct {
	ID          int
	Controllers []string // empty for the v2 (unified) line
	Path        string
}

// parseProcCgroup parses the text of /proc/self/cgroup.
func parseProcCgroup(text string) ([]cgroupEntry, error) {
	var out []cgroupEntry
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("cgroup line %d: malformed: %q", n+1, line)
		}
		id, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("cgroup line %d: bad hierarchy id: %q", n+1, line)
		}
		var ctrls []string
		if f[1] != "" {
			ctrls = strings.Split(f[1], ",")
		}
		out = append(out, cgroupEntry{ID: id, Controllers: ctrls, Path: f[2]})
	}
	return out, nil
}

// cgroupFlags are v1 superblock options that do not identify a hierarchy.
var cgroupFlags = map[string]bool{
	"rw": true, "ro": true, "none": true, "noprefix": true, "xattr": true,
	"clone_children": true, "cpuset_v2_mode": true, "favordynmods": true,
	"nofavordynmods": true,
}

// hierarchyOf returns the sorted controllers (and name=) that identify the
// v1 hierarchy mounted with the given superblock options.
func hierarchyOf(super []string) []string {
	var ids []string
	for _, o := range super {
		if cgroupFlags[o] || (strings.Contains(o, "=") && !strings.HasPrefix(o, "name=")) {
			continue
		}
		ids = append(ids, o)
	}
	slices.Sort(ids)
	return ids
}

// cgroupPlan is what preparing the cgroup tree for a nested engine takes.
type cgroupPlan struct {
	// Version is 1 or 2, or 0 when no cgroup tree is mounted at the root.
	Version int
	// RemountRoot is set when the root (the v1 tmpfs or the v2 mount) is
	// read-only; Root is that mount.
	RemountRoot bool
	Root        mountEntry
	// Steps re-mount each read-only hierarchy, sorted by mount point.
	Steps []hierarchyStep
	// Unmatched names read-only hierarchies whose own cgroup is unknown.
	Unmatched []string
	// Evacuate is set for a v2 tree whose root is the container's own
	// cgroup (a private cgroup namespace): its processes must move to a
	// child cgroup before controllers can be delegated to nested ones.
	Evacuate bool
}

// hierarchyStep replaces one read-only hierarchy with a writable bind of the
// container's own cgroup in it.
type hierarchyStep struct {
	Point  string // the read-only mount point, e.g. /sys/fs/cgroup/cpu,cpuacct
	Name   string // its base name, e.g. cpu,cpuacct
	FSType string // cgroup or cgroup2
	Data   string // mount data for a fresh mount, e.g. cpu,cpuacct
	Own    string // the container's own cgroup in the hierarchy
}

// planCgroups decides, from the mount table and the process's cgroups, what
// must happen under root. It has no side effects.
func planCgroups(mounts []mountEntry, cgroups []cgroupEntry, root string) cgroupPlan {
	top := make(map[string]mountEntry) // the visible mount at each point
	for _, m := range mounts {
		top[m.Point] = m
	}
	var plan cgroupPlan
	rootMount, ok := top[root]
	if !ok {
		return plan
	}
	plan.Root = rootMount
	plan.RemountRoot = rootMount.readOnly()
	switch rootMount.FSType {
	case "cgroup2":
		plan.Version = 2
		for _, c := range cgroups {
			if c.ID == 0 && len(c.Controllers) == 0 && c.Path == "/" {
				plan.Evacuate = true
			}
		}
		return plan
	case "tmpfs":
		plan.Version = 1
	default:
		return cgroupPlan{}
	}
	for point, m := range top {
		if path.Dir(point) != root || !m.readOnly() {
			continue
		}
		step := hierarchyStep{Point: point, Name: path.Base(point), FSType: m.FSType}
		found := false
		switch m.FSType {
		case "cgroup":
			ids := hierarchyOf(m.Super)
			if len(ids) == 0 {
				break
			}
			step.Data = strings.Join(ids, ",")
			if strings.HasPrefix(ids[0], "name=") && len(ids) == 1 {
				step.Data = "none," + step.Data
			}
			for _, c := range cgroups {
				ctrls := slices.Sorted(slices.Values(c.Controllers))
				if c.ID != 0 && slices.Equal(ctrls, ids) {
					step.Own, found = c.Path, true
				}
			}
		case "cgroup2": // the unified hierarchy of a hybrid layout
			for _, c := range cgroups {
				if c.ID == 0 && len(c.Controllers) == 0 {
					step.Own, found = c.Path, true
				}
			}
		default:
			continue
		}
		if !found {
			plan.Unmatched = append(plan.Unmatched, point)
			continue
		}
		plan.Steps = append(plan.Steps, step)
	}
	slices.SortFunc(plan.Steps, func(a, b hierarchyStep) int { return strings.Compare(a.Point, b.Point) })
	slices.Sort(plan.Unmatched)
	return plan
}

// remountFlags returns the mount flags to keep when remounting a mount with
// the given per-mount options read-write.
func remountFlags(opts []string) uintptr {
	var flags uintptr
	for _, o := range opts {
		switch o {
		case "nosuid":
			flags |= syscall.MS_NOSUID
		case "nodev":
			flags |= syscall.MS_NODEV
		case "noexec":
			flags |= syscall.MS_NOEXEC
		case "noatime":
			flags |= syscall.MS_NOATIME
		case "nodiratime":
			flags |= syscall.MS_NODIRATIME
		case "relatime":
			flags |= syscall.MS_RELATIME
		}
	}
	return flags
}

// subtreeControl turns the contents of cgroup.controllers into the line
// that enables all of them in cgroup.subtree_control.
func subtreeControl(controllers string) string {
	var b strings.Builder
	for i, c := range strings.Fields(controllers) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("+" + c)
	}
	return b.String()
}
