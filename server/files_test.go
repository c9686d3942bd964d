package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/fault"
)

// A learner uploads a file to a node and downloads it back byte for byte; a
// relative path lands where the node's shell is; strangers get 404; bad
// paths, folders, missing files and files over the limit get clear errors
// and leave nothing behind.
func TestUploadAndDownload(t *testing.T) {
	e := newEnv(t, envConfig{Docker: true, Server: Config{UploadMax: 4 << 20}})
	ctx := context.Background()
	c := client.New(e.ts.URL)
	s, err := c.CreateSession(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 3<<20+17)
	rand.Read(data)
	info, err := c.Upload(ctx, s.ID, "node2", "up/data.bin", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != "/root/up/data.bin" || info.Size != int64(len(data)) {
		t.Fatalf("upload = %+v, want /root/up/data.bin of %d bytes", info, len(data))
	}
	var got bytes.Buffer
	if n, err := c.Download(ctx, s.ID, "node2", "/root/up/data.bin", &got); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("download: %d bytes, %v; same as uploaded: %v", n, err, bytes.Equal(got.Bytes(), data))
	}
	node2 := containerOf(t, e, s.ID, "node2")
	if out, _, _ := e.engine.Exec(ctx, node2, "sha256sum /root/up/data.bin | cut -c1-16; ls -A /root/up", 20*time.Second); strings.Count(out, "\n") != 2 {
		t.Errorf("the node holds more than the file in /root/up:\n%s", out)
	}

	// The shell moved to /tmp/work: a relative path lands there.
	term, err := c.Terminal(ctx, s.ID, "node1")
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	if err := term.WaitReplayed(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	term.Send("mkdir -p /tmp/work && cd /tmp/work && echo moved-$((6*7))\r")
	if err := term.WaitOutput("moved-42", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if info, err := c.Upload(ctx, s.ID, "node1", "notes.txt", strings.NewReader("hello\n"), 6); err != nil || info.Path != "/tmp/work/notes.txt" {
		t.Fatalf("upload beside the shell = %+v, %v; want /tmp/work/notes.txt", info, err)
	}
	term.Send("cat notes.txt\r")
	if err := term.WaitOutput("hello", 20*time.Second); err != nil {
		t.Fatal(err)
	}

	// A stranger sees nothing, either way.
	stranger := client.New(e.ts.URL)
	if _, err := stranger.Download(ctx, s.ID, "node2", "/root/up/data.bin", &bytes.Buffer{}); status(err) != http.StatusNotFound {
		t.Errorf("a stranger's download: %v, want 404", err)
	}
	if _, err := stranger.Upload(ctx, s.ID, "node2", "/root/evil", strings.NewReader("x"), 1); status(err) != http.StatusNotFound {
		t.Errorf("a stranger's upload: %v, want 404", err)
	}

	for _, tc := range []struct {
		name, node, path string
		want             int
	}{
		{"a missing file", "node2", "/root/nothing-here", http.StatusNotFound},
		{"a folder", "node2", "/root/up", http.StatusBadRequest},
		{"a device", "node2", "/dev/zero", http.StatusBadRequest},
		{"no path", "node2", "", http.StatusBadRequest},
		{"a NUL byte", "node2", "a\x00b", http.StatusBadRequest},
		{"a missing node", "node9", "/etc/hostname", http.StatusNotFound},
	} {
		if _, err := c.Download(ctx, s.ID, tc.node, tc.path, &bytes.Buffer{}); status(err) != tc.want {
			t.Errorf("download of %s: %v, want %d", tc.name, err, tc.want)
		}
	}
	big := make([]byte, 4<<20+1)
	if _, err := c.Upload(ctx, s.ID, "node2", "big.bin", bytes.NewReader(big), int64(len(big))); status(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("upload over the limit: %v, want 413", err)
	}
	if _, err := c.Upload(ctx, s.ID, "node2", "/root/up", strings.NewReader("x"), 1); status(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "folder") {
		t.Errorf("upload onto a folder: %v, want 400 naming the folder", err)
	}
	// A body that ends before its announced size writes nothing.
	if _, err := e.engine.WriteFile(ctx, node2, "short.bin", 100, strings.NewReader(strings.Repeat("x", 50))); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("a short upload: %v, want invalid", err)
	}
	if out, _, _ := e.engine.Exec(ctx, node2, "ls -A /root | grep -c -e short.bin -e big.bin -e playground-upload", 20*time.Second); strings.TrimSpace(out) != "0" {
		t.Errorf("failed uploads left %s files in /root", strings.TrimSpace(out))
	}

	// A node that died answers 503, saying so, both ways.
	if err := e.docker.ContainerKill(ctx, node2, "KILL"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, s.ID, "node2", "late.txt", strings.NewReader("x"), 1); status(err) != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "node2 is not running") {
		t.Errorf("upload to a dead node: %v, want 503 saying node2 is not running", err)
	}
	if _, err := c.Download(ctx, s.ID, "node2", "/root/up/data.bin", &bytes.Buffer{}); status(err) != http.StatusServiceUnavailable {
		t.Errorf("download from a dead node: %v, want 503", err)
	}
}
