package labs

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeDockerScript stands in for docker: it answers a command line with the
// reply whose .args file holds the same arguments, or fails loudly.
const fakeDockerScript = `#!/bin/sh
for f in "$FAKE_DOCKER"/*.args; do
  if [ -e "$f" ] && [ "$(cat "$f")" = "$*" ]; then
    cat "${f%.args}.out"
    exit "$(cat "${f%.args}.code")"
  fi
done
echo "fake docker: unexpected command: docker $*" >&2
exit 99
`

// reply is what the fake docker prints and returns for one command line.
type reply struct {
	Out  string
	Code int
}

// runScript runs script with sh and a docker that answers with replies, keyed
// by their arguments joined with spaces. It returns the script's combined
// output, trimmed, and its exit status.
func runScript(t *testing.T, script string, replies map[string]reply) (string, int) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH; the check scripts cannot run")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(fakeDockerScript), 0o755); err != nil {
		t.Fatal(err)
	}
	answers := filepath.Join(dir, "replies")
	if err := os.Mkdir(answers, 0o755); err != nil {
		t.Fatal(err)
	}
	i := 0
	for args, r := range replies {
		i++
		base := filepath.Join(answers, strconv.Itoa(i))
		for ext, data := range map[string]string{".args": args, ".out": r.Out, ".code": strconv.Itoa(r.Code)} {
			if err := os.WriteFile(base+ext, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := exec.Command(sh, "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "FAKE_DOCKER="+answers)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "fake docker:") {
		t.Fatalf("the script ran a command the test did not expect:\n%s", out)
	}
	return strings.TrimSpace(string(out)), code
}

func TestShippedScriptsParse(t *testing.T) {
	lab, err := Builtin().Get("docker-orchestration")
	if err != nil {
		t.Fatal(err)
	}
	if errs := lab.LintScripts(); len(errs) > 0 {
		t.Fatalf("shell syntax errors:\n%s", LintErrors(errs))
	}
}

func TestLintScriptsLocatesSyntaxErrors(t *testing.T) {
	fsys := fixture()
	meta := strings.Replace(fixtureMeta, "```check one node1\ntrue\n```", "```check one node1\nif true; then\n  echo ok\nfi fi )\n```", 1)
	fsys["demo/lab.md"] = &fstest.MapFile{Data: []byte(meta)}
	lab, err := LoadLab(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	errs := lab.LintScripts()
	want := lineOf(t, meta, "fi fi )")
	if len(errs) != 1 || errs[0].File != "demo/lab.md" || errs[0].Line != want || !strings.Contains(strings.ToLower(errs[0].Message), "syntax") {
		t.Fatalf("want one syntax error at demo/lab.md:%d, got %v", want, errs)
	}
}

// Canned docker commands of the checks.
const (
	cmdState     = "info --format {{.Swarm.LocalNodeState}}"
	cmdControl   = "info --format {{.Swarm.ControlAvailable}}"
	cmdNodeAddr  = "info --format {{.Swarm.NodeAddr}}"
	cmdManager   = "info --format {{$me := .Swarm.NodeID}}{{range .Swarm.RemoteManagers}}{{if eq .NodeID $me}}{{.Addr}}{{end}}{{end}}"
	cmdNodes     = "node ls --format {{.Hostname}} {{.Status}} {{.ManagerStatus}}"
	cmdNodeIDs   = "node ls --format {{.ID}} {{.Hostname}} {{.Status}}"
	cmdService   = "service inspect myipaddress"
	cmdReplicas  = "service inspect --format {{.Spec.Mode.Replicated.Replicas}} myipaddress"
	cmdPrevious  = "service inspect --format {{with .PreviousSpec}}{{.Mode.Replicated.Replicas}}{{end}} myipaddress"
	cmdTaskNames = "service ps myipaddress --format {{.Name}}"
	cmdRunning   = "service ps myipaddress --filter desired-state=running --format {{.CurrentState}}"
	cmdSleepers  = `ps --filter ancestor=mtbsoft/myipaddress --format {{.ID}} {{.Label "com.docker.swarm.task.id"}}`
)

func TestOrchestrationChecks(t *testing.T) {
	lab, err := Builtin().Get("docker-orchestration")
	if err != nil {
		t.Fatal(err)
	}
	script := func(section, node string) string {
		for _, c := range lab.Checks(section) {
			if c.Node == node {
				return c.Script
			}
		}
		t.Fatalf("no check for %s on %s", section, node)
		return ""
	}
	manager := map[string]reply{cmdState: {Out: "active\n"}, cmdControl: {Out: "true\n"}}
	with := func(base map[string]reply, more map[string]reply) map[string]reply {
		out := map[string]reply{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	slots := func(names ...int) string {
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "myipaddress.%d\n", n)
		}
		return b.String()
	}
	running := func(n int) string { return strings.Repeat("Running 2 minutes ago\n", n) }
	nodeIDs := "aaa node1 Ready\nold node2 Down\nbbb node2 Ready\nccc node3 Ready\n"
	tests := []struct {
		name, section, node string
		replies             map[string]reply
		pass                bool
		hint                string
	}{
		{"swarm: no swarm", "swarm", "node1", map[string]reply{cmdState: {Out: "inactive\n"}}, false, "node1 is not in a swarm yet"},
		{"swarm: node1 is a worker", "swarm", "node1", map[string]reply{cmdState: {Out: "active\n"}, cmdControl: {Out: "false\n"}}, false, "does not manage it"},
		{"swarm: one worker missing", "swarm", "node1", with(manager, map[string]reply{cmdNodes: {Out: "node1 Ready Leader\nnode2 Ready \n"}}), false, "2 of 3 nodes have joined. Run the join command on: node3."},
		{"swarm: only the manager", "swarm", "node1", with(manager, map[string]reply{cmdNodes: {Out: "node1 Ready Leader\n"}}), false, "1 of 3 nodes have joined. Run the join command on: node2 node3."},
		{"swarm: a worker is down", "swarm", "node1", with(manager, map[string]reply{cmdNodes: {Out: "node1 Ready Leader\nnode2 Down \nnode3 Ready \n"}}), false, "on: node2."},
		{"swarm: done, with a stale entry", "swarm", "node1", with(manager, map[string]reply{cmdNodes: {Out: "node1 Ready Leader\nnode2 Down \nnode3 Ready \nnode2 Ready \n"}}), true, ""},
		{"service: missing", "service", "node1", map[string]reply{cmdService: {Code: 1}}, false, "no service named myipaddress"},
		{"service: done", "service", "node1", map[string]reply{cmdService: {Out: "[{}]\n"}}, true, ""},
		{"scale: no service", "scale", "node1", map[string]reply{cmdReplicas: {Code: 1}}, false, "no service named myipaddress"},
		{"scale: never 7", "scale", "node1", map[string]reply{cmdReplicas: {Out: "4\n"}, cmdPrevious: {Out: "1\n"}, cmdTaskNames: {Out: slots(1, 2, 3, 4)}, cmdRunning: {Out: running(4)}}, false, "has not had 7 replicas"},
		{"scale: still 7", "scale", "node1", map[string]reply{cmdReplicas: {Out: "7\n"}, cmdPrevious: {Out: "1\n"}, cmdTaskNames: {Out: slots(1, 2, 3, 4, 5, 6, 7)}, cmdRunning: {Out: running(7)}}, false, "asks for 7 replicas"},
		{"scale: tasks starting", "scale", "node1", map[string]reply{cmdReplicas: {Out: "4\n"}, cmdPrevious: {Out: "7\n"}, cmdTaskNames: {Out: slots(1, 2, 6, 7)}, cmdRunning: {Out: running(3) + "Preparing 1 second ago\n"}}, false, "3 of 4 replicas are running"},
		{"scale: done, low slots kept", "scale", "node1", map[string]reply{cmdReplicas: {Out: "4\n"}, cmdPrevious: {Out: "7\n"}, cmdTaskNames: {Out: slots(1, 2, 3, 4)}, cmdRunning: {Out: running(4)}}, true, ""},
		{"scale: done, updated again", "scale", "node1", map[string]reply{cmdReplicas: {Out: "4\n"}, cmdPrevious: {Out: "4\n"}, cmdTaskNames: {Out: slots(1, 2, 6, 7)}, cmdRunning: {Out: running(4)}}, true, ""},
		{"scale: no previous spec", "scale", "node1", map[string]reply{cmdReplicas: {Out: "4\n"}, cmdPrevious: {Out: "\n"}, cmdTaskNames: {Out: slots(1, 5, 6, 7)}, cmdRunning: {Out: running(4)}}, true, ""},
		{"drain: node2 gone", "drain", "node1", map[string]reply{cmdNodeIDs: {Out: "aaa node1 Ready\nold node2 Down\n"}}, false, "node2 is not a ready member"},
		{"drain: still active", "drain", "node1", map[string]reply{cmdNodeIDs: {Out: nodeIDs}, "node inspect --format {{.Spec.Availability}} bbb": {Out: "active\n"}}, false, "node2 is still active"},
		{"drain: tasks left", "drain", "node1", map[string]reply{cmdNodeIDs: {Out: nodeIDs}, "node inspect --format {{.Spec.Availability}} bbb": {Out: "drain\n"},
			"node ps bbb --filter desired-state=running --format {{.Name}}": {Out: "myipaddress.6\n"}}, false, "1 tasks still run on node2"},
		{"drain: done", "drain", "node1", map[string]reply{cmdNodeIDs: {Out: nodeIDs}, "node inspect --format {{.Spec.Availability}} bbb": {Out: "drain\n"},
			"node ps bbb --filter desired-state=running --format {{.Name}}": {Out: ""}}, true, ""},
		{"cleanup: service left", "cleanup", "node1", map[string]reply{cmdService: {Out: "[{}]\n"}}, false, "docker service rm myipaddress"},
		{"cleanup: sleeper left", "cleanup", "node1", map[string]reply{cmdService: {Code: 1}, cmdSleepers: {Out: "044bea1c2277 \n9f8e7d6c5b4a x1y2z3\n"}}, false, "Stop it with docker kill"},
		{"cleanup: node1 in swarm", "cleanup", "node1", map[string]reply{cmdService: {Code: 1}, cmdSleepers: {Out: "9f8e7d6c5b4a x1y2z3\n"}, cmdState: {Out: "active\n"}}, false, "docker swarm leave --force on node1"},
		{"cleanup: node1 done", "cleanup", "node1", map[string]reply{cmdService: {Code: 1}, cmdSleepers: {Out: ""}, cmdState: {Out: "inactive\n"}}, true, ""},
		{"cleanup: node2 in swarm", "cleanup", "node2", map[string]reply{cmdState: {Out: "active\n"}}, false, "on node2"},
		{"cleanup: node3 done", "cleanup", "node3", map[string]reply{cmdState: {Out: "inactive\n"}}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runScript(t, script(tt.section, tt.node), tt.replies)
			if (code == 0) != tt.pass {
				t.Fatalf("exit status %d, want pass=%v; output:\n%s", code, tt.pass, out)
			}
			if tt.pass && out != "" {
				t.Fatalf("a passing check printed %q", out)
			}
			if !strings.Contains(out, tt.hint) || strings.Count(out, "\n") > 0 {
				t.Fatalf("hint %q, want one line with %q", out, tt.hint)
			}
		})
	}
}

func TestOrchestrationValues(t *testing.T) {
	lab, err := Builtin().Get("docker-orchestration")
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string) string {
		v, ok := lab.Value(name)
		if !ok {
			t.Fatalf("no value %s", name)
		}
		return v.Script
	}
	tests := []struct {
		name, value string
		replies     map[string]reply
		code        int
		out         string
	}{
		{"join command", "worker_join", map[string]reply{"swarm join-token -q worker": {Out: "SWMTKN-1-abc-def\n"}, cmdManager: {Out: "10.0.0.5:2377\n"}}, 0,
			"docker swarm join --token SWMTKN-1-abc-def 10.0.0.5:2377"},
		{"join command, manager address unknown", "worker_join", map[string]reply{"swarm join-token -q worker": {Out: "SWMTKN-1-abc-def\n"}, cmdManager: {Out: "\n"}, cmdNodeAddr: {Out: "10.0.0.6\n"}}, 0,
			"docker swarm join --token SWMTKN-1-abc-def 10.0.0.6:2377"},
		{"join command without a swarm", "worker_join", map[string]reply{"swarm join-token -q worker": {Code: 1}}, 1, "run docker swarm init on node1 first"},
		{"node2 id", "node2_id", map[string]reply{cmdNodeIDs: {Out: "aaa node1 Ready\nold node2 Down\nbbb node2 Ready\n"}}, 0, "bbb"},
		{"node2 id before joining", "node2_id", map[string]reply{cmdNodeIDs: {Out: "aaa node1 Ready\n"}}, 1, "node2 is not a ready member"},
		{"sleeping containers", "sleeper_id", map[string]reply{cmdSleepers: {Out: "044bea1c2277 \n9f8e7d6c5b4a x1y2z3\n1a2b3c4d5e6f \n"}}, 0, "044bea1c2277 1a2b3c4d5e6f"},
		{"no sleeping container", "sleeper_id", map[string]reply{cmdSleepers: {Out: "9f8e7d6c5b4a x1y2z3\n"}}, 1, "No container started with docker run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runScript(t, value(tt.value), tt.replies)
			if code != tt.code || (code == 0 && out != tt.out) || (code != 0 && !strings.Contains(out, tt.out)) {
				t.Fatalf("exit %d, output %q; want exit %d, output %q", code, out, tt.code, tt.out)
			}
		})
	}
}
