package agent

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labplay/playground/fault"

	"golang.org/x/sys/unix"
)

// The nodes' disks, host side. "playground node disk" runs in the engine's
// helper container, which sees the host's disk folder and /dev: it makes
// each node a sparse file holding an ext4 file system of the node's size,
// attaches it to a loop device, and keeps NAME.dev in the folder pointing
// at that device, which is what the node's volume mounts. The engine
// mounts it; the agent inside moves the node's root onto it (rootdisk.go).
// Files are sparse and mounted with discard, so a disk takes on the host
// only what the node holds.

// diskNamePattern is what a disk's name may be: a node container's name.
var diskNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$`)

// DiskHost names the folders the disk commands work in, as the helper sees
// them.
type DiskHost struct {
	// Dir holds NAME.img and NAME.dev of every disk.
	Dir string
	// Dev is the host's /dev.
	Dev string
}

// DiskSpec is one disk to attach.
type DiskSpec struct {
	Name     string
	Size     int64
	UID, GID int
}

// AttachDisk makes the disk if it does not exist yet, attaches it to a
// loop device unless it is attached already, points NAME.dev at that
// device, and returns the device's path on the host and the free bytes of
// the folder's file system.
func (h DiskHost) AttachDisk(spec DiskSpec) (string, uint64, error) {
	if !diskNamePattern.MatchString(spec.Name) {
		return "", 0, fault.Errorf(fault.EINVALID, "disk name %q is not a node's name", spec.Name)
	}
	img := filepath.Join(h.Dir, spec.Name+".img")
	if _, err := os.Stat(img); errors.Is(err, os.ErrNotExist) {
		if err := makeDisk(img, spec); err != nil {
			return "", 0, err
		}
	} else if err != nil {
		return "", 0, fmt.Errorf("disk: %w", err)
	}
	n, err := h.loopOf(img)
	if err != nil {
		return "", 0, err
	}
	if n < 0 {
		if n, err = h.attach(img); err != nil {
			return "", 0, err
		}
	}
	dev := "/dev/loop" + strconv.Itoa(n)
	link := filepath.Join(h.Dir, spec.Name+".dev")
	tmp := link + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(dev, tmp); err != nil {
		return "", 0, fmt.Errorf("disk: %w", err)
	}
	if err := os.Rename(tmp, link); err != nil {
		return "", 0, fmt.Errorf("disk: %w", err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(h.Dir, &st); err != nil {
		return "", 0, fmt.Errorf("disk: %w", err)
	}
	return dev, st.Bavail * uint64(st.Bsize), nil
}

// makeDisk writes a sparse file of the disk's size with an ext4 file system
// whose root belongs to the node's root user. No blocks are reserved for
// root: the node's root is the only user.
func makeDisk(img string, spec DiskSpec) error {
	f, err := os.OpenFile(img, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("disk: %w", err)
	}
	err = f.Truncate(spec.Size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		ext := fmt.Sprintf("root_owner=%d:%d,lazy_itable_init=1,lazy_journal_init=1,nodiscard", spec.UID, spec.GID)
		out, cerr := exec.Command("mkfs.ext4", "-q", "-F", "-m", "0", "-E", ext, img).CombinedOutput()
		if cerr != nil {
			err = fmt.Errorf("mkfs.ext4: %w: %s", cerr, strings.TrimSpace(string(out)))
		}
	}
	if err != nil {
		_ = os.Remove(img)
		return fmt.Errorf("disk: make %s: %w", filepath.Base(img), err)
	}
	return nil
}

// loopOf returns the number of the loop device img is attached to, or -1.
func (h DiskHost) loopOf(img string) (int, error) {
	var st unix.Stat_t
	if err := unix.Stat(img, &st); err != nil {
		return -1, fmt.Errorf("disk: %w", err)
	}
	entries, err := os.ReadDir("/sys/block")
	if err != nil {
		return -1, fmt.Errorf("disk: %w", err)
	}
	for _, e := range entries {
		n, ok := loopNumber(e.Name())
		if !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join("/sys/block", e.Name(), "loop")); err != nil {
			continue // not attached
		}
		info, err := h.loopStatus(n)
		if err != nil {
			continue
		}
		if info.Inode == st.Ino && info.Device == st.Dev {
			return n, nil
		}
	}
	return -1, nil
}

// loopNumber parses "loopN".
func loopNumber(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "loop")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// loopStatus reads the status of loop device n.
func (h DiskHost) loopStatus(n int) (*unix.LoopInfo64, error) {
	fd, err := unix.Open(h.loopPath(n), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return unix.IoctlLoopGetStatus64(fd)
}

// loopPath is loop device n as the helper sees it.
func (h DiskHost) loopPath(n int) string {
	return filepath.Join(h.Dev, "loop"+strconv.Itoa(n))
}

// attach attaches img to a free loop device and returns its number. A
// device another process takes first is skipped.
func (h DiskHost) attach(img string) (int, error) {
	file, err := unix.Open(img, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("disk: %w", err)
	}
	defer unix.Close(file)
	ctl, err := unix.Open(filepath.Join(h.Dev, "loop-control"), unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("disk: open loop-control: %w", err)
	}
	defer unix.Close(ctl)
	for try := 0; try < 10; try++ {
		n, err := unix.IoctlRetInt(ctl, unix.LOOP_CTL_GET_FREE)
		if err != nil {
			return -1, fmt.Errorf("disk: find a free loop device: %w", err)
		}
		fd, err := openWhenThere(h.loopPath(n))
		if err != nil {
			return -1, fmt.Errorf("disk: open loop%d: %w", n, err)
		}
		cfg := unix.LoopConfig{Fd: uint32(file)}
		err = unix.IoctlLoopConfigure(fd, &cfg)
		unix.Close(fd)
		if errors.Is(err, unix.EBUSY) {
			continue
		}
		if err != nil {
			return -1, fmt.Errorf("disk: attach loop%d: %w", n, err)
		}
		return n, nil
	}
	return -1, fault.Errorf(fault.EUNAVAILABLE, "no free loop device for %s", filepath.Base(img))
}

// openWhenThere opens a device node, waiting briefly for the kernel to
// make it after the device was added.
func openWhenThere(path string) (int, error) {
	for i := 0; ; i++ {
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err == nil || !errors.Is(err, unix.ENOENT) || i == 50 {
			return fd, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RemoveDisks detaches and deletes the disks named, and every disk whose
// name starts with prefix when prefix is not empty. A disk still mounted
// is detached by the kernel once it is unmounted.
func (h DiskHost) RemoveDisks(prefix string, names []string) error {
	if prefix != "" {
		if !diskNamePattern.MatchString(prefix) {
			return fault.Errorf(fault.EINVALID, "disk prefix %q is not a node's name", prefix)
		}
		matches, err := filepath.Glob(filepath.Join(h.Dir, prefix+"*.img"))
		if err != nil {
			return fmt.Errorf("disk: %w", err)
		}
		for _, m := range matches {
			names = append(names, strings.TrimSuffix(filepath.Base(m), ".img"))
		}
	}
	var errs []error
	for _, name := range names {
		if !diskNamePattern.MatchString(name) {
			errs = append(errs, fault.Errorf(fault.EINVALID, "disk name %q is not a node's name", name))
			continue
		}
		errs = append(errs, h.remove(name))
	}
	return errors.Join(errs...)
}

// remove detaches one disk and deletes its files.
func (h DiskHost) remove(name string) error {
	img := filepath.Join(h.Dir, name+".img")
	if _, err := os.Stat(img); err == nil {
		n, err := h.loopOf(img)
		if err != nil {
			return err
		}
		if n >= 0 {
			fd, err := unix.Open(h.loopPath(n), unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("disk: open loop%d: %w", n, err)
			}
			err = unix.IoctlSetInt(fd, unix.LOOP_CLR_FD, 0)
			unix.Close(fd)
			if err != nil && !errors.Is(err, unix.ENXIO) {
				return fmt.Errorf("disk: detach loop%d: %w", n, err)
			}
		}
	}
	for _, p := range []string{img, filepath.Join(h.Dir, name+".dev")} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("disk: %w", err)
		}
	}
	return nil
}

// ListDisks returns the names of the disks in the folder with how long ago
// each was last attached.
func (h DiskHost) ListDisks() (map[string]time.Duration, error) {
	matches, err := filepath.Glob(filepath.Join(h.Dir, "*.img"))
	if err != nil {
		return nil, fmt.Errorf("disk: %w", err)
	}
	out := make(map[string]time.Duration, len(matches))
	for _, m := range matches {
		name := strings.TrimSuffix(filepath.Base(m), ".img")
		fi, err := os.Lstat(filepath.Join(h.Dir, name+".dev"))
		if err != nil {
			fi, err = os.Stat(m)
		}
		if err != nil {
			continue
		}
		out[name] = time.Since(fi.ModTime())
	}
	return out, nil
}
