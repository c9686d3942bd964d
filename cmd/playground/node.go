package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/labplay/playground/sessions/agent"
)

// runNode runs the node agent, or one of its helpers: "attach" relays a
// terminal between stdio and the agent, "wait" waits for the node's engine,
// "ports" lists the TCP ports listening in the node and "dial" relays one.
// Two more run in the engine's host-side helper container, never in a node:
// "helper" idles until stopped, "delegate" hands nodes their cgroups,
// "limit" caps what all the nodes of a deployment use together, "disk"
// makes and removes the nodes' disks, "host-limits" checks (or, run by the
// set-up, raises) the kernel limits every node of the host shares, and
// "egress" (in a container of the host's network) installs the rules that
// keep nodes off the host and the operator's networks.
func runNode(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "attach":
			return runNodeAttach(ctx, args[1:])
		case "wait":
			return runNodeWait(ctx, args[1:])
		case "helper":
			<-ctx.Done()
			return nil
		case "delegate":
			return runNodeDelegate(args[1:])
		case "limit":
			return runNodeLimit(args[1:])
		case "disk":
			return runNodeDisk(args[1:])
		case "host-limits":
			return runNodeHostLimits(args[1:])
		case "egress":
			return runNodeEgress(args[1:])
		case "ports":
			return runNodePorts()
		case "dial":
			return runNodeDial(ctx, args[1:])
		}
	}
	cfg := agent.DefaultConfig()
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	var mirrors []string
	fs.Func("registry-mirror", "a registry mirror for the node's Docker engine (repeat for more, tried in order)", func(v string) error {
		mirrors = append(mirrors, v)
		return nil
	})
	fs.IntVar(&cfg.Terminal.Scrollback, "scrollback", cfg.Terminal.Scrollback, "scrollback bytes kept per terminal")
	fs.StringVar(&cfg.Socket, "socket", cfg.Socket, "unix socket for terminal connections")
	fs.BoolVar(&cfg.LiftProcMasks, "lift-proc-masks", false, "unmount Docker's masks on /proc and /sys first (a node made by a swarm service)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unknown argument %q (attach, wait, ports, dial, helper, delegate, limit, disk, host-limits, egress)", fs.Arg(0))
	}
	for _, m := range mirrors {
		cfg.Dockerd.Args = append(cfg.Dockerd.Args, "--registry-mirror", m)
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

// runNodeDelegate hands nodes' cgroups to their root users; each argument
// is CONTAINER_ID:HOST_PID.
func runNodeDelegate(args []string) error {
	fs := flag.NewFlagSet("node delegate", flag.ContinueOnError)
	root := fs.String("root", "/host/cgroup", "where the host's cgroup hierarchies are mounted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("usage: playground node delegate [--root DIR] CONTAINER_ID:PID")
	}
	targets := make([]agent.DelegateTarget, 0, fs.NArg())
	for _, a := range fs.Args() {
		t, err := agent.ParseDelegateTarget(a)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	return agent.Delegate(*root, targets)
}

// runNodeLimit writes the limits of the nodes' parent cgroup.
func runNodeLimit(args []string) error {
	var l agent.ParentLimits
	fs := flag.NewFlagSet("node limit", flag.ContinueOnError)
	root := fs.String("root", "/host/cgroup", "where the host's cgroup hierarchies are mounted")
	fs.StringVar(&l.Path, "path", "", "the parent cgroup of the nodes, e.g. /playground-default")
	fs.Int64Var(&l.Memory, "memory", 0, "bytes of memory all nodes may use together (0: leave it)")
	fs.IntVar(&l.PidsReserve, "pids-reserve", 0, "process ids of pid_max kept for the host (0: leave the limit)")
	remove := fs.Bool("remove", false, "remove the parent cgroup where it is empty, instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *remove {
		return agent.RemoveParent(*root, "/proc", l.Path)
	}
	return agent.LimitParent(*root, "/proc", l)
}

// runNodeDisk makes, attaches, lists and removes the nodes' disks.
func runNodeDisk(args []string) error {
	usage := fmt.Errorf("usage: playground node disk attach|remove|list [flags] [NAME...]")
	if len(args) == 0 {
		return usage
	}
	var h agent.DiskHost
	var spec agent.DiskSpec
	fs := flag.NewFlagSet("node disk "+args[0], flag.ContinueOnError)
	fs.StringVar(&h.Dir, "dir", "/host/disks", "the host's disk folder")
	fs.StringVar(&h.Dev, "dev", "/host/dev", "the host's /dev")
	fs.Int64Var(&spec.Size, "size", 10<<30, "bytes of a new disk")
	owner := fs.String("owner", "0:0", "UID:GID of the node's root on the host")
	prefix := fs.String("prefix", "", "remove every disk whose name starts with this")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "attach":
		if fs.NArg() == 0 {
			return usage
		}
		if _, err := fmt.Sscanf(*owner, "%d:%d", &spec.UID, &spec.GID); err != nil {
			return fmt.Errorf("--owner %q is not UID:GID", *owner)
		}
		for _, name := range fs.Args() {
			spec.Name = name
			dev, free, err := h.AttachDisk(spec)
			if err != nil {
				return err
			}
			fmt.Printf("%s dev=%s free=%d\n", name, dev, free)
		}
		return nil
	case "remove":
		return h.RemoveDisks(*prefix, fs.Args())
	case "list":
		disks, err := h.ListDisks()
		if err != nil {
			return err
		}
		for name, age := range disks {
			fmt.Printf("%s %d\n", name, int64(age.Seconds()))
		}
		return nil
	}
	return usage
}

// runNodePorts prints the TCP ports that listen in the node, one per line.
func runNodePorts() error {
	ports, err := agent.ListeningPorts()
	if err != nil {
		return err
	}
	for _, p := range ports {
		fmt.Println(p)
	}
	return nil
}

// runNodeDial relays stdin and stdout to a TCP port on the node's loopback.
func runNodeDial(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: playground node dial PORT")
	}
	port, err := strconv.Atoi(args[0])
	if err != nil {
		return fmt.Errorf("port %q is not a number", args[0])
	}
	return agent.DialPort(ctx, port, os.Stdin, os.Stdout)
}
