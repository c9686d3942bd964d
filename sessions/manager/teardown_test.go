package manager

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/labplay/playground/sessions/engine"
)

// A start that fails half-way (the network, the disks and the containers
// are made, then the nodes' agents refuse their arguments and exit) is
// torn down whole: the session is ended in Postgres with its reason, holds
// no capacity, and leaves nothing on the engine.
func TestStartThatFailsHalfWayIsTornDown(t *testing.T) {
	env := newTestEnv(t, Config{}, engine.Config{AgentArgs: []string{"--no-such-flag"}})
	ctx := context.Background()
	s, err := env.m.Create(ctx, NewSession{UserID: "learner", ClientAddr: "127.0.0.1"})
	if err == nil {
		t.Fatalf("a session whose agents cannot start started: %+v", s)
	}
	var id string
	if err := env.store.Pool().QueryRow(ctx, "SELECT id FROM sessions WHERE instance = $1", env.engine.Config().Instance).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if status, reason, remains := env.endReason(t, id); status != "ended" || reason != "failed to start" || remains {
		t.Errorf("the failed session is %s (%q, remains %v), want ended with \"failed to start\"", status, reason, remains)
	}
	if n := env.live(t); n != 0 {
		t.Errorf("%d live sessions after a failed start, want 0", n)
	}
	if list, err := env.engine.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("the engine still holds %v (%v)", list, err)
	}
	if imgs, _ := filepath.Glob(filepath.Join(engine.DefaultDiskDir, engine.ContainerName(id, "")+"*")); len(imgs) != 0 {
		t.Errorf("the failed session's disks are still there: %v", imgs)
	}
}

// A session whose teardown keeps failing (a disk file the host will not let
// go) is ended all the same after a few attempts, with the failure in its
// reason, and no longer counts against the host's capacity; an endpoint that
// is not the session's own is disconnected by force on the way; once the
// host lets go, the periodic sweep removes what was left.
func TestTeardownThatKeepsFailingEndsTheSession(t *testing.T) {
	if _, err := exec.LookPath("chattr"); err != nil {
		t.Skip("chattr is missing: it makes a disk file the host will not remove")
	}
	env := newTestEnv(t, Config{MaxSessions: 1}, engine.Config{})
	ctx := context.Background()
	s, err := env.m.Create(ctx, NewSession{UserID: "learner", ClientAddr: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	// A container that is not the session's, on the session's network.
	stranger, err := env.docker.ContainerCreate(ctx, &container.Config{Image: env.engine.Config().NodeImage, Entrypoint: []string{"sleep", "300"}},
		&container.HostConfig{NetworkMode: container.NetworkMode(engine.NetworkName(s.ID)), UsernsMode: "host"}, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		env.docker.ContainerRemove(context.Background(), stranger.ID, container.RemoveOptions{Force: true})
	})
	if err := env.docker.ContainerStart(ctx, stranger.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(engine.DefaultDiskDir, engine.ContainerName(s.ID, "node1")+".img")
	if out, err := exec.Command("chattr", "+i", img).CombinedOutput(); err != nil {
		t.Skipf("chattr +i %s: %v: %s", img, err, out)
	}
	unlocked := false
	unlock := func() {
		if !unlocked {
			unlocked = true
			if out, err := exec.Command("chattr", "-i", img).CombinedOutput(); err != nil {
				t.Errorf("chattr -i %s: %v: %s", img, err, out)
			}
		}
	}
	t.Cleanup(unlock)

	if err := env.m.Delete(ctx, "learner", s.ID); err != nil {
		t.Fatalf("Delete of a session whose teardown fails: %v", err)
	}
	status, reason, remains := env.endReason(t, s.ID)
	if status != "ended" || !strings.HasPrefix(reason, "deleted; teardown failed:") || !remains {
		t.Errorf("after a failing teardown the session is %s (%q, remains %v), want ended, saying so, with remains", status, reason, remains)
	}
	if _, err := env.docker.NetworkInspect(ctx, engine.NetworkName(s.ID), network.InspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("the session's network, with a stranger's endpoint on it, was not removed: %v", err)
	}
	// It holds no capacity: the host's one session can start.
	other, err := env.m.Create(ctx, NewSession{UserID: "learner", ClientAddr: "127.0.0.1"})
	if err != nil {
		t.Fatalf("a new session on a host of one, after a stuck teardown: %v", err)
	}

	// The sweep leaves the remains while the host holds them, then takes them.
	if err := env.m.sweepRemains(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, remains := env.endReason(t, s.ID); !remains {
		t.Error("the sweep forgot remains it could not remove")
	}
	unlock()
	if err := env.m.sweepRemains(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, remains := env.endReason(t, s.ID); remains {
		t.Error("the sweep did not clear the remains once the host let go")
	}
	if _, err := os.Stat(img); !os.IsNotExist(err) {
		t.Errorf("the stuck disk is still there after the sweep: %v", err)
	}
	if status, _, _ := env.endReason(t, other.ID); status != "running" {
		t.Errorf("the sweep touched another session: %s", status)
	}
}
