package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/labplay/playground/labs/kcimport"
	"github.com/labplay/playground/labs/pwdimport"
)

// importKillercoda runs "playground lab import-killercoda DIR [--slug S]
// [--out OUT] [--force]": it converts the Killercoda scenario in folder DIR
// to a lab in OUT/<slug> (OUT is $PLAYGROUND_LABS_DIR, or
// app.DefaultLabsDir), prints by file what did not carry over, lints the
// result and fails when lint finds problems. Flags may come before or
// after the folder.
func importKillercoda(_ context.Context, args []string, out io.Writer, getenv func(string) string) error {
	in, err := parseImportArgs("import-killercoda", "the scenario's folder name", args, getenv)
	if err != nil {
		return err
	}
	src, err := filepath.Abs(in.source)
	if err != nil {
		return err
	}
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: not a folder: give the scenario's folder, the one with its index.json", in.source)
	}
	r, err := kcimport.Convert(os.DirFS(src), kcimport.Options{Slug: in.slug, Name: filepath.Base(src)})
	if err != nil {
		return fmt.Errorf("%s: %w", in.source, err)
	}
	dir, err := pwdimport.Write(in.root, &pwdimport.Result{Slug: r.Slug, Files: r.Files}, in.force)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: converted to the lab %q: %d sections, %d nodes\n", in.source, r.Slug, len(r.Sections), r.Nodes)
	notes := make([]string, len(r.Notes))
	for i, n := range r.Notes {
		notes[i] = n.String()
	}
	return reportImport(out, dir, r.Slug, "What did not carry over as it was, by file of the scenario", notes)
}
