package app

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
	"github.com/labplay/playground/sessions/store/storetest"
)

// A server refuses an instance whose live sessions the other mode made,
// and serves one whose sessions are its own.
func TestSameModeRefusesTheOtherModesSessions(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t)
	ctx := context.Background()
	pool := store.Subnets{Pool: netip.MustParsePrefix("100.64.0.0/26"), Bits: 28}
	live := func(instance, containerID string) {
		t.Helper()
		user := sessions.NewID()
		if err := st.EnsureUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		s := &sessions.Session{ID: sessions.NewID(), UserID: user, Instance: instance, Status: sessions.StatusStarting,
			ExpiresAt: time.Now().Add(time.Hour), Nodes: []sessions.Node{{Name: "node1", Status: sessions.NodeStarting}}}
		if err := st.CreateSession(ctx, s, pool, store.Limits{}); err != nil {
			t.Fatal(err)
		}
		s.Nodes[0].ContainerID, s.Nodes[0].Status = containerID, sessions.NodeRunning
		if err := st.UpdateNodes(ctx, s.ID, s.Nodes); err != nil {
			t.Fatal(err)
		}
	}
	live("one", "c0ffee")
	live("many", "hostid/c0ffee")
	one := Config{}
	one.Engine.Instance = "one"
	many := Config{Cluster: ClusterConfig{Manager: "unix:///x.sock"}}
	many.Engine.Instance = "many"
	if err := sameMode(ctx, st, one); err != nil {
		t.Errorf("one engine, its own sessions: %v", err)
	}
	if err := sameMode(ctx, st, many); err != nil {
		t.Errorf("a cluster, its own sessions: %v", err)
	}
	one.Cluster.Manager, many.Cluster.Manager = "unix:///x.sock", ""
	if err := sameMode(ctx, st, one); err == nil || !strings.Contains(err.Error(), "made on one engine") {
		t.Errorf("a cluster on one engine's sessions: %v", err)
	}
	if err := sameMode(ctx, st, many); err == nil || !strings.Contains(err.Error(), "made on a cluster") {
		t.Errorf("one engine on a cluster's sessions: %v", err)
	}
}
