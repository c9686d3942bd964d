package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/labplay/playground/app"
	"github.com/labplay/playground/labs"
)

// importArgs are what both importers are told: the one source (a post, a
// scenario's folder), the slug asked for, the folder of labs to write into
// and whether an existing lab there is replaced.
type importArgs struct {
	source, slug, root string
	force              bool
}

// parseImportArgs reads an importer's flags, which may come before or after
// its one source; slugFrom says where the slug comes from by default. The
// folder of labs is --out, else $PLAYGROUND_LABS_DIR, else
// app.DefaultLabsDir; a labs folder that is off must be named with --out.
func parseImportArgs(name, slugFrom string, args []string, getenv func(string) string) (importArgs, error) {
	fset := flag.NewFlagSet(name, flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	slug := fset.String("slug", "", "the lab's slug (default: from "+slugFrom+")")
	outDir := fset.String("out", "", "the folder of labs to write into (default: $PLAYGROUND_LABS_DIR or "+app.DefaultLabsDir+")")
	force := fset.Bool("force", false, "replace the lab's folder if it exists")
	var sources []string
	for {
		if err := fset.Parse(args); err != nil {
			return importArgs{}, fmt.Errorf("%v\n%s", err, labUsage)
		}
		if fset.NArg() == 0 {
			break
		}
		sources, args = append(sources, fset.Arg(0)), fset.Args()[1:]
	}
	if len(sources) != 1 {
		return importArgs{}, errors.New(labUsage)
	}
	root := *outDir
	if root == "" {
		root = getenv("PLAYGROUND_LABS_DIR")
	}
	switch root {
	case "off":
		return importArgs{}, errors.New("PLAYGROUND_LABS_DIR is off, so the server reads no labs at run time: say where the lab goes with --out DIR")
	case "":
		root = app.DefaultLabsDir
	}
	return importArgs{source: sources[0], slug: *slug, root: root, force: *force}, nil
}

// reportImport ends both importers alike: what did not carry over (under
// heading), a built-in lab the new one replaces, and the lint of the lab
// written in dir, which fails the command when it finds problems.
func reportImport(out io.Writer, dir, slug, heading string, notes []string) error {
	if len(notes) > 0 {
		fmt.Fprintf(out, "%s (also listed in %s):\n", heading, filepath.Join(dir, "lab.md"))
		for _, n := range notes {
			fmt.Fprintf(out, "  %s\n", n)
		}
	}
	if _, err := labs.Builtin().Get(slug); err == nil {
		fmt.Fprintf(out, "The built-in lab %q has the same slug: the server will serve this one in its place.\n", slug)
	}
	errs := lintDir(dir)
	for _, e := range errs {
		e.File = filepath.Join(dir, e.File)
		fmt.Fprintln(out, e.Error())
	}
	if len(errs) > 0 {
		fmt.Fprintf(out, "The lab is in %s but does not lint clean: fix it, then run playground lab lint %s.\n", dir, dir)
		return fmt.Errorf("%d problems found", len(errs))
	}
	fmt.Fprintf(out, "The lab is in %s and lints clean. A running server serves it at once: PLAYGROUND_LABS_DIR is watched.\n", dir)
	return nil
}
