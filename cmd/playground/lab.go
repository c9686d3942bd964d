package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/labplay/playground/labs"
)

// runLab runs "playground lab lint DIR...": it checks each DIR, a lab (a
// folder with lab.md) or a folder of labs, prints every problem as
// "file:line: message" and fails when there is any.
func runLab(ctx context.Context, args []string) error {
	if len(args) < 2 || args[0] != "lint" {
		return errors.New("usage: playground lab lint DIR...")
	}
	shell, err := exec.LookPath("sh")
	if err != nil {
		fmt.Fprintln(os.Stderr, "playground lab: no sh on PATH; the syntax of check and value scripts is not checked")
	}
	total := 0
	for _, dir := range args[1:] {
		errs := lintDir(ctx, dir, shell)
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
// of their scripts when shell is set and the labs load.
func lintDir(ctx context.Context, dir, shell string) []labs.LintError {
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
	if shell != "" {
		for _, lab := range loaded {
			errs = append(errs, lab.LintScripts(ctx, shell)...)
		}
	}
	return errs
}
