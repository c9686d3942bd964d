package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/labplay/playground/sessions/cluster"
	"github.com/labplay/playground/sessions/engine"
)

// runHosts is "playground hosts": each host of the cluster with its state,
// availability, sessions, nodes and memory, as a table or as JSON.
func runHosts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hosts", flag.ContinueOnError)
	manager := fs.String("cluster", os.Getenv("PLAYGROUND_CLUSTER"), "Docker address of a swarm manager (PLAYGROUND_CLUSTER)")
	tlsDir := fs.String("cluster-tls", os.Getenv("PLAYGROUND_CLUSTER_TLS"), "folder with ca.pem, cert.pem and key.pem (PLAYGROUND_CLUSTER_TLS)")
	instance := fs.String("instance", envOr("PLAYGROUND_INSTANCE", engine.DefaultInstance), "the deployment whose sessions are counted (PLAYGROUND_INSTANCE)")
	asJSON := fs.Bool("json", false, "print JSON, for scripts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *manager == "" {
		return errors.New("no cluster: set PLAYGROUND_CLUSTER or --cluster to a swarm manager's Docker address")
	}
	cl, err := cluster.New(cluster.Config{Manager: *manager, TLSDir: *tlsDir, Engine: engine.Config{Instance: *instance}}, nil)
	if err != nil {
		return err
	}
	defer cl.Close(context.WithoutCancel(ctx))
	hosts, err := cl.Hosts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(hosts)
	}
	return printHosts(os.Stdout, hosts)
}

// printHosts writes the hosts as a table, memory in MiB.
func printHosts(w io.Writer, hosts []cluster.HostReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATE\tAVAILABILITY\tSESSIONS\tNODES\tMEMORY MiB\tRESERVED MiB\tFREE MiB\tENGINE")
	for _, h := range hosts {
		role := ""
		if h.Manager {
			role = " (manager)"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", h.Name, role, h.State, h.Availability,
			h.Sessions, h.Nodes, h.MemoryBytes>>20, h.MemoryReserved>>20, h.MemoryFree>>20, h.Engine)
	}
	return tw.Flush()
}

// envOr returns the variable's value, or def when it is empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
