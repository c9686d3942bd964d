package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
)

// With egress "none", a session's network is internal: the engine keeps
// its traffic from leaving it (so this test sends none outside), while the
// nodes still reach each other.
func TestEgressNone(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), Egress: EgressNone})
	id, nodes := newSession(t, e, 5)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nw, err := cli.NetworkInspect(ctx, NetworkName(id), network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !nw.Internal {
		t.Fatalf("network %s is not internal", nw.Name)
	}
	waitAll(t, e, nodes)
	out, code, err := e.Exec(ctx, nodes[0].ContainerID, "ping -c1 -W5 node3 >/dev/null && echo reached", 20*time.Second)
	if err != nil || code != 0 || !strings.Contains(out, "reached") {
		t.Fatalf("node1 cannot reach node3 on an internal network: %v, exit %d: %s", err, code, out)
	}
}
