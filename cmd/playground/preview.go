package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/labplay/playground/app"
	"github.com/labplay/playground/labs"
)

// previewUsage says how "playground lab preview" is called.
const previewUsage = "usage: playground lab preview [-addr HOST:PORT] DIR"

// previewLab runs "playground lab preview DIR": the playground, as serve
// runs it (configured by the same environment: DATABASE_URL, the Docker
// engine...), with the lab of folder DIR in its labs folder, in preview:
// the page of a session of the lab shows each saved version of its text
// within two seconds, keeping its terminals, and the lint problems of a
// version that fails. It prints the address of the lab and serves until
// ctx ends.
func previewLab(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("lab preview", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() { fmt.Fprintln(out, previewUsage); fs.PrintDefaults() }
	addr := fs.String("addr", app.DefaultAddr, "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Flags may come after DIR too.
	if fs.NArg() > 1 {
		dir := fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errors.New(previewUsage)
		}
		return servePreview(ctx, dir, *addr, out, getenv)
	}
	if fs.NArg() != 1 {
		return errors.New(previewUsage)
	}
	return servePreview(ctx, fs.Arg(0), *addr, out, getenv)
}

// servePreview serves the lab of dir on addr until ctx ends. The server's
// labs folder is a temporary one holding a link to dir named after the
// lab's slug, so the server watches dir as it watches any labs folder.
func servePreview(ctx context.Context, dir, addr string, out io.Writer, getenv func(string) string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "lab.md")); err != nil {
		return fmt.Errorf("%s is not a lab: a lab is a folder with a lab.md (%w)", dir, err)
	}
	slug := labSlug(dir)
	labsDir, err := os.MkdirTemp("", "playground-preview-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(labsDir)
	if err := os.Symlink(dir, filepath.Join(labsDir, slug)); err != nil {
		return err
	}

	var m app.Main
	m.Output = out
	if err := m.ParseFlags(nil, getenv); err != nil {
		return err
	}
	m.Config.Addr = addr
	m.Config.LabsDir = labsDir
	m.Config.Server.Preview = true
	m.Config.Sessions.PoolSize = 0 // one author needs no warm sessions
	m.OnListen = func(a net.Addr) {
		fmt.Fprintf(out, "Previewing %s (%s): open http://%s/?lab=%s\n"+
			"Its text reloads in the page as you save; lint problems show there and in the log. Ctrl-C to stop.\n",
			slug, dir, a, slug)
	}
	return m.Run(ctx)
}

// labSlug returns the slug that lab.md of dir gives, or the folder's name
// when it gives none or the lab does not load.
func labSlug(dir string) string {
	if lab, err := labs.LoadLab(os.DirFS(dir), "."); err == nil {
		return lab.Slug
	}
	// A lab that fails lint: its slug line, if it reads as one.
	if f, err := os.Open(filepath.Join(dir, "lab.md")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 0; sc.Scan() && n < 50; n++ {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "slug:"); ok && labs.ValidSlug(strings.TrimSpace(v)) {
				return strings.TrimSpace(v)
			}
		}
	}
	return filepath.Base(dir)
}
