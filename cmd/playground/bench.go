package main

import (
	"context"
	"flag"
	"os"
	"time"

	"github.com/labplay/playground/bench"
)

// runBench measures session starts (cold, from the pool, and their
// floor), pause and resume, a class storm, and the terminal, and prints
// tables.
func runBench(ctx context.Context, args []string) error {
	var opts bench.Options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&opts.Mode, "mode", "userns", "node isolation of the servers measured: userns or unsafe-host-root")
	fs.IntVar(&opts.Starts, "starts", 5, "sessions to start on each path, one after another")
	fs.IntVar(&opts.Keys, "keys", 100, "keystrokes to echo on each path")
	fs.DurationVar(&opts.Idle, "idle", 10*time.Second, "how long a session rests before its memory is read")
	fs.IntVar(&opts.Class, "class", 30, "learners in the class storm; 0 skips it")
	fs.IntVar(&opts.StreamMiB, "stream-mib", 64, "MiB of output for the terminal throughput")
	fs.StringVar(&opts.Only, "only", "", "measure one group of figures only: starts, pause, class, cluster or terminal")
	fs.StringVar(&opts.Cluster, "cluster", os.Getenv("PLAYGROUND_CLUSTER"), "a swarm manager's Docker address, for the cluster figures (make cluster's)")
	fs.StringVar(&opts.ClusterTLS, "cluster-tls", os.Getenv("PLAYGROUND_CLUSTER_TLS"), "the cluster hosts' TLS folder")
	fs.IntVar(&opts.Fill, "fill", 0, "instead, fill one server with up to this many idle sessions and print what the host has left, every ten (make capacity)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if opts.Fill > 0 {
		return bench.Capacity(ctx, opts, os.Stdout)
	}
	return bench.Run(ctx, opts, os.Stdout)
}
