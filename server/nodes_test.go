package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions/manager"
)

// A lab's session gets exactly the nodes the lab declares.
func TestNodesPerLab(t *testing.T) {
	counts := map[string]int{"one": 1, "five": 5}
	e := newEnv(t, envConfig{Docker: true, Manager: manager.Config{LabNodes: func(lab string) int { return counts[lab] }, MaxSessions: 4}})
	ctx := context.Background()
	for lab, n := range counts {
		s, err := e.manager.Create(ctx, manager.NewSession{UserID: "learner-" + lab, Lab: lab, Lang: "en"})
		if err != nil {
			t.Fatalf("start a session of %s: %v", lab, err)
		}
		if len(s.Nodes) != n {
			t.Fatalf("a session of %s has %d nodes, want %d", lab, len(s.Nodes), n)
		}
		for i, node := range s.Nodes {
			if node.Status != "running" || node.Name != "node"+string(rune('1'+i)) {
				t.Errorf("%s: node %d = %+v", lab, i, node)
			}
			if out, _, err := e.engine.Exec(ctx, node.ContainerID, "hostname", 20*time.Second); err != nil || strings.TrimSpace(out) != node.Name {
				t.Errorf("%s: %s says it is %q (%v)", lab, node.Name, out, err)
			}
		}
	}
	// The built-in lab declares three.
	if n := labs.Builtin().NodesOf("docker-orchestration"); n != 3 {
		t.Errorf("the Swarm lab declares %d nodes", n)
	}
}

// A free playground adds nodes up to five and removes them down to one;
// the reconciler leaves it whole; a lab's session and strangers may not.
func TestAddAndRemoveNodes(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/sessions/" + s.ID + "/nodes"
	add := func() (*client.Session, error) {
		var got client.Session
		_, err := c.Do(ctx, "POST", base, nil, &got)
		return &got, err
	}
	names := func(s *client.Session) string {
		var n []string
		for _, node := range s.Nodes {
			n = append(n, node.Name+"="+node.Status)
		}
		return strings.Join(n, " ")
	}
	for _, want := range []string{"node4", "node5"} {
		got, err := add()
		if err != nil {
			t.Fatalf("add %s: %v", want, err)
		}
		if !strings.Contains(names(got), want+"=running") {
			t.Fatalf("after adding %s: %s", want, names(got))
		}
	}
	if _, err := add(); err == nil || err.(*client.APIError).Status != http.StatusConflict {
		t.Fatalf("a sixth node: %v, want 409", err)
	}
	var got client.Session
	if _, err := c.Do(ctx, "DELETE", base+"/node2", nil, &got); err != nil || strings.Contains(names(&got), "node2") || len(got.Nodes) != 4 {
		t.Fatalf("remove node2: %s, %v", names(&got), err)
	}
	if cs, _ := e.leftoversNamed(s.ID, "node2"); cs != 0 {
		t.Errorf("node2's container is left after its removal")
	}
	again, err := add()
	if err != nil || !strings.Contains(names(again), "node2=running") {
		t.Fatalf("add after a removal: %s, %v; want node2 back", names(again), err)
	}
	for _, n := range again.Nodes {
		if n.Name == "node2" && n.Address != s.Nodes[1].Address {
			t.Errorf("node2 came back at %s, not its address %s", n.Address, s.Nodes[1].Address)
		}
	}
	if err := e.manager.Reconcile(ctx, false); err != nil {
		t.Fatal(err)
	}
	if after, err := c.Session(ctx, s.ID); err != nil || after.Status != "running" || len(after.Nodes) != 5 {
		t.Fatalf("after reconcile: %+v, %v", after, err)
	}
	for _, n := range []string{"node1", "node2", "node3", "node4"} {
		if _, err := c.Do(ctx, "DELETE", base+"/"+n, nil, nil); err != nil {
			t.Fatalf("remove %s: %v", n, err)
		}
	}
	if _, err := c.Do(ctx, "DELETE", base+"/node5", nil, nil); err == nil || err.(*client.APIError).Status != http.StatusConflict {
		t.Fatalf("removing the last node: %v, want 409", err)
	}
	// A stranger, and a lab's session.
	if _, err := client.New(e.ts.URL).Do(ctx, "POST", base, nil, nil); err == nil || err.(*client.APIError).Status != http.StatusNotFound {
		t.Errorf("a stranger adds a node: %v, want 404", err)
	}
	lab, err := c.CreateSession(ctx, "docker-orchestration", "en")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(ctx, "POST", "/api/sessions/"+lab.ID+"/nodes", nil, nil); err == nil || err.(*client.APIError).Status != http.StatusConflict {
		t.Errorf("adding a node to a lab's session: %v, want 409", err)
	}
}
