package engine

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
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

// Nodes keep off the host: a service the test itself opens on the host, on
// every address, answers a node through its gateway until the egress rules
// are installed, and refuses it after; the rules for the other ranges are
// read back from iptables (no packet is sent there); nodes still reach each
// other; and Close removes the rules.
func TestEgressKeepsNodesOffTheHost(t *testing.T) {
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables is missing on this host: the rules cannot be read back")
	}
	cli := testClient(t)
	allow := netip.MustParsePrefix("192.0.2.128/25")
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), EgressAllow: []netip.Prefix{allow}})
	_, nodes := newSession(t, e, 14)
	waitAll(t, e, nodes)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	gateway := testSubnet(14).Addr().Next()
	dial := fmt.Sprintf("timeout 10 bash -c 'echo > /dev/tcp/%s/%d' && echo reached", gateway, ln.Addr().(*net.TCPAddr).Port)
	if out, _, err := e.Exec(ctx, nodes[0].ContainerID, dial, 20*time.Second); err != nil || !strings.Contains(out, "reached") {
		t.Fatalf("without the rules, the node does not reach the host's service through its gateway (so this test proves nothing): %v: %s", err, out)
	}

	if err := e.EnsureEgress(ctx, testPool); err != nil {
		t.Fatal(err)
	}
	if err := e.EnsureEgress(ctx, testPool); err != nil {
		t.Fatalf("installing the rules again: %v", err)
	}
	out, _, err := e.Exec(ctx, nodes[0].ContainerID, dial, 20*time.Second)
	if err != nil || strings.Contains(out, "reached") || !strings.Contains(out, "No route to host") {
		t.Errorf("with the rules, the node reaches the host's service, or not for the rules' reason: %v: %s", err, out)
	}
	out, code, err := e.Exec(ctx, nodes[0].ContainerID, "ping -c1 -W5 node2 >/dev/null && echo reached", 20*time.Second)
	if err != nil || code != 0 || !strings.Contains(out, "reached") {
		t.Errorf("with the rules, node1 no longer reaches node2: %v, exit %d: %s", err, code, out)
	}

	name := egressName(e.cfg.Instance)
	fwd := iptablesRules(t, "PG-FWD-"+name)
	in := iptablesRules(t, "PG-IN-"+name)
	for _, want := range []string{"-d " + allow.String() + " -j RETURN", "-d " + testPool.String() + " -j RETURN"} {
		if !strings.Contains(fwd, want) {
			t.Errorf("the forward rules lack %q:\n%s", want, fwd)
		}
	}
	for _, g := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"} {
		want := "-d " + g + " -j REJECT"
		if i, j := strings.Index(fwd, want), strings.Index(fwd, "-d "+allow.String()); i < 0 || j > i {
			t.Errorf("the forward rules do not refuse %s after the allowed range:\n%s", g, fwd)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(in), "-j REJECT --reject-with icmp-admin-prohibited") {
		t.Errorf("the input rules do not end by refusing the rest:\n%s", in)
	}
	for _, parent := range []string{"INPUT", "FORWARD"} {
		if r := iptablesRules(t, parent); strings.Count(r, "-s "+testPool.String()+" -j PG-") != 1 {
			t.Errorf("%s jumps to the rules %d times, want once:\n%s", parent, strings.Count(r, "-s "+testPool.String()+" -j PG-"), r)
		}
	}

	if err := e.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("iptables", "-w", "10", "-S", "PG-FWD-"+name).Run(); err == nil {
		t.Error("Close left the forward chain")
	}
	if r := iptablesRules(t, "INPUT"); strings.Contains(r, "PG-IN-"+name) {
		t.Errorf("Close left the jump to the input chain:\n%s", r)
	}
}

// testPool is the engine tests' session pool (see testSubnet).
var testPool = netip.MustParsePrefix("100.64.255.0/24")

// iptablesRules returns iptables -S of a chain of the host's filter table.
func iptablesRules(t *testing.T, chain string) string {
	t.Helper()
	out, err := exec.Command("iptables", "-w", "10", "-S", chain).CombinedOutput()
	if err != nil {
		t.Fatalf("iptables -S %s: %v: %s", chain, err, out)
	}
	return string(out)
}
