package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/labs/pwdimport"
)

// samplePost is a Play with Docker post of the importer's test data.
const samplePost = "../../labs/pwdimport/testdata/2018-03-14-volumes-and-networks.md"

func TestLabImportPWD(t *testing.T) {
	ctx := context.Background()
	envDir := filepath.Join(t.TempDir(), "runtime-labs")
	getenv := func(k string) string {
		if k == "PLAYGROUND_LABS_DIR" {
			return envDir
		}
		return ""
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := importPWD(ctx, args, &out, getenv)
		return out.String(), err
	}

	// By default the lab lands in PLAYGROUND_LABS_DIR, named after the post.
	out, err := run(samplePost)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	dir := filepath.Join(envDir, "volumes-and-networks")
	for _, want := range []string{
		`converted to the lab "volumes-and-networks": 5 sections, 2 nodes, images: alpine:3.19 nginx:latest postgres:16 redis:latest`,
		`line 13: the Liquid tag "{% include toc.html %}" has no equivalent in a lab and was dropped`,
		"the playground will need these images in its registry/engine",
		"The lab is in " + dir + " and lints clean. A running server serves it at once: PLAYGROUND_LABS_DIR is watched.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errs := labs.Lint(os.DirFS(dir), "."); len(errs) > 0 {
		t.Fatalf("the imported lab does not lint: %v", errs)
	}

	// A second import refuses to overwrite, unless --force, which may come
	// before or after the post.
	if _, err := run(samplePost); !errors.Is(err, pwdimport.ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second import: err = %v, want one that names --force", err)
	}
	if out, err := run("--force", samplePost); err != nil {
		t.Fatalf("import --force: %v\n%s", err, out)
	}

	// --out and --slug choose the folder and the name.
	outDir := t.TempDir()
	if out, err := run(samplePost, "--slug", "my-volumes", "--out", outDir); err != nil {
		t.Fatalf("import --slug --out: %v\n%s", err, out)
	}
	meta, err := os.ReadFile(filepath.Join(outDir, "my-volumes", "lab.md"))
	if err != nil || !strings.Contains(string(meta), "\nslug: my-volumes\n") {
		t.Fatalf("lab.md of --slug my-volumes: %v\n%s", err, meta)
	}

	// A lab with a built-in lab's slug is written, with a warning.
	if out, err := run(samplePost, "--slug", "docker-orchestration", "--out", outDir); err != nil ||
		!strings.Contains(out, `The built-in lab "docker-orchestration" has the same slug`) {
		t.Errorf("import over a built-in slug: %v\n%s", err, out)
	}

	for _, args := range [][]string{
		{},
		{samplePost, samplePost},
		{samplePost, "--slug", "Not A Slug", "--out", outDir},
		{"--nope", samplePost},
		{filepath.Join(outDir, "missing.md")},
	} {
		if _, err := run(args...); err == nil {
			t.Errorf("import %q succeeded", args)
		}
	}
}

func TestLabImportPWDWithLabsDirOff(t *testing.T) {
	var out bytes.Buffer
	off := func(k string) string {
		if k == "PLAYGROUND_LABS_DIR" {
			return "off"
		}
		return ""
	}
	err := importPWD(context.Background(), []string{samplePost}, &out, off)
	if err == nil || !strings.Contains(err.Error(), "--out") {
		t.Fatalf("err = %v, want one that asks for --out", err)
	}
	if _, err := os.Stat("off"); err == nil {
		t.Fatal("a folder named off was created")
	}
}

func TestLabImportPWDReportsLintProblems(t *testing.T) {
	// A port: link written by hand in the post is passed on as it is, and
	// lint tells the author what is wrong with it.
	post := filepath.Join(t.TempDir(), "2020-05-05-broken.md")
	os.WriteFile(post, []byte("---\ntitle: Broken\n---\nOpen [it](port:oops).\n"), 0o644)
	var out bytes.Buffer
	err := importPWD(context.Background(), []string{post, "--out", t.TempDir()}, &out, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "1 problems found") {
		t.Fatalf("err = %v, want lint problems\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "broken/en.md:7: port link \"port:oops\"") || !strings.Contains(out.String(), "does not lint clean") {
		t.Errorf("output does not show the lint problem by file and line:\n%s", out.String())
	}
}
