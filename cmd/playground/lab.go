package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/labs/pwdimport"
)

// labUsage says how the lab subcommands are called.
const labUsage = "usage: playground lab lint DIR... | playground lab import-pwd POST.md [--slug S] [--out DIR] [--force]" +
	" | playground lab import-killercoda DIR [--slug S] [--out DIR] [--force]" +
	" | playground lab test LAB [--server URL] [--lang L] [--keep] [--block-timeout D] [--check-wait D]" +
	" | playground lab preview [-addr ADDR] DIR"

// runLab runs "playground lab lint DIR...", "playground lab import-pwd",
// "playground lab test" and "playground lab preview".
func runLab(ctx context.Context, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "import-pwd":
		return importPWD(ctx, args[1:], os.Stdout, os.Getenv)
	case len(args) > 0 && args[0] == "import-killercoda":
		return importKillercoda(ctx, args[1:], os.Stdout, os.Getenv)
	case len(args) > 0 && args[0] == "test":
		return labTest(ctx, args[1:], os.Stdout, os.Stderr)
	case len(args) > 0 && args[0] == "preview":
		return previewLab(ctx, args[1:], os.Stdout, os.Getenv)
	case len(args) < 2 || args[0] != "lint":
		return errors.New(labUsage)
	}
	return lintLabs(ctx, args[1:])
}

// lintLabs runs "playground lab lint DIR...": it checks each DIR, a lab (a
// folder with lab.md) or a folder of labs, prints every problem as
// "file:line: message" and fails when there is any.
func lintLabs(ctx context.Context, dirs []string) error {
	total := 0
	for _, dir := range dirs {
		errs := lintDir(dir)
		for _, e := range errs {
			e.File = filepath.Join(dir, e.File)
			fmt.Println(e.Error())
		}
		if len(errs) == 0 {
			fmt.Printf("%s: ok\n", dir)
		}
		total += len(errs)
	}
	if total > 0 {
		return fmt.Errorf("%d problems found", total)
	}
	return nil
}

// lintDir lints the lab or the folder of labs at dir, then the shell syntax
// of their scripts when the labs load.
func lintDir(dir string) []labs.LintError {
	fsys := os.DirFS(dir)
	var loaded []*labs.Lab
	if _, err := fs.Stat(fsys, "lab.md"); err == nil {
		if errs := labs.Lint(fsys, "."); len(errs) > 0 {
			return errs
		}
		lab, err := labs.LoadLab(fsys, ".")
		if err != nil {
			return []labs.LintError{{File: "lab.md", Message: err.Error()}}
		}
		loaded = append(loaded, lab)
	} else {
		if errs := labs.LintAll(fsys); len(errs) > 0 {
			return errs
		}
		catalog, err := labs.Load(fsys)
		if err != nil {
			return []labs.LintError{{File: ".", Message: err.Error()}}
		}
		loaded = catalog.List()
		if len(loaded) == 0 {
			return []labs.LintError{{File: ".", Message: "no lab here: a lab is a folder with a lab.md"}}
		}
	}
	var errs []labs.LintError
	for _, lab := range loaded {
		errs = append(errs, lab.LintScripts()...)
	}
	return errs
}

// importPWD runs "playground lab import-pwd POST.md [--slug S] [--out DIR]
// [--force]": it converts a Play with Docker post to a lab in DIR/<slug>
// (DIR is $PLAYGROUND_LABS_DIR, or app.DefaultLabsDir), prints what the
// conversion could not carry over, lints the result and fails when lint
// finds problems. Flags may come before or after the post.
func importPWD(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	in, err := parseImportArgs("import-pwd", "the post's file name", args, getenv)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(in.source)
	if err != nil {
		return err
	}
	r, err := pwdimport.Convert(src, pwdimport.Options{Slug: in.slug, Source: in.source})
	if err != nil {
		return fmt.Errorf("%s: %w", in.source, err)
	}
	dir, err := pwdimport.Write(in.root, r, in.force)
	if err != nil {
		return err
	}
	quizzes := ""
	if r.Quizzes > 0 {
		quizzes = fmt.Sprintf(", %d quizzes", r.Quizzes)
	}
	fmt.Fprintf(out, "%s: converted to the lab %q: %d sections, %d nodes%s, images: %s\n",
		in.source, r.Slug, len(r.Sections), r.Nodes, quizzes, orNone(strings.Join(r.Images, " ")))
	notes := make([]string, len(r.Notes))
	for i, n := range r.Notes {
		notes[i] = n.String()
	}
	return reportImport(out, dir, r.Slug, "What did not carry over as it was", notes)
}

// orNone returns s, or "none" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
