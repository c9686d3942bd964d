// Package labsdir keeps the labs of the run-time labs folder
// (PLAYGROUND_LABS_DIR) served beside the built-in ones: it reads the
// folder, re-reads it when it changes (watch.go), and keeps the last good
// version of a lab whose latest one fails lint.
package labsdir

import (
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/labplay/playground/labs"
)

// Folder is the run-time labs folder and the catalog served from it: the
// built-in labs, each replaced by a lab of the folder with its slug, and
// the folder's other labs. It is safe for concurrent use.
type Folder struct {
	dir     string
	log     *slog.Logger
	builtin []*labs.Lab
	catalog *labs.Catalog

	mu     sync.Mutex                  // held by Reload
	good   map[string]*labs.Lab        // the last good version of each lab, by folder
	broken map[string][]labs.LintError // the problems of each lab whose latest version fails lint
}

// Open reads the labs of dir, logging each lab loaded and each problem of
// the labs refused as file:line: message. A missing folder holds no labs.
func Open(dir string, log *slog.Logger) *Folder {
	if log == nil {
		log = slog.Default()
	}
	f := &Folder{dir: dir, log: log, builtin: labs.Builtin().List(), catalog: labs.Builtin(),
		good: map[string]*labs.Lab{}, broken: map[string][]labs.LintError{}}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		log.Info("no run-time labs folder", "dir", dir)
		return f
	}
	f.Reload()
	return f
}

// Dir returns the folder.
func (f *Folder) Dir() string { return f.dir }

// Catalog returns the catalog of the labs served, which Reload updates in
// place: holders of it see each new set of labs.
func (f *Folder) Catalog() *labs.Catalog { return f.catalog }

// Change is what a Reload changed in the labs served.
type Change struct {
	// Added, Changed and Removed name the labs of the folder, by slug,
	// that are served for the first time, served in a new version, or no
	// longer served.
	Added, Changed, Removed []string
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool {
	return len(c.Added)+len(c.Changed)+len(c.Removed) == 0
}

// Reload reads the folder again and updates the catalog: a lab that passes
// lint is served in its new version; one that fails keeps its last good
// version served, if it had one, and its problems are logged (when they
// change) and listed by the catalog's Broken; a lab whose folder is gone
// is no longer served, and the built-in lab it replaced is served again.
// A folder that cannot be read changes nothing.
func (f *Folder) Reload() Change {
	f.mu.Lock()
	defer f.mu.Unlock()
	fsys := os.DirFS(f.dir)
	names, err := labs.LabDirs(fsys)
	if errors.Is(err, fs.ErrNotExist) {
		names, err = nil, nil
	}
	if err != nil {
		f.log.Error("cannot read the run-time labs folder", "dir", f.dir, "err", err)
		return Change{}
	}
	var ch Change
	seen := map[string]bool{}
	for _, name := range names {
		seen[name] = true
		lab, errs := labs.LoadDir(fsys, name)
		if len(errs) > 0 {
			f.refuse(name, errs)
			continue
		}
		if len(f.broken[name]) > 0 {
			f.log.Info("run-time lab fixed", "lab", name)
			delete(f.broken, name)
		}
		old := f.good[name]
		switch {
		case old == nil:
			ch.Added = append(ch.Added, lab.Slug)
			if slices.ContainsFunc(f.builtin, func(b *labs.Lab) bool { return b.Slug == lab.Slug }) {
				f.log.Warn("a run-time lab replaces the built-in lab of the same name", "lab", lab.Slug, "dir", f.dir)
			}
			f.log.Info("run-time lab loaded", "lab", lab.Slug, "dir", filepath.Join(f.dir, name), "version", lab.Version())
		case old.Version() != lab.Version():
			ch.Changed = append(ch.Changed, lab.Slug)
			f.log.Info("run-time lab changed", "lab", lab.Slug, "version", lab.Version())
		default:
			continue // the same text: keep the lab already served
		}
		f.good[name] = lab
	}
	for _, name := range slices.Sorted(maps.Keys(f.good)) {
		if !seen[name] {
			ch.Removed = append(ch.Removed, f.good[name].Slug)
			f.log.Info("run-time lab removed", "lab", f.good[name].Slug)
			delete(f.good, name)
		}
	}
	for name := range f.broken {
		if !seen[name] {
			delete(f.broken, name)
		}
	}
	f.publish()
	return ch
}

// refuse records the problems of a lab's latest version, logging them
// when they are not those already logged.
func (f *Folder) refuse(name string, errs []labs.LintError) {
	if slices.Equal(f.broken[name], errs) {
		return
	}
	f.broken[name] = errs
	kept := "no version of it is served"
	if f.good[name] != nil {
		kept = "its last good version is served"
	}
	for _, e := range errs {
		e.File = filepath.Join(f.dir, e.File)
		f.log.Error("lab refused", "lab", name, "problem", e.Error(), "kept", kept)
	}
}

// publish swaps the catalog's labs for the built-in ones and the folder's
// good ones, with the folder's broken labs.
func (f *Folder) publish() {
	mine := slices.Collect(maps.Values(f.good))
	served := slices.DeleteFunc(slices.Clone(f.builtin), func(b *labs.Lab) bool {
		return slices.ContainsFunc(mine, func(l *labs.Lab) bool { return l.Slug == b.Slug })
	})
	served = append(served, mine...)
	var broken []labs.Broken
	for name, errs := range f.broken {
		broken = append(broken, labs.Broken{Lab: name, Served: f.good[name] != nil, Problems: slices.Clone(errs)})
	}
	f.catalog.Update(served, broken)
}

// hidden reports whether a file or folder name is one that editors and
// tools keep beside the labs (.git, .foo.swp), which no lab is made of.
func hidden(name string) bool {
	return strings.HasPrefix(filepath.Base(name), ".")
}
