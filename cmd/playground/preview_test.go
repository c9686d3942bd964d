package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The preview names the lab by the slug of its lab.md, even when the lab
// fails lint, and by its folder when lab.md gives none.
func TestPreviewSlug(t *testing.T) {
	root := t.TempDir()
	write := func(folder, labMD string) string {
		dir := filepath.Join(root, folder)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "lab.md"), []byte(labMD), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, tc := range []struct{ folder, labMD, want string }{
		{"draft", "---\nslug: my-lab\ntitle: T\nlanguages: en\nnodes: node1\n---\n", "my-lab"}, // fails lint: no en.md
		{"no-slug", "---\ntitle: T\n---\n", "no-slug"},
		{"bad-slug", "---\nslug: Not A Slug\n---\n", "bad-slug"},
	} {
		if got := labSlug(write(tc.folder, tc.labMD)); got != tc.want {
			t.Errorf("slug of %s = %q, want %q", tc.folder, got, tc.want)
		}
	}
}

// A preview of a folder that is not a lab, or with stray arguments, stops
// before serving anything.
func TestPreviewRefusesNonLabs(t *testing.T) {
	ctx := context.Background()
	getenv := func(string) string { return "" }
	if err := previewLab(ctx, []string{t.TempDir()}, io.Discard, getenv); err == nil || !strings.Contains(err.Error(), "not a lab") {
		t.Errorf("a folder without lab.md: %v", err)
	}
	for _, args := range [][]string{nil, {"a", "b"}, {"a", "-addr", "x", "c"}} {
		if err := previewLab(ctx, args, io.Discard, getenv); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("arguments %q: %v, want the usage", args, err)
		}
	}
}
