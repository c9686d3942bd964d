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

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/server"
	"github.com/labplay/playground/sessions/engine"
)

// Options says what to measure and where.
type Options struct {
	// URL of a running server; when empty, the bench starts servers
	// in-process on loopback from the environment's configuration
	// (DATABASE_URL, ...), one per node isolation mode, one after another.
	URL string
	// Modes are the node isolation settings measured when URL is empty;
	// none means the safe default and the unsafe one, side by side.
	Modes []string
	// Starts is how many sessions to start, one after another.
	Starts int
	// Keys is how many keystrokes to echo on each path.
	Keys int
	// Idle is how long a session rests before its memory is read.
	Idle time.Duration
}

// figures are one server's measurements.
type figures struct {
	label     string
	starts    []time.Duration
	memory    uint64
	viaServer []time.Duration
	viaExec   []time.Duration
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
	if len(opts.Modes) == 0 {
		opts.Modes = []string{engine.IsolationUserns, engine.IsolationUnsafeHostRoot}
	}
	docker, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer docker.Close()

	var all []figures
	if opts.URL != "" {
		fmt.Fprintf(out, "bench against %s\n", opts.URL)
		f, err := measure(ctx, opts, opts.URL, docker, instance())
		if err != nil {
			return err
		}
		f.label = opts.URL
		all = append(all, f)
	}
	for _, mode := range opts.Modes {
		if opts.URL != "" {
			break
		}
		inst := "bench-" + mode
		addr, stop, err := startServer(ctx, "-node-isolation", mode, "-instance", inst)
		if err != nil {
			return fmt.Errorf("start a server with node isolation %s: %w", mode, err)
		}
		fmt.Fprintf(out, "bench: nodes in mode %s, server on %s\n", mode, addr)
		f, err := measure(ctx, opts, "http://"+addr, docker, inst)
		stop()
		if err != nil {
			return fmt.Errorf("mode %s: %w", mode, err)
		}
		f.label = mode
		all = append(all, f)
	}
	return printTable(out, opts, all)
}

// measure takes one server's figures.
func measure(ctx context.Context, opts Options, base string, docker client.APIClient, inst string) (figures, error) {
	var f figures
	// The nodes are read through the engine package, as the server's
	// deployment labels them.
	eng := engine.New(docker, engine.Config{Instance: inst}, nil)
	c := pgclient.New(base)
	var err error
	if f.starts, err = measureStarts(ctx, c, opts.Starts); err != nil {
		return f, fmt.Errorf("session start: %w", err)
	}
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		return f, err
	}
	defer c.DeleteSession(context.WithoutCancel(ctx), s.ID)
	if f.memory, err = measureIdleMemory(ctx, eng, s.ID, opts.Idle); err != nil {
		return f, fmt.Errorf("idle memory: %w", err)
	}
	if f.viaServer, err = echoThroughServer(ctx, c, s.ID, opts.Keys); err != nil {
		return f, fmt.Errorf("echo through the server: %w", err)
	}
	if f.viaExec, err = echoThroughExec(ctx, docker, eng, s.ID, opts.Keys); err != nil {
		return f, fmt.Errorf("echo through docker exec: %w", err)
	}
	return f, nil
}

// printTable writes one row per figure and one group of columns per server
// measured.
func printTable(out io.Writer, opts Options, all []figures) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "figure")
	for _, f := range all {
		fmt.Fprintf(tw, "\t%s median\tp99 (or max)\tmin", f.label)
	}
	fmt.Fprintln(tw, "\truns")
	rows := []struct {
		name string
		get  func(figures) []time.Duration
	}{
		{"session start: POST /api/sessions until 3 engines answer", func(f figures) []time.Duration { return f.starts }},
		{"keystroke echo through the server (websocket → agent pty)", func(f figures) []time.Duration { return f.viaServer }},
		{"keystroke echo through plain docker exec -t (same node: the floor)", func(f figures) []time.Duration { return f.viaExec }},
	}
	for i, r := range rows {
		if i == 1 {
			fmt.Fprintf(tw, "idle memory per session (3 nodes, after %s)", opts.Idle)
			for _, f := range all {
				fmt.Fprintf(tw, "\t%.1f MiB\t\t", float64(f.memory)/(1<<20))
			}
			fmt.Fprintln(tw, "\t1")
		}
		fmt.Fprint(tw, r.name)
		n := 0
		for _, f := range all {
			d := r.get(f)
			n = len(d)
			fmt.Fprintf(tw, "\t%s", row(d))
		}
		fmt.Fprintf(tw, "\t%d\n", n)
	}
	return tw.Flush()
}

// row formats the median, p99 and minimum of durations as three cells.
func row(d []time.Duration) string {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return fmt.Sprintf("%s\t%s\t%s", round(percentile(d, 50)), round(percentile(d, 99)), round(d[0]))
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
// the environment like "playground serve", plus extra flags.
func startServer(ctx context.Context, flags ...string) (string, func(), error) {
	cfg, err := server.ParseConfig(append([]string{"-addr", "127.0.0.1:0", "-log-level", "warn"}, flags...), os.Getenv)
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
