package engine

import (
	"context"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/go-connections/nat"
)

// The registry holds the labs' images and the nodes pull them from it, as
// their mirror, with egress to the internet and without.
func TestRegistryMirrorsSeededImages(t *testing.T) {
	cli := testClient(t)
	const img = "mtbsoft/myipaddress:latest"
	if _, err := cli.ImageInspect(context.Background(), "playground-registry:latest"); err != nil {
		t.Skip("no playground-registry:latest image (make images builds it)")
	}
	if _, err := cli.ImageInspect(context.Background(), img); err != nil {
		t.Skipf("no %s image (make images builds it)", img)
	}
	for i, egress := range []string{EgressInternet, EgressNone} {
		t.Run(egress, func(t *testing.T) {
			e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), RegistryImage: "playground-registry:latest", Egress: egress})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			t.Cleanup(func() { removeRegistry(t, e) })
			if err := e.EnsureRegistry(ctx, []string{img}); err != nil {
				t.Fatalf("EnsureRegistry: %v", err)
			}
			// A second call with the same images keeps the registry.
			before, _ := cli.ContainerInspect(ctx, registryName(e.cfg.Instance))
			if err := e.EnsureRegistry(ctx, []string{img}); err != nil {
				t.Fatal(err)
			}
			if after, _ := cli.ContainerInspect(ctx, registryName(e.cfg.Instance)); after.ID != before.ID {
				t.Error("the registry was made again for the same images")
			}
			_, nodes := newSession(t, e, 11+i)
			waitAll(t, e, nodes)
			start := time.Now()
			out, code, err := e.Exec(ctx, nodes[0].ContainerID, "docker pull -q "+img+" && docker image inspect --format ok "+img, 2*time.Minute)
			if err != nil || code != 0 || !strings.Contains(out, "ok") {
				t.Fatalf("pull in a node: %v %d %s", err, code, out)
			}
			t.Logf("pulled %s from the registry in %v (egress %s)", img, time.Since(start).Round(time.Millisecond), egress)
			logs, err := cli.ContainerLogs(ctx, registryName(e.cfg.Instance), container.LogsOptions{ShowStdout: true, ShowStderr: true})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(logs)
			logs.Close()
			if !strings.Contains(string(b), "/v2/mtbsoft/myipaddress/manifests/") {
				t.Errorf("the registry served no manifest; its log:\n%s", b)
			}
			// An upload is refused: the nodes' registry is read-only (a
			// node's root could make its engine push over plain HTTP).
			url := "http://" + lastHost(testSubnet(11+i)).String() + ":5000/v2/x/y/blobs/uploads/"
			out, _, err = e.Exec(ctx, nodes[0].ContainerID, "curl -s -o /dev/null -w '%{http_code}' -X POST "+url, time.Minute)
			if err != nil || strings.TrimSpace(out) == "202" || strings.TrimSpace(out) == "" {
				t.Errorf("starting an upload to the registry from a node: %q, %v; want a refusal", out, err)
			} else {
				t.Logf("an upload from a node: HTTP %s", strings.TrimSpace(out))
			}
			// A lab with a new image (the labs folder changed) makes the
			// registry anew; the running session's nodes still reach it.
			const more = "labplay/kv:1"
			if _, err := cli.ImageInspect(ctx, more); err != nil || egress != EgressNone {
				return
			}
			if err := e.EnsureRegistry(ctx, []string{img, more}); err != nil {
				t.Fatalf("EnsureRegistry with a new image: %v", err)
			}
			if after, _ := cli.ContainerInspect(ctx, registryName(e.cfg.Instance)); after.ID == before.ID {
				t.Fatal("the registry was not made again for a new image")
			}
			out, code, err = e.Exec(ctx, nodes[0].ContainerID, "docker pull -q "+more+" && docker image inspect --format ok "+more, 2*time.Minute)
			if err != nil || code != 0 || !strings.Contains(out, "ok") {
				t.Errorf("pull of the new image in a running session's node, from the registry made anew: %v %d %s", err, code, out)
			}
		})
	}
}

func TestLastHostAndRegistryPath(t *testing.T) {
	t.Parallel()
	if got := lastHost(netip.MustParsePrefix("100.64.3.16/28")); got.String() != "100.64.3.30" {
		t.Errorf("lastHost = %s", got)
	}
	for in, want := range map[string]string{"nginx": "library/nginx", "nginx:1.27": "library/nginx:1.27",
		"mtbsoft/myipaddress:latest": "mtbsoft/myipaddress:latest", "alpine@sha256:ab": "library/alpine@sha256:ab"} {
		if got := registryPath(in); got != want {
			t.Errorf("registryPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// removeRegistry removes a test instance's registry and cache.
func removeRegistry(t *testing.T, e *Engine) {
	if err := e.RemoveRegistry(context.Background()); err != nil {
		t.Errorf("RemoveRegistry: %v", err)
	}
}

// With egress to the internet, a cache keeps what the nodes pull from the
// upstream registry (here a registry of the test's own standing in for
// Docker Hub, which this host does not reach): the first pull fetches the
// image, the next one is served with the upstream gone.
func TestRegistryCacheKeepsUpstreamPulls(t *testing.T) {
	cli := testClient(t)
	const regImage, img = "playground-registry:latest", "mtbsoft/myipaddress:latest"
	if _, err := cli.ImageInspect(context.Background(), regImage); err != nil {
		t.Skip("no playground-registry:latest image (make images builds it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	// The stand-in upstream, holding an image the labs do not declare.
	up := New(cli, Config{RegistryImage: regImage, Instance: "enginetest-up-" + randomID(t, 4)}, nil)
	cfg, hc := up.registryConfig("upstream")
	cfg.Cmd = []string{registrySeedConfig}
	cfg.ExposedPorts = nat.PortSet{registryPort + "/tcp": {}}
	hc.RestartPolicy = container.RestartPolicy{}
	hc.PortBindings = nat.PortMap{registryPort + "/tcp": {{HostIP: "127.0.0.1"}}}
	hc.Mounts = nil
	created, err := cli.ContainerCreate(ctx, cfg, hc, nil, nil, "pg-test-upstream-"+randomID(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true}) })
	if err := cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	info, err := cli.ContainerInspect(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	port := info.NetworkSettings.Ports[registryPort+"/tcp"][0].HostPort
	upstreamIP := info.NetworkSettings.Networks["bridge"].IPAddress
	target := "127.0.0.1:" + port + "/playgroundtest/cached:1"
	if err := cli.ImageTag(ctx, img, target); err != nil {
		t.Fatal(err)
	}
	if err := up.push(ctx, target); err != nil {
		t.Fatalf("push to the stand-in upstream: %v", err)
	}
	cli.ImageRemove(ctx, target, image.RemoveOptions{})

	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli), RegistryImage: regImage,
		RegistryUpstream: "http://" + upstreamIP + ":" + registryPort, Egress: EgressInternet})
	t.Cleanup(func() { removeRegistry(t, e) })
	if err := e.EnsureRegistry(ctx, []string{img}); err != nil {
		t.Fatalf("EnsureRegistry: %v", err)
	}
	_, nodes := newSession(t, e, 13)
	waitAll(t, e, nodes)
	pull := func(n Node) (string, int) {
		out, code, err := e.Exec(ctx, n.ContainerID, "docker pull -q playgroundtest/cached:1", 2*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return out, code
	}
	if out, code := pull(nodes[0]); code != 0 {
		t.Fatalf("the first pull, through the cache: %d %s", code, out)
	}
	if err := cli.ContainerStop(ctx, created.ID, container.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	if out, code := pull(nodes[1]); code != 0 {
		t.Fatalf("the second pull, with the upstream gone: %d %s", code, out)
	}
}
