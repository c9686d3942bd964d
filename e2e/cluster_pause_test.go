package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	pgclient "github.com/labplay/playground/client"
	"github.com/labplay/playground/sessions/engine"
)

// On a cluster a pause freezes the nodes: after the resume, the learner's
// files are there and so are the processes they left running.
func TestClusterPauseKeepsEverything(t *testing.T) {
	h, c := newClusterHarness(t)
	ctx := context.Background()
	learner := pgclient.New(h.base)
	s, err := learner.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { learner.DeleteSession(context.Background(), s.ID) })
	host := c.hostOf(s.ID)
	tm := attach(t, learner, s.ID, "node1")
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
