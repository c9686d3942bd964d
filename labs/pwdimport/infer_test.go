package pwdimport

import (
	"fmt"
	"strings"
	"testing"
)

// inferPost converts a post of three terminals made of body, checks that
// the lab lints, and returns its checks, each as "SECTION NODE: NOTDONE".
func inferPost(t *testing.T, body string) ([]string, *Result) {
	t.Helper()
	r, err := Convert([]byte("---\ntitle: T\nterms: 3\n---\n"+body), Options{Source: "2020-01-01-sample.md"})
	if err != nil {
		t.Fatal(err)
	}
	lab := lintResult(t, r)
	var out []string
	for _, c := range r.Checks {
		out = append(out, c.Section+" "+c.Node+": "+c.NotDone)
		if got := lab.Checks(c.Section); len(got) == 0 {
			t.Errorf("the lab loads no check of section %s", c.Section)
		}
	}
	return out, r
}

// block returns a section titled title holding a run block of terminal
// term with the given commands.
func block(title string, term int, commands ...string) string {
	return "## " + title + "\n\n```.term" + string(rune('0'+term)) + "\n" + strings.Join(commands, "\n") + "\n```\n\n"
}

// The conditions of the checks, with which the cases below are written.
const (
	running  = `[ "$(docker container inspect --format '{{.State.Running}}' %s 2>/dev/null)" != true ]`
	stopped  = `[ "$(docker container inspect --format '{{.State.Running}}' %s 2>/dev/null)" != false ]`
	replicas = `[ "$(docker service ls --filter name=%[1]s --format '{{.Name}} {{.Replicas}}' | awk -v n=%[1]s '$1 == n { print $2 }')" != %[2]s/%[2]s ]`
	manager  = `[ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" != true ]`
	member   = `[ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" != active ]`
	left     = `[ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" != inactive ]`
	answers  = `! curl -s -o /dev/null --max-time 5 http://localhost:%s/`
)

func TestInferCommandForms(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{
			name: "docker run --name, kept and detached",
			body: block("Run", 1, "docker run --name once alpine:3.19 echo hi", "docker run -d --name web labplay/web:1",
				"docker container run --detach --name=api labplay/web:1", "docker run -dit --name box alpine:3.19"),
			want: []string{
				"run node1: ! docker container inspect once >/dev/null 2>&1",
				"run node1: " + fmt.Sprintf(running, "web"),
				"run node1: " + fmt.Sprintf(running, "api"),
				"run node1: " + fmt.Sprintf(running, "box"),
			},
		},
		{
			name: "docker run with --rm, without a name, or with a name that is not literal",
			body: block("Run", 1, "docker run --rm --name gone alpine:3.19 true", "docker run -d labplay/web:1",
				"docker run -d --name $NAME labplay/web:1", `docker run -d --name "web-$(date +%s)" labplay/web:1`,
				"docker run alpine:3.19 sh -c 'docker run -d --name inner x'"),
		},
		{
			name: "published ports",
			body: block("Ports", 2, "docker run -dp 8080:80 --name web labplay/web:1",
				"docker run -d -p 127.0.0.1:8081:80/tcp labplay/web:1", "docker run -d --publish=8082:80 labplay/web:1",
				"docker run -d --publish published=8084,target=80 labplay/web:1",
				"docker run -d -p 5432:5432 -p 53:53/udp -p 80 -p 8000-8001:80-81 postgres:16",
				"docker run -p 8083:80 labplay/web:1"),
			want: []string{
				"ports node2: " + fmt.Sprintf(running, "web"),
				"ports node2: " + fmt.Sprintf(answers, "8080"),
				"ports node2: " + fmt.Sprintf(answers, "8081"),
				"ports node2: " + fmt.Sprintf(answers, "8082"),
			},
		},
		{
			name: "volumes, networks, configs, secrets and stacks",
			body: block("Objects", 1, "docker volume create notes", "docker network create -d overlay --attachable appnet",
				"docker config create site ./site.conf", "echo s3cret | docker secret create db_pass -",
				"docker stack deploy -c stack.yml shop", "docker volume create", "docker network create $NET"),
			want: []string{
				"objects node1: ! docker volume inspect notes >/dev/null 2>&1",
				"objects node1: ! docker network inspect appnet >/dev/null 2>&1",
				"objects node1: ! docker config inspect site >/dev/null 2>&1",
				"objects node1: ! docker secret inspect db_pass >/dev/null 2>&1",
				`objects node1: [ -z "$(docker stack services -q shop 2>/dev/null)" ]`,
			},
		},
		{
			name: "images built and tagged",
			body: block("Images", 1, "docker build -t hi:1.0 .", "docker image build --tag=web .",
				"docker tag hi:1.0 registry.example.com:5000/team/hi:1.0", "docker build -t $IMG .", "docker build ."),
			want: []string{
				"images node1: ! docker image inspect hi:1.0 >/dev/null 2>&1",
				"images node1: ! docker image inspect web >/dev/null 2>&1",
				"images node1: ! docker image inspect registry.example.com:5000/team/hi:1.0 >/dev/null 2>&1",
			},
		},
		{
			name: "a swarm, joined with a token to paste",
			body: block("Init", 1, "docker swarm init --advertise-addr $(hostname -i)") +
				block("Join", 2, "docker swarm join --token <TOKEN> <IP>:2377") +
				block("Join a manager", 3, "docker swarm join --token $(cat token) 10.0.0.1:2377"),
			want: []string{"init node1: " + manager, "join node2: " + member, "join-a-manager node3: " + member},
		},
		{
			name: "services and their replicas",
			body: block("Create", 1, "docker service create --name web --replicas 3 -p 8000:80 labplay/web:1",
				"docker service create --name one --detach labplay/web:1", "docker service create labplay/web:1") +
				block("Scale", 1, "docker service update --replicas 5 web", "docker service scale one=2 two=$N") +
				block("Scale again", 1, "docker service update --replicas=5 web", "docker service scale one=4"),
			want: []string{
				"create node1: " + fmt.Sprintf(replicas, "web", "3"),
				"create node1: ! docker service inspect one >/dev/null 2>&1",
				"scale node1: " + fmt.Sprintf(replicas, "web", "5"),
				"scale node1: " + fmt.Sprintf(replicas, "one", "2"),
				// web has 5 replicas already: a check would pass too early.
				"scale-again node1: " + fmt.Sprintf(replicas, "one", "4"),
			},
		},
		{
			name: "node availability",
			body: block("Drain", 1, "docker node update --availability drain node2") +
				block("Back", 1, "docker node update --availability active node2") +
				block("Active again", 1, "docker node update --availability active node3"),
			want: []string{
				`drain node1: [ "$(docker node inspect --format '{{.Spec.Availability}}' node2 2>/dev/null)" != drain ]`,
				`back node1: [ "$(docker node inspect --format '{{.Spec.Availability}}' node2 2>/dev/null)" != active ]`,
			},
		},
		{
			name: "removals of what earlier sections made",
			body: block("Make", 1, "docker run -d --name web -p 8080:80 labplay/web:1", "docker run --name once alpine:3.19 true", "docker volume create notes",
				"docker service create --name svc labplay/web:1", "docker swarm init") +
				block("Stop", 1, "docker stop web", "docker stop other", "docker stop once") +
				block("Remove", 1, "docker rm -f web", "docker volume rm notes", "docker service rm svc", "docker rm never",
					"docker swarm leave --force"),
			want: []string{
				"make node1: " + fmt.Sprintf(running, "web"),
				"make node1: " + fmt.Sprintf(answers, "8080"),
				"make node1: ! docker container inspect once >/dev/null 2>&1",
				"make node1: ! docker volume inspect notes >/dev/null 2>&1",
				"make node1: ! docker service inspect svc >/dev/null 2>&1",
				"make node1: " + manager,
				"stop node1: " + fmt.Sprintf(stopped, "web"),
				"stop node1: curl -s -o /dev/null --max-time 5 http://localhost:8080/",
				// once ran in the foreground: it may have stopped already, so
				// docker stop once gets no check.
				"remove node1: docker container inspect web >/dev/null 2>&1",
				"remove node1: docker volume inspect notes >/dev/null 2>&1",
				"remove node1: docker service inspect svc >/dev/null 2>&1",
				"remove node1: " + left,
			},
		},
		{
			name: "the final state of a section: what it makes and removes leaves nothing to check",
			body: block("Round trip", 1, "docker run -d --name tmp -p 9090:80 labplay/web:1", "docker volume create v1",
				"docker rm -f tmp", "docker volume rm v1", "docker network create n1") +
				block("Grow", 1, "docker service create --name web labplay/web:1", "docker service scale web=3"),
			want: []string{
				"round-trip node1: ! docker network inspect n1 >/dev/null 2>&1",
				"grow node1: " + fmt.Sprintf(replicas, "web", "3"),
			},
		},
		{
			name: "files written by commands",
			body: block("Files", 1, "echo hi > notes.txt", "mkdir -p app && cd app", "cat > Dockerfile <<'EOF'\nFROM scratch\nEOF",
				"touch a b", "date >> ~/log.txt", "docker ps > /dev/null", "echo x | tee /tmp/t.txt", "cd /srv", "touch c",
				"echo $X > $F", "cd $D", "touch d", "touch /etc/e"),
			want: []string{
				"files node1: [ ! -f /root/notes.txt ]",
				"files node1: [ ! -f /root/app/Dockerfile ]",
				"files node1: [ ! -f /root/app/a ]",
				"files node1: [ ! -f /root/app/b ]",
				"files node1: [ ! -f /root/log.txt ]",
				"files node1: [ ! -f /tmp/t.txt ]",
				"files node1: [ ! -f /srv/c ]",
				"files node1: [ ! -f /etc/e ]",
			},
		},
		{
			name: "Compose projects up and down",
			body: block("Up", 1, "cd app", "docker compose up -d", "docker-compose -f other.yml -p shop up --detach --build",
				"docker compose up", "docker compose -f $F up -d", "cd $X", "docker compose up -d") +
				block("Down", 1, "cd /root/app", "docker compose down -v", "cd /srv", "docker compose down"),
			want: []string{
				`up node1: [ -z "$(cd /root/app && docker compose ps -q --status running 2>/dev/null)" ]`,
				`up node1: [ -z "$(cd /root/app && docker compose --file other.yml --project-name shop ps -q --status running 2>/dev/null)" ]`,
				`down node1: [ -n "$(cd /root/app && docker compose ps -q --status running 2>/dev/null)" ]`,
			},
		},
		{
			name: "repositories cloned",
			body: block("Clone", 1, "git clone https://github.com/dockersamples/example-voting-app.git",
				"git clone --depth 1 -b main https://example.com/a/b /srv/b", "git clone $REPO", "git clone git@example.com:c.git"),
			want: []string{
				"clone node1: [ ! -d /root/example-voting-app ]",
				"clone node1: [ ! -d /srv/b ]",
				"clone node1: [ ! -d /root/c ]",
			},
		},
		{
			name: "files removed, and quoted paths",
			body: block("Write", 1, `echo hi > "my notes.txt"`, "mkdir data") + block("Remove", 1, `rm "my notes.txt"`, "rm -rf data", "rm other"),
			want: []string{
				`write node1: [ ! -f '/root/my notes.txt' ]`,
				"write node1: [ ! -d /root/data ]",
				`remove node1: [ -e '/root/my notes.txt' ]`,
				"remove node1: [ -e /root/data ]",
			},
		},
		{
			name: "commands typed into a container's shell are not the node's",
			body: block("Inside", 1, "docker run -it --name box alpine:3.19 sh", "touch /inside", "docker volume create nope", "exit",
				"touch /outside", "docker exec -it box sh", "echo x > /in-exec", "exit",
				"docker run -it --rm alpine:3.19 ping -c 1 localhost", "touch /after-ping",
				"docker run -ti --rm ubuntu", "touch /in-ubuntu", "exit",
				"docker run -it --rm -p 8080:80 nginx", "touch /after-nginx"),
			want: []string{
				"inside node1: ! docker container inspect box >/dev/null 2>&1",
				"inside node1: [ ! -f /outside ]",
				"inside node1: [ ! -f /after-ping ]",
				// nginx's default command is its server, not a shell.
				"inside node1: [ ! -f /after-nginx ]",
			},
		},
		{
			name: "the same object made again in a later section",
			body: block("First", 1, "docker volume create notes", "docker build -t hi .") + block("Again", 1, "docker volume create notes", "docker build -t hi ."),
			want: []string{
				"first node1: ! docker volume inspect notes >/dev/null 2>&1",
				"first node1: ! docker image inspect hi >/dev/null 2>&1",
			},
		},
		{
			name: "prompts, sudo and pasted output",
			body: block("Prompt", 1, "$ sudo docker volume create notes", "DRIVER    VOLUME NAME", "local     notes"),
			want: []string{"prompt node1: ! docker volume inspect notes >/dev/null 2>&1"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := inferPost(t, tc.body)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestInferredChecksAreMarkedAndExplained(t *testing.T) {
	body := block("Intro text", 1, "docker ps") + block("Volume", 1, "docker volume create notes") +
		block("Paste", 2, "docker service scale web=$N")
	_, r := inferPost(t, body)
	if len(r.Checks) != 1 {
		t.Fatalf("checks: %+v", r.Checks)
	}
	c := r.Checks[0]
	if c.Line != 13 || c.Command != "docker volume create notes" {
		t.Errorf("the check comes from line %d, command %q", c.Line, c.Command)
	}
	want := "# Inferred by lab import-pwd from the block at line 13 of the post:\n" +
		"#   docker volume create notes\n" +
		"if ! docker volume inspect notes >/dev/null 2>&1; then\n" +
		"  echo 'There is no volume notes yet. Run the docker volume create command of this section on node1.'\n" +
		"  exit 1\nfi"
	if c.Script() != want {
		t.Errorf("script:\n%s\nwant:\n%s", c.Script(), want)
	}
	lab := string(r.Files["lab.md"])
	wantContains(t, "lab.md", lab,
		"\"# Inferred by lab import-pwd\", that names the command",
		"The checks inferred from the post's commands, by section:\n\n```check volume node1\n"+want+"\n```\n")
	wantContains(t, "notes", noteText(r),
		"no check could be inferred for these sections, which stay done when the learner marks them so: intro-text, paste")

	// A post with nothing to infer says so, in lab.md as before.
	_, r = inferPost(t, block("Look", 1, "docker ps", "docker info"))
	if len(r.Checks) != 0 {
		t.Errorf("checks: %+v", r.Checks)
	}
	wantContains(t, "lab.md", string(r.Files["lab.md"]), "No checks or values were generated: every section\nis done when the learner marks it so")
	wantContains(t, "notes", noteText(r), "no check could be inferred from the post's commands: every section is done when the learner marks it so")
}

func TestInferredHintsAreOneLine(t *testing.T) {
	for _, name := range []string{"2018-03-14-volumes-and-networks.md", "2019-07-02-swarm-build-and-ship.md"} {
		r := convertFile(t, name)
		for _, c := range r.Checks {
			if c.Hint == "" || strings.Contains(c.Hint, "\n") || !strings.HasSuffix(c.Hint, " on "+c.Node+".") {
				t.Errorf("%s: check %s on %s has the hint %q", name, c.Section, c.Node, c.Hint)
			}
		}
	}
}

func TestInferSamplePosts(t *testing.T) {
	for _, tc := range []struct {
		post    string
		perSect map[string]int
	}{
		{"2018-03-14-volumes-and-networks.md", map[string]int{"create-a-volume": 1, "serve-the-volumes-content": 2,
			"connect-containers-on-a-network": 2, "clean-up": 5}},
		{"2019-07-02-swarm-build-and-ship.md", map[string]int{"dockerfile": 1, "build": 2, "start-the-swarm": 3,
			"run-it-as-a-service": 1}},
	} {
		r := convertFile(t, tc.post)
		lab := lintResult(t, r)
		withChecks := 0
		for _, id := range r.Sections {
			n := len(lab.Checks(id))
			if n != tc.perSect[id] {
				t.Errorf("%s: section %s has %d checks, want %d", tc.post, id, n, tc.perSect[id])
			}
			if n > 0 {
				withChecks++
			}
		}
		t.Logf("%s: %d of %d sections have inferred checks (%d checks)", tc.post, withChecks, len(r.Sections), len(r.Checks))
	}
}
