// Package bench measures the playground from the outside, the way learners
// use it, and prints a table of figures: how long a session takes to start,
// how much memory an idle session holds, and how long a keystroke takes to
// echo through the server compared with a plain docker exec on the same node.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/docker/docker/client"

	pgclient "github.com/labplay/playground/e2e/client"
	"github.com/labplay/playground/server"
	"github.com/labplay/playground/sessions/engine"
)

// Options says what to measure and where.
type Options struct {
	// URL of a running server; when empty, the bench starts one in-process
	// on loopback from the environment's configuration (DATABASE_URL, ...).
	URL string
	// Starts is how many sessions to start, one after another.
	Starts int
	// Keys is how many keystrokes to echo on each path.
	Keys int
	// Idle is how long a session rests before its memory is read.
	Idle time.Duration
}

// Run measures and writes the table to out.
func Run(ctx context.Context, opts Options, out io.Writer) error {
	if opts.Starts <= 0 {
		opts.Starts = 5
	}
	if opts.Keys <= 0 {
		opts.Keys = 100
	}
	if opts.Idle <= 0 {
		opts.Idle = 10 * time.Second
	}
	base := opts.URL
	if base == "" {
		addr, stop, err := startServer(ctx)
		if err != nil {
			return err
		}
		defer stop()
		base = "http://" + addr
	}
	docker, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer docker.Close()
	// The nodes are read through the engine package, as the server's
	// deployment labels them.
	eng := engine.New(docker, engine.Config{Instance: instance()}, nil)
	c := pgclient.New(base)

	fmt.Fprintf(out, "bench against %s\n", base)
	starts, err := measureStarts(ctx, c, opts.Starts)
	if err != nil {
		return fmt.Errorf("session start: %w", err)
	}
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		return err
	}
	defer c.DeleteSession(context.WithoutCancel(ctx), s.ID)
	mem, err := measureIdleMemory(ctx, eng, s.ID, opts.Idle)
	if err != nil {
		return fmt.Errorf("idle memory: %w", err)
	}
	viaServer, err := echoThroughServer(ctx, c, s.ID, opts.Keys)
	if err != nil {
		return fmt.Errorf("echo through the server: %w", err)
	}
	viaExec, err := echoThroughExec(ctx, docker, eng, s.ID, opts.Keys)
	if err != nil {
		return fmt.Errorf("echo through docker exec: %w", err)
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmedian\tp99 (or max)\tmin\truns")
	row(tw, "session start: POST /api/sessions until 3 engines answer", starts)
	fmt.Fprintf(tw, "idle memory per session (3 nodes, after %s)\t%.1f MiB\t\t\t1\n", opts.Idle, float64(mem)/(1<<20))
	row(tw, "keystroke echo through the server (websocket → agent pty)", viaServer)
	row(tw, "keystroke echo through plain docker exec -t (same node)", viaExec)
	return tw.Flush()
}

// row prints one line of durations.
func row(w io.Writer, name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\n", name, round(percentile(d, 50)), round(percentile(d, 99)), round(d[0]), len(d))
}

// percentile returns the p-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted) + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d
}

// startServer runs the server in-process on a loopback port, configured from
// the environment like "playground serve".
func startServer(ctx context.Context) (string, func(), error) {
	cfg, err := server.ParseConfig([]string{"-addr", "127.0.0.1:0", "-log-level", "warn"}, os.Getenv)
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() {
		errc <- server.Run(ctx, cfg, log, func(a net.Addr) { addrc <- a.String() })
	}()
	select {
	case addr := <-addrc:
		return addr, func() { cancel(); <-errc }, nil
	case err := <-errc:
		cancel()
		return "", nil, err
	}
}

// instance is the deployment label of the server measured: the one the
// environment gives it, as "playground serve" reads it.
func instance() string {
	if v := os.Getenv("PLAYGROUND_INSTANCE"); v != "" {
		return v
	}
	return engine.DefaultInstance
}
