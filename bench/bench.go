// Package bench measures the playground from the outside, the way learners
// use it, and prints tables of figures, each beside its floor measured in
// the same run: starts of sessions without a lab (three nodes), cold and
// from the warm pool, beside the engine's own cost of the same nodes; a
// class of learners joining at once, cold and with ready seats; terminal
// output through the server beside a plain docker exec, Ctrl-C during a
// flood, keystroke echo, and files uploaded and downloaded beside docker
// exec of cat.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/app"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/store"
)

// Options says what to measure.
type Options struct {
	// Mode is the node isolation setting of the servers measured.
	Mode string
	// Starts is how many sessions to start on each path, one after another.
	Starts int
	// Keys is how many keystrokes to echo on each path.
	Keys int
	// Idle is how long a session rests before its memory is read.
	Idle time.Duration
	// Class is how many learners join the class storm (0 skips it).
	Class int
	// StreamMiB is how much output the throughput figure prints.
	StreamMiB int
	// Fill, for Capacity, is how many idle sessions to start at most.
	Fill int
	// Only names the one group of figures to measure (starts, class,
	// terminal, pause or cluster); empty measures them all.
	Only string
	// Cluster and ClusterTLS, when Cluster is set, are a swarm's manager
	// and the hosts' TLS folder, for the cluster figures.
	Cluster, ClusterTLS string
}

// measures reports whether the group named group is measured.
func (o Options) measures(group string) bool { return o.Only == "" || o.Only == group }

// Run starts servers in-process on loopback from the environment's
// configuration (DATABASE_URL, ...), one per figure group and one after
// another, measures, and writes the tables to out.
func Run(ctx context.Context, opts Options, out io.Writer) error {
	if opts.Mode == "" {
		opts.Mode = engine.IsolationUserns
	}
	if opts.Starts <= 0 {
		opts.Starts = 5
	}
	if opts.Keys <= 0 {
		opts.Keys = 100
	}
	if opts.Idle <= 0 {
		opts.Idle = 10 * time.Second
	}
	if opts.StreamMiB <= 0 {
		opts.StreamMiB = 64
	}
	b, closeAll, err := newBench(ctx, opts, out)
	if err != nil {
		return err
	}
	defer closeAll()

	fmt.Fprintf(out, "bench: nodes in mode %s; %d starts per path\n", opts.Mode, opts.Starts)
	if opts.measures("starts") {
		starts, err := b.startFigures(ctx)
		if err != nil {
			return err
		}
		b.table("Session start: POST /api/sessions until three inner engines answer", starts)
	}
	if opts.measures("pause") {
		pause, err := b.pauseFigures(ctx)
		if err != nil {
			return err
		}
		b.table("Pause and resume: a session of three nodes with a file, a volume and a swarm", pause)
	}
	if opts.Class > 0 && opts.measures("class") {
		storm, err := b.stormFigures(ctx)
		if err != nil {
			return err
		}
		b.table(fmt.Sprintf("Class storm: %d learners join one classroom within 5 s", opts.Class), storm)
	}
	if opts.Cluster != "" && opts.measures("cluster") {
		rows, err := b.clusterFigures(ctx)
		if err != nil {
			return err
		}
		b.table("Several hosts: make cluster's three engines, one swarm, on this one machine", rows)
	}
	if !opts.measures("terminal") {
		return nil
	}
	term, err := b.terminalFigures(ctx)
	if err != nil {
		return err
	}
	b.table("Terminal and files", term)
	return nil
}

// newBench connects to the engine and the database named by the
// environment; the function it returns closes both.
func newBench(ctx context.Context, opts Options, out io.Writer) (*bench, func(), error) {
	if opts.Mode == "" {
		opts.Mode = engine.IsolationUserns
	}
	docker, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		docker.Close()
		return nil, nil, fmt.Errorf("the bench reads the pool from the database: %w", err)
	}
	return &bench{opts: opts, docker: docker, store: st, out: out}, func() { st.Close(); docker.Close() }, nil
}

// bench holds what the figure groups share.
type bench struct {
	opts   Options
	docker client.APIClient
	store  *store.Store
	out    io.Writer
}

// figure is one row of a table: either durations (median, p95, p99, min)
// or a single value.
type figure struct {
	name  string
	runs  []time.Duration
	value string
}

// table prints one group of figures.
func (b *bench) table(title string, rows []figure) {
	fmt.Fprintf(b.out, "\n%s\n", title)
	tw := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmedian\tp95\tp99 (or max)\tmin\truns")
	for _, r := range rows {
		if r.runs == nil {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t1\n", r.name, r.value)
			continue
		}
		d := append([]time.Duration(nil), r.runs...)
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", r.name, round(percentile(d, 50)), round(percentile(d, 95)),
			round(percentile(d, 99)), round(d[0]), len(d))
	}
	tw.Flush()
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

// round keeps three or so significant figures.
func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d
}

// benchServer is one in-process server of the bench.
type benchServer struct {
	base, instance string
	stop           func()
}

// startServer runs the server in-process on a loopback port, configured from
// the environment like "playground serve", with the bench's node mode, an
// instance of its own (name), and extra flags.
func (b *bench) startServer(ctx context.Context, name string, flags ...string) (*benchServer, error) {
	inst := "bench-" + name
	// On the single engine unless flags say otherwise (the environment
	// may name the cluster, for the cluster figures).
	args := append([]string{"-addr", "127.0.0.1:0", "-log-level", "warn", "-metrics-addr", "off",
		"-node-isolation", b.opts.Mode, "-instance", inst, "-cluster", "",
		// Every start comes from loopback, and the per-address start rate
		// is counted in the database, across the bench's servers.
		"-max-sessions-per-address", "0"}, flags...)
	addrc := make(chan string, 1)
	m := &app.Main{
		Log:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnListen: func(a net.Addr) { addrc <- a.String() },
	}
	if err := m.ParseFlags(args, os.Getenv); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx) }()
	select {
	case addr := <-addrc:
		s := &benchServer{base: "http://" + addr, instance: inst}
		s.stop = func() {
			cancel()
			<-errc
			b.removeAll(inst)
		}
		return s, nil
	case err := <-errc:
		cancel()
		return nil, err
	}
}

// removeAll ends every live session of an instance (pool sessions stay
// across a server's restarts, by design; the bench leaves none).
func (b *bench) removeAll(inst string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if strings.HasPrefix(inst, "bench-cluster") && inst != "bench-cluster-floor" {
		b.removeOnCluster(ctx, inst)
		return
	}
	eng := engine.New(b.docker, engine.Config{Instance: inst}, nil)
	defer eng.Close(ctx)
	live, err := b.store.LiveSessions(ctx, inst)
	if err != nil {
		fmt.Fprintf(b.out, "bench: clean up %s: %v\n", inst, err)
		return
	}
	for _, s := range live {
		if err := eng.RemoveSession(ctx, s.ID); err != nil {
			fmt.Fprintf(b.out, "bench: remove session %s: %v\n", s.ID, err)
		}
		b.store.EndSession(ctx, s.ID, "bench done")
	}
	// The registry and its cache outlive a server by design; the bench's
	// instances leave nothing.
	if err := eng.RemoveRegistry(ctx); err != nil {
		fmt.Fprintf(b.out, "bench: remove the registry of %s: %v\n", inst, err)
	}
}

// mib formats bytes in MiB.
func mib(n uint64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }
