package pwdimport

import (
	"slices"
	"testing"
)

func TestImagesOfCommands(t *testing.T) {
	cases := []struct {
		script         string
		images, others []string // others: built, then dynamic and bad words
	}{
		{"docker run nginx", []string{"nginx:latest"}, nil},
		{"docker run -d -p 80:80 --name web nginx:1.25-alpine", []string{"nginx:1.25-alpine"}, nil},
		{"docker run -dp 8080:80 -e A=B -v a:b --rm -it alpine sh -c 'docker run x'", []string{"alpine:latest"}, nil},
		{"docker run -p80:80 --network=appnet -w /src -u 1000 busybox:1.36 ls -l", []string{"busybox:1.36"}, nil},
		{"docker container run --detach --restart always redis", []string{"redis:latest"}, nil},
		{"docker create --name c -- alpine:3.20", []string{"alpine:3.20"}, nil},
		{"docker pull -q docker.io/library/ubuntu:22.04", []string{"ubuntu:22.04"}, nil},
		{"docker image pull --platform linux/arm64 ghcr.io/owner/tool", []string{"ghcr.io/owner/tool:latest"}, nil},
		{"docker service create --name web --replicas 3 -p 80:80 --mount type=volume,dst=/d --detach nginx", []string{"nginx:latest"}, nil},
		{"docker service update --image nginx:1.27 web", []string{"nginx:1.27"}, nil},
		{"docker -H tcp://node2:2375 run -d alpine", []string{"alpine:latest"}, nil},
		{"sudo A=1 docker run --rm \\\n  -e NAME=$(hostname) \\\n  alpine echo hi", []string{"alpine:latest"}, nil},
		{"docker ps && docker run -d mongo:7 ; docker images | grep x", []string{"mongo:7"}, nil},
		{"$ docker run hello-world\nHello from Docker!", []string{"hello-world:latest"}, nil},
		{"docker run alpine@sha256:" + sha, []string{"alpine@sha256:" + sha}, nil},
		{"docker run localhost:5000/app", []string{"localhost:5000/app:latest"}, nil},
		{"# docker run commented-out\necho 'docker run quoted'", nil, nil},
		{"docker build -t web:1 . && docker run web:1", nil, []string{"web:1"}},
		{"docker tag alpine me/alpine:mine && docker commit c1 me/snap", nil, []string{"me/alpine:mine", "me/snap:latest"}},
		{"docker run -d $IMAGE", nil, []string{"$IMAGE"}},
		{"docker run -d \"${REPO}/app\"", nil, []string{"${REPO}/app"}},
		{"docker run -d Not_An_Image", nil, []string{"Not_An_Image"}},
		{"docker swarm init --advertise-addr $(hostname -i)", nil, nil},
		{"docker run", nil, nil},
	}
	for _, tc := range cases {
		f := &imageFinder{}
		f.script(tc.script)
		if len(f.opaque) > 0 {
			t.Errorf("%q: opaque commands %v", tc.script, f.opaque)
		}
		others := append(append(append([]string{}, f.built...), f.dynamic...), f.bad...)
		if !slices.Equal(f.needed(), tc.images) || !slices.Equal(others, tc.others) {
			t.Errorf("%q: images %v, others %v; want %v, %v", tc.script, f.needed(), others, tc.images, tc.others)
		}
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestImagesOfComposeCommands(t *testing.T) {
	f := &imageFinder{}
	f.script("git clone x && cd x && docker compose up -d\ndocker stack deploy -c s.yml app\ndocker-compose ps")
	if want := []string{"docker compose", "docker stack", "docker-compose"}; !slices.Equal(f.opaque, want) {
		t.Errorf("opaque = %v, want %v", f.opaque, want)
	}
}

func TestImagesOfFiles(t *testing.T) {
	f := &imageFinder{}
	f.compose("services:\n  web:\n    image: 'nginx:1.27'\n  db:\n    image: postgres\ncontainers:\n- image: busybox\n")
	f.dockerfile("FROM --platform=linux/amd64 golang:1.22 AS build\nFROM build AS test\nFROM scratch\nfrom lowercase\nFROM alpine:3.20\n")
	want := []string{"nginx:1.27", "postgres:latest", "busybox:latest", "golang:1.22", "alpine:3.20"}
	if !slices.Equal(f.needed(), want) {
		t.Errorf("images = %v, want %v", f.needed(), want)
	}
}

func TestShellCommands(t *testing.T) {
	got := shellCommands("a 'b c' \"d \\\"e\\\"\" f\\ g # note\nh|i;j && k $(l m) `n o`")
	want := [][]string{{"a", "b c", `d "e"`, "f g"}, {"h"}, {"i"}, {"j"}, {"k", "$(l m)", "`n o`"}}
	if len(got) != len(want) {
		t.Fatalf("commands = %q, want %q", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("command %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// Where the parser reads differently from a splitter of words: here-document
// bodies are data, compound commands hold commands, and a line that is not
// shell is skipped without swallowing the lines after it.
func TestShellCommandsEdges(t *testing.T) {
	cases := []struct {
		name, script string
		want         [][]string
	}{
		{"plain and other words", "docker run \"$HOME/x\" ${X:-y} $'a\\tb' ngi\\\nnx \"a\\$b\\c\"",
			[][]string{{"docker", "run", "$HOME/x", "${X:-y}", `$'a\tb'`, "nginx", `a$b\c`}}},
		{"assignments and redirections", "X=1 docker run a >out 2>&1 </dev/null",
			[][]string{{"docker", "run", "a"}}},
		{"here-document", "cat <<EOF >Dockerfile\ndocker run not-a-command\nEOF\ndocker run -d nginx",
			[][]string{{"cat"}, {"docker", "run", "-d", "nginx"}}},
		{"compound commands", "if true; then docker run a; fi\nfor i in 1 2; do docker pull b; done\nf() { docker run c; }",
			[][]string{{"true"}, {"docker", "run", "a"}, {"docker", "pull", "b"}, {"docker", "run", "c"}}},
		{"unterminated quote", "docker run a\necho 'oops\ndocker run b",
			[][]string{{"docker", "run", "a"}, {"docker", "run", "b"}}},
		{"output that is not shell", "docker images\n<none>   <none>   0123abcd\ndocker run c",
			[][]string{{"docker", "images"}, {"docker", "run", "c"}}},
	}
	for _, tc := range cases {
		got := shellCommands(tc.script)
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("%s: commands = %q, want %q", tc.name, got, tc.want)
		}
	}
}
