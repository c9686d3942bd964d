package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/internal/waitfor"
	"github.com/labplay/playground/sessions/engine"
)

// On a cluster a node's root is on a disk of its own, and a pause freezes
// the nodes: after the resume, the learner's files are there and so are
// the processes they left running.
func TestClusterPauseKeepsEverything(t *testing.T) {
	h, c := newClusterHarness(t)
	ctx := context.Background()
	learner, s := clusterSession(t, h.base)
	host := c.hostOf(s.ID)
	tm := attach(t, learner, s.ID, "node1")
	// The node's root is on its own disk of the harness's 2 GiB, on its
	// host, as on one engine: a full node fills only itself.
	if out, code := clusterShell(t, tm, "df -k / | awk 'NR==2 {print \"root-kib=\" $2}'", 30*time.Second); code != 0 ||
		!regexp.MustCompile(`root-kib=(19|20)[0-9]{5}\b`).MatchString(out) {
		t.Fatalf("the node's root is not on a 2 GiB disk (exit %d): %s", code, out)
	}
	if out, code := clusterShell(t, tm, "echo kept > /root/note; (sleep 4242 &); echo started", 30*time.Second); code != 0 {
		t.Fatalf("prepare (exit %d): %s", code, out)
	}
	tm.Close()
	var paused pgclient.Session
	if _, err := learner.Do(ctx, "POST", "/api/sessions/"+s.ID+"/pause", nil, &paused); err != nil || paused.Status != "paused" {
		t.Fatalf("pause: %v, status %q", err, paused.Status)
	}
	list, err := c.clients[host].ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", engine.LabelSession+"="+s.ID))})
	if err != nil || len(list) != 3 {
		t.Fatalf("the paused session's containers on %s: %v, %d", host, err, len(list))
	}
	for _, ct := range list {
		if ct.State != container.StatePaused {
			t.Errorf("%s is %s while its session is paused", ct.Names[0], ct.State)
		}
	}
	var resumed pgclient.Session
	if _, err := learner.Do(ctx, "POST", "/api/sessions/"+s.ID+"/resume", nil, &resumed); err != nil || resumed.Status != "running" {
		t.Fatalf("resume: %v, status %q", err, resumed.Status)
	}
	tm = attach(t, learner, s.ID, "node1")
	out, code := clusterShell(t, tm, "cat /root/note; pgrep -f 'sleep 4242' >/dev/null && echo still-sleeping", 30*time.Second)
	if code != 0 || !strings.Contains(out, "kept") || !strings.Contains(out, "still-sleeping") {
		t.Fatalf("after the resume (exit %d): %s", code, out)
	}
}

// A node that dies on a cluster cannot start again (its container has left
// the session's network): the session ends, saying so, with the other
// nodes, and nothing is left on the host.
func TestClusterNodeDied(t *testing.T) {
	h, c := newClusterHarness(t)
	ctx := context.Background()
	learner, s := clusterSession(t, h.base)
	host := c.hostOf(s.ID)
	list, err := c.clients[host].ContainerList(ctx, container.ListOptions{Filters: filters.NewArgs(
		filters.Arg("label", engine.LabelSession+"="+s.ID), filters.Arg("label", engine.LabelNode+"=node2"))})
	if err != nil || len(list) != 1 {
		t.Fatalf("node2 on %s: %v, %d containers", host, err, len(list))
	}
	if err := c.clients[host].ContainerKill(ctx, list[0].ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	// The periodic work finds it stopped and cannot start it again.
	waitfor.Until(t, "the session ended as a node lost", 2*time.Minute, func() error {
		got, err := learner.Session(ctx, s.ID)
		if err != nil {
			return err
		}
		if got.Status != "ended" {
			return fmt.Errorf("status %s", got.Status)
		}
		if got.EndedBecause != "node_lost" {
			t.Fatalf("ended because %q, want node_lost", got.EndedBecause)
		}
		return nil
	})
	waitfor.Until(t, "the session's containers gone from "+host, time.Minute, func() error {
		if left := c.onHost(host, h.instance); len(left) > 0 {
			return fmt.Errorf("still there: %s", strings.Join(left, "; "))
		}
		return nil
	})
}
