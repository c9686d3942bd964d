package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/labplay/playground/app"
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
