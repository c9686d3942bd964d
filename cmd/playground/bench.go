package main

import (
	"context"
	"flag"
	"os"
	"strings"
	"time"

	"github.com/labplay/playground/bench"
)

// runBench measures session start, idle memory and keystroke echo latency
// and prints a table.
func runBench(ctx context.Context, args []string) error {
	var opts bench.Options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&opts.URL, "url", "", "a running server to measure (default: start one in-process on loopback)")
	fs.IntVar(&opts.Starts, "starts", 5, "sessions to start, one after another")
	fs.IntVar(&opts.Keys, "keys", 100, "keystrokes to echo on each path")
	fs.DurationVar(&opts.Idle, "idle", 10*time.Second, "how long a session rests before its memory is read")
	modes := fs.String("modes", "userns,unsafe-host-root", "node isolation modes to measure side by side, comma-separated (without -url)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts.Modes = strings.Split(*modes, ",")
	return bench.Run(ctx, opts, os.Stdout)
}
