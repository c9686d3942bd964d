package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// pauseFigures times pausing and resuming a session of three nodes with a
// little work on them (a file, a volume, a swarm), and reads what a pause
// gives back (the nodes' memory, from their parent cgroup) and what a
// paused session keeps (its disks' blocks), and so how many paused
// sessions the disk folder's free space holds.
func (b *bench) pauseFigures(ctx context.Context) ([]figure, error) {
	srv, err := b.startServer(ctx, "pause", "-pool-size", "0")
	if err != nil {
		return nil, fmt.Errorf("start a server: %w", err)
	}
	defer srv.stop()
	c := pgclient.New(srv.base)
	eng := engine.New(b.docker, engine.Config{Instance: srv.instance, Isolation: b.opts.Mode}, nil)
	var pauses, resumes []time.Duration
	var freed, disk uint64
	for i := 0; i < b.opts.Starts; i++ {
		s, err := c.CreateSession(ctx, "", "")
		if err != nil {
			return nil, err
		}
		p, r, f, d, err := b.pauseOnce(ctx, c, eng, s, i == 0)
		if derr := c.DeleteSession(context.WithoutCancel(ctx), s.ID); derr != nil && err == nil {
			err = derr
		}
		if err != nil {
			return nil, err
		}
		pauses, resumes = append(pauses, p), append(resumes, r)
		if i == 0 {
			freed, disk = f, d
		}
	}
	var st syscall.Statfs_t
	fits := "unknown (the disk folder is not on this host)"
	if err := syscall.Statfs(eng.Config().DiskDir, &st); err == nil && disk > 0 {
		fits = fmt.Sprintf("%d (%s free / %s)", st.Bavail*uint64(st.Bsize)/disk, mib(st.Bavail*uint64(st.Bsize)), mib(disk))
	}
	return []figure{
		{name: "pause: POST /api/sessions/{id}/pause until the 3 nodes have stopped", runs: pauses},
		{name: "resume: POST /api/sessions/{id}/resume until the 3 inner engines answer", runs: resumes},
		{name: fmt.Sprintf("memory a pause gives back (3 nodes' processes, after %s idle)", b.opts.Idle), value: mib(freed)},
		{name: "disk a paused session keeps (3 nodes' disk blocks, with a small swarm's work)", value: mib(disk)},
		{name: "paused sessions of that size the disk folder's free space holds", value: fits},
	}, nil
}

// pauseOnce leaves work in the session's nodes, pauses and resumes it, and
// returns both times; with measure, also the memory the pause gave back
// and the disk the paused session kept.
func (b *bench) pauseOnce(ctx context.Context, c *pgclient.Client, eng *engine.Engine, s *pgclient.Session, measure bool) (pause, resume time.Duration, freed, disk uint64, err error) {
	for _, n := range s.Nodes {
		cid := engine.ContainerName(s.ID, n.Name)
		script := "echo kept > /root/keep.txt && docker volume create keepvol >/dev/null"
		if n.Name == "node1" {
			script += " && docker swarm init --advertise-addr " + n.Address + " >/dev/null"
		}
		if out, code, err := eng.Exec(ctx, cid, script, time.Minute); err != nil || code != 0 {
			return 0, 0, 0, 0, fmt.Errorf("work in %s: exit %d, %v: %s", n.Name, code, err, out)
		}
	}
	var before uint64
	if measure {
		select {
		case <-time.After(b.opts.Idle):
		case <-ctx.Done():
			return 0, 0, 0, 0, ctx.Err()
		}
		if before, _, err = eng.NodesMemoryUse(ctx); err != nil {
			return 0, 0, 0, 0, err
		}
	}
	path := "/api/sessions/" + s.ID
	start := time.Now()
	var got sessions.Session
	if _, err := c.Do(ctx, "POST", path+"/pause", nil, &got); err != nil {
		return 0, 0, 0, 0, err
	}
	pause = time.Since(start)
	if got.Status != sessions.StatusPaused {
		return 0, 0, 0, 0, fmt.Errorf("a pause answered status %q", got.Status)
	}
	if measure {
		after, _, err := eng.NodesMemoryUse(ctx)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		if before > after {
			freed = before - after
		}
		for _, n := range s.Nodes {
			var st syscall.Stat_t
			img := filepath.Join(eng.Config().DiskDir, engine.ContainerName(s.ID, n.Name)+".img")
			if err := syscall.Stat(img, &st); err == nil {
				disk += uint64(st.Blocks) * 512
			} else if !os.IsNotExist(err) {
				return 0, 0, 0, 0, err
			}
		}
	}
	start = time.Now()
	if _, err := c.Do(ctx, "POST", path+"/resume", nil, &got); err != nil {
		return 0, 0, 0, 0, err
	}
	resume = time.Since(start)
	if got.Status != sessions.StatusRunning {
		return 0, 0, 0, 0, fmt.Errorf("a resume answered status %q", got.Status)
	}
	return pause, resume, freed, disk, nil
}
