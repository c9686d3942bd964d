package server

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions"
)

func TestExpiredSessionsAreReaped(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing has expired yet.
	if n, err := e.manager.Reap(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("reap now = %d, %v; want 0", n, err)
	}
	if cs, _ := e.leftovers(s.ID); cs != 3 {
		t.Fatalf("%d containers before expiry, want 3", cs)
	}
	// An hour and a bit later, it has.
	if n, err := e.manager.Reap(ctx, time.Now().Add(61*time.Minute)); err != nil || n != 1 {
		t.Fatalf("reap after expiry = %d, %v; want 1", n, err)
	}
	if cs, ns := e.leftovers(s.ID); cs != 0 || ns != 0 {
		t.Fatalf("after expiry: %d containers, %d networks left", cs, ns)
	}
	got, err := c.Session(ctx, s.ID)
	if err != nil || got.Status != "ended" {
		t.Fatalf("expired session = %+v, %v", got, err)
	}
}

func TestReconcileAfterRestart(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)

	// A live session whose containers vanished while the server was down.
	vanished, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// A live session that survived intact.
	kept, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"node1", "node2", "node3"} {
		if err := e.docker.ContainerRemove(ctx, containerOf(t, e, vanished.ID, n), forceRemove); err != nil {
			t.Fatal(err)
		}
	}
	// Labelled leftovers without a live session: nodes of a session the
	// database never heard of, on a subnet outside every test pool (the
	// harness picks its sessions' subnets at random from testPool).
	orphan := sessions.NewID()
	if _, err := e.engine.CreateSession(ctx, orphan, netip.MustParsePrefix("100.64.253.0/28"), []string{"node1"}); err != nil {
		t.Fatal(err)
	}

	if err := e.manager.Reconcile(ctx, true); err != nil {
		t.Fatal(err)
	}
	if cs, ns := e.leftovers(orphan); cs != 0 || ns != 0 {
		t.Fatalf("orphan left %d containers and %d networks", cs, ns)
	}
	if got, err := c.Session(ctx, vanished.ID); err != nil || got.Status != "ended" {
		t.Fatalf("session whose containers vanished = %+v, %v; want ended", got, err)
	}
	got, err := c.Session(ctx, kept.ID)
	if err != nil || got.Status != "running" {
		t.Fatalf("intact session = %+v, %v; want running", got, err)
	}
	if cs, _ := e.leftovers(kept.ID); cs != 3 {
		t.Fatalf("intact session has %d containers after reconcile, want 3", cs)
	}
	// Its shell still answers.
	term, err := c.Terminal(ctx, kept.ID, "node3")
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	term.Send("hostname\r")
	if err := term.WaitOutput("node3\r\n", 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestDatabaseOutage(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	if _, err := c.Do(ctx, "GET", "/api/sessions", nil, nil); err != nil {
		t.Fatal(err)
	}
	// Every connection of the pool is cut from the server side: the pool
	// reconnects and the next requests succeed.
	var dbName string
	if err := e.store.Pool().QueryRow(ctx, "SELECT current_database()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", dbName); err != nil {
		t.Fatal(err)
	}
	ok := false
	for i := 0; i < 5 && !ok; i++ {
		_, err := c.Do(ctx, "GET", "/api/sessions", nil, nil)
		ok = err == nil
	}
	if !ok {
		t.Fatal("the API did not recover after its database connections were cut")
	}
	// With the database gone for good, answers are 503 with a clear code.
	e.store.Close()
	_, err := c.Do(ctx, "GET", "/api/sessions", nil, nil)
	if status, code := apiStatus(err); status != 503 || code != "unavailable" {
		t.Fatalf("with the database gone: %v, want 503 unavailable", err)
	}
	resp, _ := c.Do(ctx, "GET", "/readyz", nil, nil)
	if resp == nil || resp.StatusCode != 503 {
		t.Fatalf("readyz with the database gone: %v", resp)
	}
}

var forceRemove = container.RemoveOptions{Force: true, RemoveVolumes: true}

func TestReconcileFinishesImageCopies(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "docker-orchestration", "en")
	if err != nil {
		t.Fatal(err)
	}
	// A Run click waits for the copy, so once it resolves the image is in.
	if _, err := c.Do(ctx, "POST", "/api/sessions/"+s.ID+"/blocks/orchestration-1/resolve", nil, nil); err != nil {
		t.Fatal(err)
	}
	node2 := containerOf(t, e, s.ID, "node2")
	has := func() error {
		out, code, err := e.engine.Exec(ctx, node2, "docker image inspect mtbsoft/myipaddress:latest >/dev/null", 20*time.Second)
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("node2 lacks mtbsoft/myipaddress:latest: %s", strings.TrimSpace(out))
		}
		return nil
	}
	if err := has(); err != nil {
		t.Fatalf("after the copy: %v", err)
	}
	// As if a restart had cut the copy short on node2.
	if out, code, err := e.engine.Exec(ctx, node2, "docker rmi mtbsoft/myipaddress:latest", 20*time.Second); err != nil || code != 0 {
		t.Fatalf("rmi: %v %d %s", err, code, out)
	}
	if err := e.manager.Reconcile(ctx, true); err != nil {
		t.Fatal(err)
	}
	waitfor.Until(t, "reconcile to copy the missing image into node2", 90*time.Second, has)
}

// A session deleted while it is still starting does not come to life: the
// start reports it, and nothing of it stays on the engine.
func TestDeleteWhileStarting(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	// One request first, so both of the learner's requests below carry the
	// same cookie.
	if _, err := c.Do(ctx, "GET", "/api/sessions", nil, nil); err != nil {
		t.Fatal(err)
	}
	created := make(chan error, 1)
	go func() {
		_, err := c.CreateSession(ctx, "", "")
		created <- err
	}()
	// Wait until the session is recorded (its nodes are being made), then
	// delete it as the learner would from another tab.
	var id string
	waitfor.Until(t, "the session to show as starting", 30*time.Second, func() error {
		var list struct{ Sessions []client.Session }
		if _, err := c.Do(ctx, "GET", "/api/sessions", nil, &list); err != nil {
			t.Fatal(err)
		}
		for _, s := range list.Sessions {
			if s.Status == "starting" {
				id = s.ID
				return nil
			}
		}
		return fmt.Errorf("the learner's sessions: %+v", list.Sessions)
	})
	if _, err := c.Do(ctx, "DELETE", "/api/sessions/"+id, nil, nil); err != nil {
		t.Fatalf("delete while starting: %v", err)
	}
	err := <-created
	if err == nil {
		t.Fatal("the start reported success for a session deleted meanwhile")
	}
	t.Logf("start answered: %v", err)
	if got, err := c.Session(ctx, id); err != nil || got.Status != "ended" {
		t.Fatalf("deleted session = %+v, %v; want ended", got, err)
	}
	// Whatever the start made after the delete is gone by the next tick at
	// the latest.
	if err := e.manager.Reconcile(ctx, false); err != nil {
		t.Fatal(err)
	}
	if cs, ns := e.leftovers(id); cs != 0 || ns != 0 {
		t.Fatalf("after delete while starting: %d containers, %d networks left", cs, ns)
	}
}

// Nodes that stopped under a live session (as when the outer engine or
// its host restarts) are started again by the next reconcile, with what the
// learner wrote.
func TestReconcileRevivesStoppedNodes(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	node1, node3 := containerOf(t, e, s.ID, "node1"), containerOf(t, e, s.ID, "node3")
	if out, code, err := e.engine.Exec(ctx, node1, "echo kept > /root/work", 20*time.Second); err != nil || code != 0 {
		t.Fatalf("write: %v %d %s", err, code, out)
	}
	for _, id := range []string{node1, node3} {
		if err := e.docker.ContainerStop(ctx, id, container.StopOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.manager.Reconcile(ctx, false); err != nil {
		t.Fatal(err)
	}
	waitfor.Until(t, "the stopped nodes to run again after reconcile", 90*time.Second, func() error {
		got, err := c.Session(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		up := 0
		for _, n := range got.Nodes {
			if n.Status == "running" {
				up++
			}
		}
		if up != 3 {
			return fmt.Errorf("%d nodes running, want 3: %+v", up, got.Nodes)
		}
		return nil
	})
	if err := e.engine.WaitReady(ctx, node1); err != nil {
		t.Fatal(err)
	}
	if out, _, err := e.engine.Exec(ctx, node1, "cat /root/work", 20*time.Second); err != nil || strings.TrimSpace(out) != "kept" {
		t.Fatalf("after revival /root/work = %q, %v", out, err)
	}
}
