package bench

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/cluster"
	"github.com/labplay/playground/sessions/engine"
)

// clusterFigures measures sessions on a swarm of hosts (Options.Cluster)
// beside the single engine of the same machine, in the same run: cold
// starts on each, and a class joining cold on the cluster, with where its
// sessions landed.
func (b *bench) clusterFigures(ctx context.Context) ([]figure, error) {
	flags := []string{"-cluster", b.opts.Cluster, "-cluster-tls", b.opts.ClusterTLS}
	single, err := b.startServer(ctx, "cluster-floor", "-pool-size", "0")
	if err != nil {
		return nil, fmt.Errorf("start a server on the single engine: %w", err)
	}
	singleRuns, err := timeStarts(ctx, pgclient.New(single.base), b.opts.Starts, nil)
	single.stop()
	if err != nil {
		return nil, fmt.Errorf("cold starts on the single engine: %w", err)
	}
	srv, err := b.startServer(ctx, "cluster", append(flags, "-pool-size", "0", "-max-sessions-per-address", "0")...)
	if err != nil {
		return nil, fmt.Errorf("start a server on the cluster: %w", err)
	}
	defer srv.stop()
	runs, err := timeStarts(ctx, pgclient.New(srv.base), b.opts.Starts, nil)
	if err != nil {
		return nil, fmt.Errorf("cold starts on the cluster: %w", err)
	}
	rows := []figure{
		{name: "cold start on the cluster (a service per node, placed by the swarm)", runs: runs},
		{name: "cold start on the single engine of the same machine", runs: singleRuns},
	}
	if b.opts.Class <= 0 {
		return rows, nil
	}
	teacher, err := b.instructor(ctx, srv.base)
	if err != nil {
		return nil, err
	}
	cl, err := teacher.CreateClassroom(ctx, "Storm on the cluster", "docker-orchestration", 0)
	if err != nil {
		return nil, fmt.Errorf("create a classroom: %w", err)
	}
	each, all, err := b.storm(ctx, srv.base, cl.Code, b.opts.Class)
	if err != nil {
		return nil, fmt.Errorf("storm on the cluster: %w", err)
	}
	spread, err := b.spread(ctx, srv.instance)
	if err != nil {
		return nil, err
	}
	if _, err := teacher.Do(ctx, "POST", "/api/classrooms/"+cl.ID+"/close", nil, nil); err != nil {
		return nil, err
	}
	return append(rows,
		figure{name: fmt.Sprintf("class of %d joining cold on the cluster, per learner", b.opts.Class), runs: each},
		figure{name: "until the last learner's shell answers, on the cluster", value: all.Round(10 * time.Millisecond).String()},
		figure{name: "where the class's sessions landed", value: spread},
	), nil
}

// spread says how many of an instance's sessions each host runs.
func (b *bench) spread(ctx context.Context, instance string) (string, error) {
	cl, err := cluster.New(cluster.Config{Manager: b.opts.Cluster, TLSDir: b.opts.ClusterTLS, Engine: engine.Config{Instance: instance}}, nil)
	if err != nil {
		return "", err
	}
	defer cl.Close(context.WithoutCancel(ctx))
	hosts, err := cl.Hosts(ctx)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, h := range hosts {
		parts = append(parts, h.Name+" "+strconv.Itoa(h.Sessions))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", "), nil
}

// removeOnCluster ends the live sessions of a bench instance that ran on
// the cluster.
func (b *bench) removeOnCluster(ctx context.Context, inst string) {
	cl, err := cluster.New(cluster.Config{Manager: b.opts.Cluster, TLSDir: b.opts.ClusterTLS, Engine: engine.Config{Instance: inst}}, nil)
	if err != nil {
		fmt.Fprintf(b.out, "bench: clean up %s: %v\n", inst, err)
		return
	}
	defer cl.Close(ctx)
	live, err := b.store.LiveSessions(ctx, inst)
	if err != nil {
		fmt.Fprintf(b.out, "bench: clean up %s: %v\n", inst, err)
		return
	}
	for _, s := range live {
		if err := cl.RemoveSession(ctx, s.ID); err != nil {
			fmt.Fprintf(b.out, "bench: remove session %s: %v\n", s.ID, err)
		}
		b.store.EndSession(ctx, s.ID, "bench done")
	}
}
