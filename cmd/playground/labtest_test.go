package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
)

// "lab test" needs exactly one lab, takes its flags before or after it, and
// says clearly when no playground answers at --server.
func TestLabTestArgs(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{nil, {"a", "b"}, {"docker-basics", "--block-timeout", "soon"}} {
		if err := labTest(ctx, args, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "usage:") {
			t.Errorf("lab test %q: %v, want the usage", args, err)
		}
	}
	// A port where nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	err = labTest(ctx, []string{"--lang", "en", "docker-basics", "--server", "http://" + addr}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the playground at http://"+addr) {
		t.Errorf("lab test against nothing: %v, want it to say it cannot reach the playground", err)
	}
}
