package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

func TestLoadImage(t *testing.T) {
	cli := testClient(t)
	e := testEngine(t, cli, Config{NodeImage: nodeImage(t, cli)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := buildTinyImage(t, cli)
	_, nodes := newSession(t, e, 4)
	waitAll(t, e, nodes)

	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ContainerID
	}
	if err := e.LoadImage(ctx, ids, img); err != nil {
		t.Fatalf("LoadImage: %v", err)
	}
	for _, n := range nodes {
		out, code, err := e.Exec(ctx, n.ContainerID, "docker image inspect --format '{{.Config.Labels.purpose}}' "+img, 30*time.Second)
		if err != nil || code != 0 || out != "engine-test\n" {
			t.Errorf("%s: image inspect = %q, %d, %v", n.Name, out, code, err)
		}
	}

	err := e.LoadImage(ctx, ids, "pg-engine-test-missing:none")
	if fault.ErrorCode(err) != fault.ENOTFOUND {
		t.Errorf("LoadImage of a missing image: got %v, want ENOTFOUND", err)
	}
}

// buildTinyImage builds a FROM scratch image with one file through the
// engine API, and removes it when the test ends.
func buildTinyImage(t *testing.T, cli client.APIClient) string {
	t.Helper()
	tag := "pg-engine-test:" + randomID(t, 4)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range map[string]string{
		"Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\nLABEL purpose=engine-test\n",
		"hello.txt":  "hello from the engine test\n",
	} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := cli.ImageBuild(ctx, &buf, build.ImageBuildOptions{Tags: []string{tag}, Remove: true})
	if err != nil {
		t.Fatalf("ImageBuild: %v", err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	t.Cleanup(func() {
		if _, err := cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}); err != nil {
			t.Errorf("remove %s: %v", tag, err)
		}
	})
	if _, err := cli.ImageInspect(ctx, tag); err != nil {
		t.Fatalf("built image %s is missing: %v\n%s", tag, err, out)
	}
	return tag
}
