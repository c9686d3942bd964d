package manager

import (
	"bufio"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/fault"
	"github.com/labplay/playground/sessions/engine"
)

// The nodes' ports: listed, reached through the engine, shared by their
// owner alone with a link that opens them to anyone until it is taken back
// or the session ends.
func TestPortsAndSharedLinks(t *testing.T) {
	env := newTestEnv(t, Config{LabNodes: oneNodeLabs}, engine.Config{})
	ctx := context.Background()
	s := env.startOne(t, "ana")
	node := s.Nodes[0]
	if out, code, err := env.engine.Exec(ctx, node.ContainerID,
		"(setsid python3 -m http.server 9000 --bind 127.0.0.1 >/tmp/http.log 2>&1 &) ; for i in $(seq 100); do playground node ports | grep -qx 9000 && exit 0; sleep 0.1; done; cat /tmp/http.log; exit 1",
		30*time.Second); err != nil || code != 0 {
		t.Fatalf("start a web server in the node: %v %d %s", err, code, out)
	}

	ports := env.m.Ports(ctx, s)
	if len(ports) != 1 || ports[0].Node != "node1" || ports[0].Err != nil || !slices.Contains(ports[0].Ports, 9000) {
		t.Fatalf("Ports = %+v, want node1 listening on 9000", ports)
	}
	conn, err := env.m.DialPort(ctx, node.ContainerID, 9000)
	if err != nil {
		t.Fatalf("DialPort: %v", err)
	}
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write([]byte("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("a request through DialPort: %v %v", res, err)
	}
	conn.Close()

	// Sharing: the owner's alone, of a port of a node the session has.
	_, err = env.m.SharePort(ctx, "bob", s.ID, "node1", "9000")
	wantCode(t, "bob shares ana's port", err, fault.ENOTFOUND)
	_, err = env.m.SharePort(ctx, "ana", s.ID, "node1", "09000")
	wantCode(t, "a port written 09000", err, fault.EINVALID)
	_, err = env.m.SharePort(ctx, "ana", s.ID, "node2", "9000")
	wantCode(t, "a node the session lacks", err, fault.ENOTFOUND)
	sh, err := env.m.SharePort(ctx, "ana", s.ID, "node1", "9000")
	if err != nil || sh.SessionID != s.ID || sh.Node != "node1" || sh.Port != 9000 || len(sh.Token) != 32 {
		t.Fatalf("SharePort = %+v, %v", sh, err)
	}
	if again, err := env.m.SharePort(ctx, "ana", s.ID, "node1", "9000"); err != nil || again.Token != sh.Token {
		t.Errorf("sharing the port again = %+v, %v; want the same link %s", again, err, sh.Token)
	}
	p, err := env.m.SharedPort(ctx, sh.Token)
	if err != nil || p.Session.ID != s.ID || p.Node.Name != "node1" || p.Node.ContainerID != node.ContainerID || p.Number != 9000 {
		t.Fatalf("SharedPort = %+v, %v", p, err)
	}
	for _, token := range []string{"", "not a token", strings.Repeat("A", 32), strings.Repeat("0", 32)} {
		_, err := env.m.SharedPort(ctx, token)
		wantCode(t, "SharedPort("+token+")", err, fault.ENOTFOUND)
	}
	if shares, err := env.m.PortShares(ctx, s); err != nil || len(shares) != 1 || shares[0].Token != sh.Token {
		t.Errorf("PortShares = %+v, %v; want the one link", shares, err)
	}
	if p, err := env.m.PortOf(ctx, s.ID, "node1", "9000"); err != nil || p.Node.ContainerID != node.ContainerID {
		t.Errorf("PortOf = %+v, %v", p, err)
	}
	_, err = env.m.PortOf(ctx, "no such session", "node1", "9000")
	wantCode(t, "PortOf a malformed id", err, fault.ENOTFOUND)

	// Taken back, the link opens nothing; shared again, it is a new one.
	err = env.m.UnsharePort(ctx, "bob", s.ID, "node1", "9000")
	wantCode(t, "bob takes ana's link back", err, fault.ENOTFOUND)
	if err := env.m.UnsharePort(ctx, "ana", s.ID, "node1", "9000"); err != nil {
		t.Fatal(err)
	}
	_, err = env.m.SharedPort(ctx, sh.Token)
	wantCode(t, "a link taken back", err, fault.ENOTFOUND)
	if shares, err := env.m.PortShares(ctx, s); err != nil || len(shares) != 0 {
		t.Errorf("PortShares after the link was taken back = %+v, %v", shares, err)
	}
	again, err := env.m.SharePort(ctx, "ana", s.ID, "node1", "9000")
	if err != nil || again.Token == sh.Token {
		t.Fatalf("sharing again = %+v, %v; want a new link", again, err)
	}

	// When the session ends, its links and ports open nothing.
	if err := env.m.Delete(ctx, "ana", s.ID); err != nil {
		t.Fatal(err)
	}
	_, err = env.m.SharedPort(ctx, again.Token)
	wantCode(t, "a link of an ended session", err, fault.ENOTFOUND)
	_, err = env.m.PortOf(ctx, s.ID, "node1", "9000")
	wantCode(t, "PortOf an ended session", err, fault.ENOTFOUND)
	_, err = env.m.SharePort(ctx, "ana", s.ID, "node1", "9000")
	wantCode(t, "sharing a port of an ended session", err, fault.ENOTFOUND)
}
