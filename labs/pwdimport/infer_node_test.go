package pwdimport

// The inferred checks against real nodes: a post that uses every command
// form that inference reads is converted, and in a session of two real
// nodes every check of every section must fail, with a one-line hint,
// before the section's commands run, and pass after them. The test needs
// the Docker engine, the node image and labplay/web:1 (make images builds
// them), and skips, saying which is missing, without them.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions/engine"
	"github.com/labplay/playground/sessions/engine/enginetest"
)

// nodePost uses each command form of inference, in an order where each
// section's checks fail before it: what is removed was made earlier. The
// join command asks the learner to paste the token, as posts do.
const nodePost = "---\ntitle: Every form\nterms: 2\n---\n" +
	"## Files\n\n```.term1\nmkdir -p app && cd app\necho hi > notes.txt\n" +
	"cat > Dockerfile <<'EOF'\nFROM scratch\nCOPY notes.txt /notes.txt\nEOF\ntouch ~/touched\n```\n\n" +
	"## Build\n\n```.term1\ndocker build -t hi:1.0 .\ndocker image build --tag hi:2.0 .\n" +
	"docker tag hi:1.0 registry.example.com:5000/team/hi:1.0\n```\n\n" +
	"## Containers\n\n```.term1\ndocker volume create notes\ndocker network create appnet\n" +
	"docker run --name once labplay/web:1 true\n" +
	"docker container run -d --name web -p 8080:80 --network appnet -v notes:/data labplay/web:1\n```\n\n" +
	"## Stop\n\n```.term1\ndocker stop web\n```\n\n" +
	"## Start\n\n```.term1\ndocker start web\n```\n\n" +
	"## Remove\n\n```.term1\ndocker rm -f web once\ndocker volume rm notes\ndocker network rm appnet\n" +
	"docker rmi registry.example.com:5000/team/hi:1.0\nrm ~/touched\n```\n\n" +
	"## Compose\n\n```.term1\ncat > compose.yaml <<'EOF'\nservices:\n  front:\n    image: labplay/web:1\nEOF\n" +
	"docker compose up -d\n```\n\n" +
	"## Compose down\n\n```.term1\ndocker compose down\n```\n\n" +
	"## Clone\n\n```.term1\ngit init -q /srv/repo\ngit clone -q /srv/repo\n```\n\n" +
	"## Swarm\n\n```.term1\ndocker swarm init --advertise-addr $(hostname -i)\n```\n\n" +
	"## Join\n\n```.term2\ndocker swarm join --token <TOKEN> <IP>:2377\n```\n\n" +
	"## Services\n\n```.term1\ndocker service create --name web --replicas 2 labplay/web:1\n" +
	"docker service create --name solo --detach labplay/web:1\n" +
	"docker config create site notes.txt\necho s3cret | docker secret create db_pass -\n```\n\n" +
	"## Scale\n\n```.term1\ndocker service scale web=3\ndocker service update --replicas 2 solo\n```\n\n" +
	"## Stack\n\n```.term1\ncat > stack.yml <<'EOF'\nservices:\n  front:\n    image: labplay/web:1\nEOF\n" +
	"docker stack deploy -c stack.yml shop\n```\n\n" +
	"## Drain\n\n```.term1\ndocker node update --availability drain node2\n```\n\n" +
	"## Clean up\n\n```.term1\ndocker service rm web solo\ndocker stack rm shop\ndocker secret rm db_pass\n" +
	"docker node update --availability active node2\n```\n\n" +
	"## Leave\n\n```.term2\ndocker swarm leave\n```\n"

// inferPool is the /28 of the test's session, a range no other test uses.
var inferPool = netip.MustParsePrefix("100.64.246.0/28")

func TestInferredChecksOnRealNodes(t *testing.T) {
	r, err := Convert([]byte(nodePost), Options{Source: "2020-01-01-every-form.md"})
	if err != nil {
		t.Fatal(err)
	}
	lab := lintResult(t, r)
	cli := enginetest.Client(t)
	image := enginetest.NodeImage(t, cli)
	if _, err := cli.ImageInspect(context.Background(), "labplay/web:1"); cerrdefs.IsNotFound(err) {
		t.Skip("labplay/web:1 is not on the engine (run make images)")
	} else if err != nil {
		t.Fatal(err)
	}
	ns := startNodes(t, engine.Config{NodeImage: image, Disk: 2 << 30}, lab.Nodes)

	var table strings.Builder
	for _, s := range lab.Sections() {
		started := time.Now()
		checks := lab.Checks(s.ID)
		if len(checks) == 0 && s.ID != "intro" {
			t.Errorf("section %s has no inferred check", s.ID)
		}
		for _, c := range checks {
			out, code := ns.exec(c.Node, c.Script, c.Timeout)
			hint := strings.TrimSpace(out)
			switch {
			case code == 0:
				t.Errorf("check %s on %s passes before the section's commands:\n%s", s.ID, c.Node, c.Script)
			case hint == "" || strings.Contains(hint, "\n"):
				t.Errorf("check %s on %s fails (exit %d) with %q, want a one-line hint", s.ID, c.Node, code, hint)
			}
		}
		for _, b := range s.Blocks {
			cmd := ns.paste(b.Command)
			if out, code := ns.exec(b.Node, runInShell(cmd), 3*time.Minute); code != 0 {
				t.Fatalf("section %s: %q on %s exited %d:\n%s", s.ID, cmd, b.Node, code, out)
			}
		}
		for _, c := range checks {
			ns.waitPass(s.ID, c)
		}
		fmt.Fprintf(&table, "%-12s %d checks %5.1fs\n", s.ID, len(checks), time.Since(started).Seconds())
	}
	t.Logf("section, checks, seconds:\n%s", table.String())
}

// nodes is a session of real nodes for the test.
type nodes struct {
	t     *testing.T
	eng   *engine.Engine
	ids   map[string]string // the nodes' containers by name
	addrs map[string]netip.Addr
}

// startNodes makes a session of the named nodes, with labplay/web:1 in
// each. All of it is removed when the test ends.
func startNodes(t *testing.T, cfg engine.Config, names []string) *nodes {
	t.Helper()
	cfg.Instance = "infertest-" + randomHex(t)
	eng := engine.New(enginetest.Client(t), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(func() {
		if err := eng.Close(context.Background()); err != nil {
			t.Errorf("close the engine: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	session := "i" + randomHex(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := eng.RemoveSession(ctx, session); err != nil {
			t.Errorf("remove the session: %v", err)
		}
	})
	made, err := eng.CreateSession(ctx, session, inferPool, names)
	if err != nil {
		t.Fatalf("create the session: %v", err)
	}
	n := &nodes{t: t, eng: eng, ids: map[string]string{}, addrs: map[string]netip.Addr{}}
	var ids []string
	for _, m := range made {
		if err := eng.WaitReady(ctx, m.ContainerID); err != nil {
			t.Fatalf("wait for %s: %v", m.Name, err)
		}
		n.ids[m.Name], n.addrs[m.Name] = m.ContainerID, m.Addr
		ids = append(ids, m.ContainerID)
	}
	if err := eng.LoadImage(ctx, ids, "labplay/web:1"); err != nil {
		t.Fatalf("load labplay/web:1: %v", err)
	}
	return n
}

// exec runs script with sh on the named node, as the server runs a check,
// and returns its output and exit status.
func (n *nodes) exec(node, script string, timeout time.Duration) (string, int) {
	n.t.Helper()
	out, code, err := n.eng.Exec(context.Background(), n.ids[node], script, timeout)
	if err != nil {
		n.t.Fatalf("exec on %s: %v", node, err)
	}
	return out, code
}

// runInShell returns a script that runs command with bash, the learner's
// shell, in the folder where the node's previous command left it: the
// terminal's cd carries over from block to block.
func runInShell(command string) string {
	inner := `cd "$(cat /tmp/.infer-cwd 2>/dev/null || echo /root)" || exit 1
trap 'pwd >/tmp/.infer-cwd' EXIT
` + command
	return "exec bash -c " + shellQuote(inner)
}

// paste fills in the <TOKEN> and <IP> of a join command, as the learner
// does from what docker swarm init printed on node1.
func (n *nodes) paste(command string) string {
	if !strings.Contains(command, "<TOKEN>") {
		return command
	}
	token, code := n.exec("node1", "docker swarm join-token -q worker", 10*time.Second)
	if code != 0 {
		n.t.Fatalf("join token: %s", token)
	}
	return strings.NewReplacer("<TOKEN>", strings.TrimSpace(token), "<IP>", n.addrs["node1"].String()).Replace(command)
}

// waitPass runs check c until it passes, for state that settles a moment
// after a command returns (replicas starting, a port opening), and fails
// the test with its last hint after a minute.
func (n *nodes) waitPass(section string, c labs.Check) {
	n.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out, code := n.exec(c.Node, c.Script, c.Timeout)
		if code == 0 {
			if out != "" {
				n.t.Errorf("check %s on %s passes but prints %q", section, c.Node, out)
			}
			return
		}
		if time.Now().After(deadline) {
			n.t.Errorf("check %s on %s still fails after the section's commands (exit %d): %s\n%s", section, c.Node, code, out, c.Script)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// randomHex returns 8 random hex digits.
func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
