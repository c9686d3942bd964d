package agent

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labplay/playground/internal/waitfor"
)

// asInit marks the child test process that plays PID 1.
const asInit = "AGENT_TEST_AS_INIT"

// TestReaperAsInit runs, in a child process that is a subreaper (orphans of
// its descendants come to it, as they come to PID 1), many short-lived
// children that each leave an orphan behind. Every child's own exit status
// must reach its Proc and every orphan must be reaped.
func TestReaperAsInit(t *testing.T) {
	if os.Getenv(asInit) != "" {
		reaperScenario(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReaperAsInit$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), asInit+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestReaperAsInit") {
		t.Fatalf("the child did not run the scenario:\n%s", out)
	}
}

func reaperScenario(t *testing.T) {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("cannot become a subreaper: %v", errno)
	}
	r := NewReaper(true, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		r.Run(ctx)
	}()
	defer func() {
		cancel()
		<-stopped
	}()

	dir := t.TempDir()
	procs := make([]*Proc, 30)
	for i := range procs {
		script := fmt.Sprintf("sleep 0.05 & echo $! > %s/orphan%d; exit %d", dir, i, i+1)
		p, err := r.Start(exec.Command("sh", "-c", script))
		if err != nil {
			t.Fatal(err)
		}
		procs[i] = p
	}
	for i, p := range procs {
		select {
		case <-p.Done():
		case <-time.After(deadline):
			t.Fatalf("child %d (pid %d) never reported its exit", i, p.Pid())
		}
		if st := p.Status(); !st.Exited() || st.ExitStatus() != i+1 {
			t.Errorf("child %d: %s, want exit status %d", i, describeStatus(st), i+1)
		}
		if err := p.Signal(syscall.SIGTERM); err != os.ErrProcessDone {
			t.Errorf("signal after exit: %v", err)
		}
	}
	// A zombie keeps its /proc entry until it is reaped.
	for i := range procs {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("orphan%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		waitfor.Until(t, fmt.Sprintf("orphan %d to be reaped", pid), deadline, func() error {
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err != nil {
				return nil // reaped
			}
			return fmt.Errorf("it is still there: %s", stat)
		})
	}
}
