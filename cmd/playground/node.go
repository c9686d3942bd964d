package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/labplay/playground/sessions/agent"
)

// runNode runs the node agent, or one of its helpers: "attach" relays a
// terminal between stdio and the agent, "wait" waits for the node's engine.
func runNode(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "attach":
			return runNodeAttach(ctx, args[1:])
		case "wait":
			return runNodeWait(ctx, args[1:])
		}
	}
	cfg := agent.DefaultConfig()
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	mirror := fs.String("registry-mirror", "", "registry mirror for the node's Docker engine")
	fs.IntVar(&cfg.Terminal.Scrollback, "scrollback", cfg.Terminal.Scrollback, "scrollback bytes kept per terminal")
	fs.StringVar(&cfg.Socket, "socket", cfg.Socket, "unix socket for terminal connections")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unknown argument %q (attach, wait)", fs.Arg(0))
	}
	if *mirror != "" {
		cfg.Dockerd.Args = append(cfg.Dockerd.Args, "--registry-mirror", *mirror)
	}
	return agent.Run(ctx, cfg)
}

// runNodeAttach relays a terminal connection over stdin and stdout.
func runNodeAttach(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("node attach", flag.ContinueOnError)
	socket := fs.String("socket", agent.DefaultSocket, "the agent's unix socket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return agent.Relay(ctx, os.Stdin, os.Stdout, *socket)
}

// runNodeWait waits until the node's Docker engine answers.
func runNodeWait(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("node wait", flag.ContinueOnError)
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait")
	socket := fs.String("socket", agent.DefaultDockerSocket, "the engine's unix socket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	return agent.WaitReady(ctx, *socket)
}
