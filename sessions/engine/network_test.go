package engine

import (
	"context"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
)

// These tests need only an engine, not the node image.

func TestLeftoverNetworkIsListedAndRemoved(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := "t" + randomID(t, 8)
	t.Cleanup(func() { removeSession(t, e, id) })
	gw, _, _ := NodeAddrs(testSubnet(10), 3)
	netID, err := e.createNetwork(ctx, id, testSubnet(10), gw)
	if err != nil {
		t.Fatalf("createNetwork: %v", err)
	}
	info, err := cli.NetworkInspect(ctx, netID, network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != NetworkName(id) || info.Driver != "bridge" || len(info.IPAM.Config) != 1 ||
		info.IPAM.Config[0].Subnet != "100.64.255.160/28" || info.IPAM.Config[0].Gateway != "100.64.255.161" {
		t.Errorf("network = %s %s %+v", info.Name, info.Driver, info.IPAM.Config)
	}
	if info.Labels[LabelInstance] != e.cfg.Instance || info.Labels[LabelSession] != id {
		t.Errorf("network labels = %v", info.Labels)
	}

	all, err := e.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if nodes, ok := all[id]; !ok || len(nodes) != 0 {
		t.Errorf("List()[%s] = %v, %v; want an empty entry", id, nodes, ok)
	}
	other, err := testEngine(t, cli, Config{}).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := other[id]; ok {
		t.Errorf("another instance lists session %s", id)
	}

	if err := e.RemoveSession(ctx, id); err != nil {
		t.Fatalf("RemoveSession: %v", err)
	}
	if _, err := cli.NetworkInspect(ctx, netID, network.InspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("network after RemoveSession: %v", err)
	}
	if err := e.RemoveSession(ctx, id); err != nil {
		t.Errorf("second RemoveSession: %v", err)
	}
}

func TestCreateSessionFailureLeavesNothing(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: "pg-engine-test-missing:none"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := "t" + randomID(t, 8)
	t.Cleanup(func() { removeSession(t, e, id) })

	_, err := e.CreateSession(ctx, id, testSubnet(11), []string{"node1", "node2", "node3"})
	if fault.ErrorCode(err) != fault.EUNAVAILABLE {
		t.Fatalf("CreateSession with a missing image: got %v, want EUNAVAILABLE", err)
	}
	assertGone(t, e, id)

	// A subnet that overlaps another network is a conflict, and the
	// session that asked for it leaves nothing behind.
	holder := "t" + randomID(t, 8)
	t.Cleanup(func() { removeSession(t, e, holder) })
	gw, _, _ := NodeAddrs(testSubnet(11), 1)
	if _, err := e.createNetwork(ctx, holder, testSubnet(11), gw); err != nil {
		t.Fatal(err)
	}
	_, err = e.CreateSession(ctx, id, testSubnet(11), []string{"node1"})
	if fault.ErrorCode(err) != fault.ECONFLICT {
		t.Fatalf("CreateSession on a taken subnet: got %v, want ECONFLICT", err)
	}
	assertGone(t, e, id)

	if _, err := e.CreateSession(ctx, id, testSubnet(12), []string{"node1", "Node 2"}); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("bad node name: got %v, want EINVALID", err)
	}
	if _, err := e.CreateSession(ctx, "bad id", testSubnet(12), []string{"node1"}); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("bad session id: got %v, want EINVALID", err)
	}
}

// assertGone fails the test when anything of the session is left.
func assertGone(t *testing.T, e *Engine, id string) {
	t.Helper()
	ctx := context.Background()
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: e.filter(id)})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: e.filter(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 || len(ns) != 0 {
		t.Errorf("session %s left %d containers and %d networks", id, len(cs), len(ns))
	}
	all, err := e.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := all[id]; ok {
		t.Errorf("List still has session %s", id)
	}
}
