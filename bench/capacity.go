package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/engine"
)

// Capacity fills one server with idle sessions, one after another, until
// opts.Fill of them run or the host stops one: a start that fails, or a
// node of an earlier session that is no longer running. Every tenth
// session it prints a row of what the host has left (memory, the nodes'
// shared memory, load, processes, the nodes' keys); at the end, what
// stopped it. It reads the host's /proc, so it runs on the engine's host.
func Capacity(ctx context.Context, opts Options, out io.Writer) error {
	b, closeAll, err := newBench(ctx, opts, out)
	if err != nil {
		return err
	}
	defer closeAll()
	n := strconv.Itoa(opts.Fill)
	srv, err := b.startServer(ctx, "capacity", "-max-sessions", n, "-max-sessions-per-learner", n,
		"-max-sessions-per-address", "0", "-pool-size", "0", "-session-lifetime", "8h")
	if err != nil {
		return err
	}
	defer srv.stop()
	c := pgclient.New(srv.base)
	eng := engine.New(b.docker, engine.Config{Instance: srv.instance}, nil)

	fmt.Fprintf(out, "capacity: up to %d idle sessions of 3 nodes, one after another, on %s\n\n", opts.Fill, srv.base)
	// Rows are printed as they come (a long fill can be watched, or
	// stopped), in fixed columns.
	const row = "%8v  %10v  %13v  %10v  %7v  %6v  %5v\n"
	fmt.Fprintf(out, row, "sessions", "start", "available MiB", "nodes' MiB", "load 1m", "tasks", "keys")
	var ids []string
	stopped := ""
	for len(ids) < opts.Fill && stopped == "" {
		start := time.Now()
		s, err := c.CreateSession(ctx, "", "")
		took := time.Since(start)
		if err != nil {
			stopped = fmt.Sprintf("session %d did not start: %v", len(ids)+1, err)
			break
		}
		ids = append(ids, s.ID)
		if len(ids)%10 != 0 && len(ids) != opts.Fill {
			continue
		}
		// Are all the earlier sessions' nodes still running?
		list, err := eng.List(ctx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			for _, node := range list[id] {
				if !node.Running {
					stopped = fmt.Sprintf("after %d sessions, %s of session %s stopped", len(ids), node.Name, id)
				}
			}
		}
		avail, _ := meminfo("MemAvailable")
		fmt.Fprintf(out, row, len(ids), round(took), avail>>20, nodesMemory(srv.instance)>>20, loadavg(), tasks(), nodeKeys())
	}
	if stopped == "" {
		stopped = fmt.Sprintf("nothing: all %d sessions run", len(ids))
	}
	fmt.Fprintf(out, "\nstopped by: %s\n", stopped)
	return nil
}

// meminfo returns a /proc/meminfo field in bytes.
func meminfo(field string) (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kib << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/meminfo", field)
}

// nodesMemory returns what the instance's nodes use together, from their
// shared parent cgroup (cgroup v1, then v2); 0 when unknown.
func nodesMemory(instance string) int64 {
	for _, p := range []string{"/sys/fs/cgroup/memory/playground-" + instance + "/memory.usage_in_bytes",
		"/sys/fs/cgroup/playground-" + instance + "/memory.current"} {
		if b, err := os.ReadFile(p); err == nil {
			n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			return n
		}
	}
	return 0
}

// loadavg returns the host's one-minute load.
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// tasks returns how many tasks (threads) the host runs, from /proc/loadavg.
func tasks() int {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 3 {
		if _, total, ok := strings.Cut(f[3], "/"); ok {
			n, _ := strconv.Atoi(total)
			return n
		}
	}
	return 0
}

// nodeKeys returns the keys and bytes the nodes' host uid holds, from
// /proc/key-users ("100000: ... 11/24105 770/3085468").
func nodeKeys() string {
	b, _ := os.ReadFile("/proc/key-users")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 5 && f[0] == "100000:" {
			keys, _, _ := strings.Cut(f[3], "/")
			return keys
		}
	}
	return "0"
}
