package cluster

import (
	"net/netip"

	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/engine"
)

func TestIDsCarryTheirHost(t *testing.T) {
	t.Parallel()
	id := joinID("nodeabc", "c0ffee")
	host, cid, err := splitID(id)
	if err != nil || host != "nodeabc" || cid != "c0ffee" {
		t.Fatalf("splitID(%q) = %q, %q, %v", id, host, cid, err)
	}
	for _, bad := range []string{"", "c0ffee", "/c0ffee", "nodeabc/"} {
		if _, _, err := splitID(bad); fault.ErrorCode(err) != fault.ENOTFOUND {
			t.Errorf("splitID(%q) = %v, want not found", bad, err)
		}
	}
}

func TestLostWhy(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		state swarm.NodeState
		avail swarm.NodeAvailability
		want  string
	}{
		{swarm.NodeStateReady, swarm.NodeAvailabilityActive, ""},
		{swarm.NodeStateReady, swarm.NodeAvailabilityPause, ""},
		{swarm.NodeStateReady, swarm.NodeAvailabilityDrain, engine.LostHostServiced},
		{swarm.NodeStateDown, swarm.NodeAvailabilityActive, engine.LostHostGone},
		{swarm.NodeStateDisconnected, swarm.NodeAvailabilityPause, engine.LostHostGone},
	} {
		if got := lostWhy(&Host{State: c.state, Availability: c.avail}); got != c.want {
			t.Errorf("%s/%s: %q, want %q", c.state, c.avail, got, c.want)
		}
	}
	if lostWhy(nil) != engine.LostHostGone {
		t.Error("a host that left is not lost")
	}
	// The page is told why, from the reason the manager stores.
	if sessions.EndedBecause(engine.LostHostServiced) != sessions.EndedHostServiced ||
		sessions.EndedBecause(engine.LostHostGone+"; teardown failed: x") != sessions.EndedHostLost ||
		sessions.EndedBecause("expired") != "" {
		t.Error("EndedBecause does not read the hosts' reasons back")
	}
}

func TestEngineAddr(t *testing.T) {
	t.Parallel()
	var n swarm.Node
	n.Status.Addr = "10.0.0.5"
	if got := engineAddr(n); got != "tcp://10.0.0.5:2376" {
		t.Errorf("without a label: %s", got)
	}
	n.Spec.Labels = map[string]string{LabelEngine: "tcp://[fd00::5]:2376"}
	if got := engineAddr(n); got != "tcp://[fd00::5]:2376" {
		t.Errorf("with a label: %s", got)
	}
}

func TestHostsGetNoRegistryAndLimitTheDefaultParent(t *testing.T) {
	t.Parallel()
	c := hostEngineConfig(engine.Config{Disk: 1 << 30, RegistryImage: "r", NodesMemory: engine.NodesMemoryAuto, Instance: "x"})
	if c.Disk != 1<<30 || c.RegistryImage != "" || c.NodesMemory != engine.NodesMemoryAuto || !c.LimitDefaultParent ||
		c.Egress != engine.EgressNone || c.Instance != "x" {
		t.Errorf("hostEngineConfig = %+v", c)
	}
}

func TestNodeServiceIsANode(t *testing.T) {
	t.Parallel()
	e := engine.New(nil, engine.Config{Instance: "inst", Memory: 256 << 20}, nil)
	spec := e.NodeService("sess1234567890", "node2", "net1", netipZero)
	cs := spec.TaskTemplate.ContainerSpec
	if spec.Name != engine.ContainerName("sess1234567890", "node2") || cs.Hostname != "node2" ||
		cs.Labels[engine.LabelSession] != "sess1234567890" || cs.Labels[engine.LabelNode] != "node2" || cs.Labels[engine.LabelInstance] != "inst" {
		t.Errorf("names and labels: %+v %+v", spec.Annotations, cs)
	}
	if cs.Privileges == nil || cs.Privileges.Seccomp.Mode != swarm.SeccompModeCustom || len(cs.Privileges.Seccomp.Profile) == 0 ||
		cs.Privileges.AppArmor.Mode != swarm.AppArmorModeDisabled {
		t.Errorf("privileges: %+v", cs.Privileges)
	}
	if spec.TaskTemplate.RestartPolicy.Condition != swarm.RestartPolicyConditionNone || *spec.Mode.Replicated.Replicas != 1 {
		t.Error("a node must be one replica, never restarted by the swarm")
	}
	if l := spec.TaskTemplate.Resources.Limits; l.MemoryBytes != 256<<20 || l.Pids == 0 || l.NanoCPUs == 0 {
		t.Errorf("limits: %+v", l)
	}
	if n := spec.TaskTemplate.Networks; len(n) != 1 || n[0].Target != "net1" || n[0].Aliases[0] != "node2" {
		t.Errorf("networks: %+v", n)
	}
}

var netipZero netip.Prefix
