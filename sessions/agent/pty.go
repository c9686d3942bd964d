package agent

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"github.com/creack/pty"
)

// openPTY opens a pseudo-terminal pair. The master is switched to
// non-blocking mode and handed to Go's poller, so closing it wakes a pending
// Read and deadlines work; creack/pty leaves it blocking.
func openPTY() (master, tty *os.File, err error) {
	m, t, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open pty: %w", err)
	}
	defer m.Close()
	fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, m.Fd(), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		t.Close()
		return nil, nil, fmt.Errorf("dup pty master: %w", errno)
	}
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		syscall.Close(int(fd))
		t.Close()
		return nil, nil, fmt.Errorf("pty master non-blocking: %w", err)
	}
	return os.NewFile(fd, m.Name()), t, nil
}

// setWinsize sets the terminal size of a pty through its master without
// taking the file out of non-blocking mode (File.Fd would).
func setWinsize(master *os.File, s Size) error {
	ws := struct{ rows, cols, x, y uint16 }{uint16(s.Rows), uint16(s.Cols), 0, 0}
	rc, err := master.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	err = rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws)))
	})
	if err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
