// Command playground is the lab playground: the web server, the node agent
// that runs inside every node container, and a few maintenance commands.
//
//	playground serve            serve the playground (the default)
//	playground node             run as the node agent (the node image's entrypoint)
//	playground node attach      relay a terminal between stdio and the agent
//	playground node wait        wait until the node's Docker engine answers
//	playground lab lint DIR     validate a lab
//	playground lab import-pwd POST.md [--slug S] [--out DIR] [--force]
//	                            convert a Play with Docker post to a lab
//	playground lab test LAB [--server URL] [--lang L] [--keep]
//	                            run a lab as a learner would, on a running playground
//	playground lab preview [-addr ADDR] DIR
//	                            serve one lab folder, its open pages following each save
//	playground bench            measure session start, memory and echo latency
//	playground instructor add --email ADDR   create an instructor account
//	playground hosts [--json]   the cluster's hosts, their sessions and memory
//
// Each command lives in a file of its own in this folder; they parse their
// flags and hand over to the package that does the work.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// commands maps each subcommand to its entry point.
var commands = map[string]func(ctx context.Context, args []string) error{
	"serve":      runServe,
	"node":       runNode,
	"lab":        runLab,
	"bench":      runBench,
	"instructor": runInstructor,
	"hosts":      runHosts,
}

func main() {
	args := os.Args[1:]
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	run, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "playground: unknown command %q (serve, node, lab, bench, instructor, hosts)\n", name)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args); err != nil {
		fmt.Fprintf(os.Stderr, "playground %s: %v\n", name, err)
		os.Exit(1)
	}
}
