package e2e

// The cluster tests' harness: the playground served on make cluster's three
// hosts (deploy/cluster.sh up, which make test runs first), each a Docker
// engine in a network namespace of the project's own, joined in one swarm.
// .data/cluster/hosts.json says where each host's engine answers.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions/engine"
)

// clusterHost is one host of hosts.json.
type clusterHost struct {
	Name       string `json:"name"`
	DockerHost string `json:"docker_host"`
	EnginePID  int    `json:"engine_pid"`
	EngineURL  string `json:"engine_url"`
	Role       string `json:"role"`
}

// clusterEnv is make cluster's swarm as a test sees it.
type clusterEnv struct {
	t       testing.TB
	dir     string // .data/cluster
	hosts   []clusterHost
	manager client.APIClient // host1's engine, a swarm manager
	clients map[string]client.APIClient
}

// needCluster reads hosts.json ($PLAYGROUND_CLUSTER_DIR, which make test
// sets after deploy/cluster.sh up) and connects to every host, skipping
// the test when the variable is unset and failing it when the cluster is
// not whole.
func needCluster(t testing.TB) *clusterEnv {
	t.Helper()
	dir := os.Getenv("PLAYGROUND_CLUSTER_DIR")
	if dir == "" {
		t.Skip("PLAYGROUND_CLUSTER_DIR is not set: these tests need make cluster's hosts (make test starts them)")
	}
	b, err := os.ReadFile(filepath.Join(dir, "hosts.json"))
	if err != nil {
		t.Fatalf("the cluster's hosts: %v (deploy/cluster.sh up writes them)", err)
	}
	c := &clusterEnv{t: t, dir: dir, clients: map[string]client.APIClient{}}
	if err := json.Unmarshal(b, &c.hosts); err != nil || len(c.hosts) < 3 {
		t.Fatalf("hosts.json: %v, %d hosts (want 3)", err, len(c.hosts))
	}
	for _, h := range c.hosts {
		cli, err := client.NewClientWithOpts(client.WithHost(h.DockerHost), client.WithAPIVersionNegotiation())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		c.clients[h.Name] = cli
		if h.Role == "manager" && c.manager == nil {
			c.manager = cli
		}
	}
	if c.manager == nil {
		t.Fatal("hosts.json names no manager")
	}
	c.waitReady(2 * time.Minute)
	return c
}

// env is the environment that serves the playground on the cluster.
func (c *clusterEnv) env() []string {
	mgr := ""
	for _, h := range c.hosts {
		if h.Role == "manager" {
			mgr = h.DockerHost
			break
		}
	}
	return []string{"PLAYGROUND_CLUSTER=" + mgr, "PLAYGROUND_CLUSTER_TLS=" + filepath.Join(c.dir, "tls", "client")}
}

// newClusterHarness serves the playground on the cluster, with env added.
// When the test ends, nothing of its instance may be left on the swarm or
// on any host.
func newClusterHarness(t *testing.T, env ...string) (*harness, *clusterEnv) {
	t.Helper()
	c := needCluster(t)
	return c.serve(t, env...), c
}

// serve serves the playground on the cluster, with env added; once its
// servers stopped, at the end of the test, nothing of its instance may be
// left on the swarm or on any host.
func (c *clusterEnv) serve(t *testing.T, env ...string) *harness {
	t.Helper()
	h := newHarness(t, append(c.env(), env...)...)
	t.Cleanup(func() {
		h.stopAll() // again, harmless: cleanups run last first, and this one came after the harness's
		c.checkLeftovers(h.instance)
	})
	return h
}

// clusterSession starts a session for a new learner on the server at
// base; it is ended when the test ends.
func clusterSession(t *testing.T, base string) (*pgclient.Client, *pgclient.Session) {
	t.Helper()
	learner := pgclient.New(base)
	s, err := learner.CreateSession(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { learner.DeleteSession(context.Background(), s.ID) })
	return learner, s
}

// waitReady waits until every host is ready and active in the swarm.
func (c *clusterEnv) waitReady(limit time.Duration) {
	c.t.Helper()
	waitfor.Until(c.t, "every host ready and active in the swarm", limit, func() error {
		nodes, err := c.manager.NodeList(context.Background(), swarm.NodeListOptions{})
		if err != nil {
			return err
		}
		var states []string
		ok := len(nodes) >= len(c.hosts)
		for _, n := range nodes {
			states = append(states, n.Description.Hostname+"="+string(n.Status.State)+"/"+string(n.Spec.Availability))
			ok = ok && n.Status.State == swarm.NodeStateReady && n.Spec.Availability == swarm.NodeAvailabilityActive
		}
		if !ok {
			return fmt.Errorf("hosts: %s", strings.Join(states, " "))
		}
		return nil
	})
}

// hostOf returns the name of the host where a session's nodes run.
func (c *clusterEnv) hostOf(sessionID string) string {
	c.t.Helper()
	ctx := context.Background()
	tasks, err := c.manager.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("desired-state", "running"))})
	if err != nil {
		c.t.Fatal(err)
	}
	for _, tk := range tasks {
		if tk.Spec.ContainerSpec != nil && tk.Spec.ContainerSpec.Labels[engine.LabelSession] == sessionID && tk.NodeID != "" {
			n, _, err := c.manager.NodeInspectWithRaw(ctx, tk.NodeID)
			if err != nil {
				c.t.Fatal(err)
			}
			return n.Description.Hostname
		}
	}
	c.t.Fatalf("session %s has no running task in the swarm", sessionID)
	return ""
}

// host returns a host of hosts.json by name.
func (c *clusterEnv) host(name string) clusterHost {
	for _, h := range c.hosts {
		if h.Name == name {
			return h
		}
	}
	c.t.Fatalf("no host %s in hosts.json", name)
	return clusterHost{}
}

// setAvailability sets a host's availability in the swarm (the seed lab's
// own "docker node update --availability"), and back to active when the
// test ends.
func (c *clusterEnv) setAvailability(name string, a swarm.NodeAvailability) {
	c.t.Helper()
	ctx := context.Background()
	set := func(a swarm.NodeAvailability) error {
		n, _, err := c.manager.NodeInspectWithRaw(ctx, name)
		if err != nil {
			return err
		}
		n.Spec.Availability = a
		return c.manager.NodeUpdate(ctx, n.ID, n.Version, n.Spec)
	}
	if err := set(a); err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() {
		if err := set(swarm.NodeAvailabilityActive); err != nil {
			c.t.Errorf("set %s active again: %v", name, err)
		}
	})
}

// restartHost starts a host's engine again after it was killed, and waits
// until the swarm has it ready.
func (c *clusterEnv) restartHost(name string) {
	c.t.Helper()
	n := name[strings.LastIndex(name, "-host")+len("-host"):] // pg-host2, pgd-host2
	cmd := exec.Command("bash", filepath.Join("..", "deploy", "cluster.sh"), "restart-host", n)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("deploy/cluster.sh restart-host %s: %v\n%s", n, err, out)
	}
	waitfor.Until(c.t, name+" ready in the swarm again", 2*time.Minute, func() error {
		nd, _, err := c.manager.NodeInspectWithRaw(context.Background(), name)
		if err != nil {
			return err
		}
		if nd.Status.State != swarm.NodeStateReady {
			return fmt.Errorf("%s is %s", name, nd.Status.State)
		}
		return nil
	})
}

// onHosts names what the instance has on the swarm (services, networks)
// and on every host that answers (containers).
func (c *clusterEnv) onHosts(instance string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+instance))
	var names []string
	if svcs, err := c.manager.ServiceList(ctx, swarm.ServiceListOptions{Filters: f}); err == nil {
		for _, s := range svcs {
			names = append(names, "service "+s.Spec.Name)
		}
	}
	if nets, err := c.manager.NetworkList(ctx, network.ListOptions{Filters: f}); err == nil {
		for _, n := range nets {
			names = append(names, "network "+n.Name)
		}
	}
	for name, cli := range c.clients {
		cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
		if err != nil {
			continue
		}
		for _, ct := range cs {
			if ct.Labels[engine.LabelHelper] == "" {
				names = append(names, fmt.Sprintf("%s: container %s (%s)", name, strings.Join(ct.Names, ","), ct.State))
			}
		}
	}
	return names
}

// onHost names the instance's node containers on one host.
func (c *clusterEnv) onHost(name, instance string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+instance))
	cs, err := c.clients[name].ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return []string{err.Error()}
	}
	var names []string
	for _, ct := range cs {
		if ct.Labels[engine.LabelHelper] == "" {
			names = append(names, strings.Join(ct.Names, ",")+" ("+ct.State+")")
		}
	}
	return names
}

// checkLeftovers fails a test that otherwise passed when its instance left
// anything on the cluster, and removes it all, the hosts' helpers too.
func (c *clusterEnv) checkLeftovers(instance string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Services go first; their containers follow within a few seconds.
	var left []string
	waitfor.Poll(30*time.Second, func() error {
		if left = c.onHosts(instance); len(left) > 0 {
			return fmt.Errorf("left: %s", strings.Join(left, "; "))
		}
		return nil
	})
	if len(left) > 0 && !c.t.Failed() {
		c.t.Errorf("left on the cluster: %s", strings.Join(left, "; "))
	}
	f := filters.NewArgs(filters.Arg("label", engine.LabelInstance+"="+instance))
	if svcs, err := c.manager.ServiceList(ctx, swarm.ServiceListOptions{Filters: f}); err == nil {
		for _, s := range svcs {
			c.manager.ServiceRemove(ctx, s.ID)
		}
	}
	for _, cli := range c.clients {
		if cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f}); err == nil {
			for _, ct := range cs {
				cli.ContainerRemove(ctx, ct.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			}
		}
	}
	if nets, err := c.manager.NetworkList(ctx, network.ListOptions{Filters: f}); err == nil {
		for _, n := range nets {
			c.manager.NetworkRemove(ctx, n.ID)
		}
	}
}
