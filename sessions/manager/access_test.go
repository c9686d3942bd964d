package manager

import (
	"bytes"
	"context"
	"testing"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

// A session answers its owner only: to another learner, every operation
// that names it answers exactly as for a session that does not exist, and
// changes nothing. A session of no classroom is no instructor's to watch.
func TestOnlyTheOwnerReachesASession(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs}, engine.Config{})
	ctx := context.Background()
	s := env.startOne(t, "ana")

	ops := func(user, id string) map[string]error {
		errs := map[string]error{}
		_, errs["Get"] = env.m.Get(ctx, user, id)
		_, errs["Extend"] = env.m.Extend(ctx, user, id)
		_, errs["RestartNode"] = env.m.RestartNode(ctx, user, id, "node1")
		_, errs["AddNode"] = env.m.AddNode(ctx, user, id)
		_, errs["RemoveNode"] = env.m.RemoveNode(ctx, user, id, "node1")
		_, errs["WriteFile"] = env.m.WriteFile(ctx, user, id, "node1", "/tmp/x", 1, bytes.NewReader([]byte("x")))
		_, _, errs["ReadFile"] = env.m.ReadFile(ctx, user, id, "node1", "/etc/hostname")
		_, errs["SharePort"] = env.m.SharePort(ctx, user, id, "node1", "80")
		errs["UnsharePort"] = env.m.UnsharePort(ctx, user, id, "node1", "80")
		errs["Delete"] = env.m.Delete(ctx, user, id)
		return errs
	}
	unknown := ops("bob", sessions.NewID())
	for op, err := range ops("bob", s.ID) {
		wantCode(t, "bob's "+op+" of ana's session", err, fault.ENOTFOUND)
		if fault.ErrorMessage(err) != fault.ErrorMessage(unknown[op]) {
			t.Errorf("bob's %s of ana's session says %q; of an unknown one, %q", op, fault.ErrorMessage(err), fault.ErrorMessage(unknown[op]))
		}
	}
	got, err := env.m.Get(ctx, "ana", s.ID)
	if err != nil || !got.Live() || len(got.Nodes) != 1 {
		t.Fatalf("ana's session after bob's attempts: %+v, %v; want it live with its one node", got, err)
	}
	list, err := env.m.List(ctx, "bob")
	if err != nil || len(list) != 0 {
		t.Errorf("bob's list = %v, %v; want none", list, err)
	}
	_, err = env.m.ScopeSession(ctx, s.ID)
	wantCode(t, "ScopeSession of a session of no classroom", err, fault.ENOTFOUND)

	// The owner reaches a file of the node.
	if _, err := env.m.WriteFile(ctx, "ana", s.ID, "node1", "/tmp/door", 5, bytes.NewReader([]byte("hello"))); err != nil {
		t.Fatalf("ana's upload: %v", err)
	}
	info, copyTo, err := env.m.ReadFile(ctx, "ana", s.ID, "node1", "/tmp/door")
	if err != nil {
		t.Fatalf("ana's download: %v", err)
	}
	var b bytes.Buffer
	if err := copyTo(&b); err != nil || b.String() != "hello" || info.Size != 5 {
		t.Errorf("ana's download = %q (%d bytes), %v; want \"hello\"", b.String(), info.Size, err)
	}
}

// Ping names what does not answer; here both do.
func TestPing(t *testing.T) {
	env := newTestEnv(t, Config{}, engine.Config{})
	if dbErr, engineErr := env.m.Ping(context.Background()); dbErr != nil || engineErr != nil {
		t.Fatalf("Ping = %v, %v; want both nil", dbErr, engineErr)
	}
}
