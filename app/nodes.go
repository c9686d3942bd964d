package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/docker/docker/client"

	"github.com/labplay/playground/metrics"
	"github.com/labplay/playground/sessions/cluster"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
)

// nodes is where the sessions' nodes run: the one engine of DOCKER_HOST, or
// a swarm of hosts (Config.Cluster).
type nodes struct {
	manager.Engine
	// registry seeds the nodes' registry with the labs' images; a cluster
	// has none (its hosts hold the images).
	registry registry
	// cluster is the swarm, in cluster mode.
	cluster *cluster.Cluster
	// close removes the helpers; release closes the clients.
	close   func(context.Context) error
	release func()
}

// noRegistry is the registry of a cluster: there is none to seed.
type noRegistry struct{}

func (noRegistry) EnsureRegistry(context.Context, []string) error { return nil }

// readyNodes connects to the engine or the swarm and checks, at start, all
// the nodes need of it (readyEngine, readyCluster).
func readyNodes(ctx context.Context, cfg *Config, log *slog.Logger) (*nodes, error) {
	if cfg.Cluster.Manager != "" {
		return readyCluster(ctx, cfg, log)
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	eng, err := readyEngine(ctx, cli, cfg, log)
	if err != nil {
		cli.Close()
		return nil, err
	}
	return &nodes{Engine: eng, registry: eng, close: eng.Close, release: func() { cli.Close() }}, nil
}

// readyCluster connects to the swarm and checks every host (cluster.Check).
// With max-sessions auto, it sets cfg's from the usable hosts' memory.
func readyCluster(ctx context.Context, cfg *Config, log *slog.Logger) (*nodes, error) {
	cl, err := cluster.New(cluster.Config{
		Manager: cfg.Cluster.Manager, TLSDir: cfg.Cluster.TLSDir,
		Engine: cfg.Engine, Reservation: cfg.Cluster.Reservation,
	}, log)
	if err != nil {
		return nil, err
	}
	if err := cl.Check(ctx); err != nil {
		cl.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("the cluster at %s: %w", cfg.Cluster.Manager, err)
	}
	if cfg.Sessions.MaxSessions == 0 {
		if cfg.Sessions.MaxSessions, err = cl.Capacity(ctx); err != nil {
			cl.Close(context.WithoutCancel(ctx))
			return nil, err
		}
		log.Info("live sessions the cluster accepts, from its hosts' memory", "max_sessions", cfg.Sessions.MaxSessions)
	}
	cfg.Engine = cl.Config()
	log.Info("cluster ready: sessions run on the swarm's hosts", "manager", cfg.Cluster.Manager)
	return &nodes{Engine: cl, registry: noRegistry{}, cluster: cl, close: cl.Close, release: func() {}}, nil
}

// hostsGauge reads the cluster's hosts for the metrics.
func hostsGauge(cl *cluster.Cluster) metrics.HostsFunc {
	return func() ([]metrics.Host, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		list, err := cl.Hosts(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]metrics.Host, len(list))
		for i, h := range list {
			out[i] = metrics.Host{Name: h.Name, ID: h.ID, State: h.State, Availability: h.Availability,
				Sessions: h.Sessions, Nodes: h.Nodes, MemoryBytes: h.MemoryBytes, Reserved: h.MemoryReserved}
		}
		return out, nil
	}
}

// sameMode refuses to serve an instance whose live sessions were made in
// the other mode (on one engine, or on a cluster): this one could neither
// reach nor remove their nodes, and would end them as vanished while they
// ran on. The operator ends them in the mode that made them, or serves
// this mode under another PLAYGROUND_INSTANCE.
func sameMode(ctx context.Context, st *store.Store, cfg Config) error {
	live, err := st.LiveSessions(ctx, cfg.Engine.Instance)
	if err != nil {
		return err
	}
	cluster := cfg.Cluster.Manager != ""
	other := 0
	for _, s := range live {
		for _, n := range s.Nodes {
			if n.ContainerID != "" && strings.Contains(n.ContainerID, "/") != cluster {
				other++
				break
			}
		}
	}
	if other == 0 {
		return nil
	}
	made, here := "on a cluster", "on one engine"
	if cluster {
		made, here = here, made
	}
	return fmt.Errorf("instance %q has %d live sessions made %s, which a server %s cannot reach: "+
		"serve it %s until they end, or set another PLAYGROUND_INSTANCE", cfg.Engine.Instance, other, made, here, made)
}
