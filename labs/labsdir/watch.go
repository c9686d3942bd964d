package labsdir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce is how long the folder must stay quiet after a change before it
// is read again: an editor's save is several events (a temporary file, a
// rename, a change of mode), and a copied lab is one per file.
const Debounce = 300 * time.Millisecond

// maxDepth bounds how deep folders are watched under the labs folder,
// which also ends a loop of symbolic links.
const maxDepth = 8

// Watch re-reads the folder whenever something in it or in its subfolders
// changes, after Debounce of quiet, until ctx ends; then it returns nil.
// After each reload that changed the labs served, it calls changed (in
// Watch's goroutine: a slow changed delays the next reload). Folders made
// later are watched too. A folder missing at start is not watched, and an
// error of the watcher is returned.
func (f *Folder) Watch(ctx context.Context, changed func(Change)) error {
	if _, err := os.Stat(f.dir); errors.Is(err, fs.ErrNotExist) {
		f.log.Info("the run-time labs folder is not watched: it does not exist (create it and restart)", "dir", f.dir)
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := f.watchTree(w, f.dir, 0); err != nil {
		return err
	}
	f.log.Info("watching the run-time labs folder", "dir", f.dir)
	// What changed between Open and the first watch is read now.
	quiet := time.NewTimer(0)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) && !hidden(ev.Name) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					f.watchTree(w, ev.Name, depth(f.dir, ev.Name))
				}
			}
			quiet.Reset(Debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// An overflow loses events: read the folder again anyway.
			f.log.Warn("watching the run-time labs folder", "dir", f.dir, "err", err)
			quiet.Reset(Debounce)
		case <-quiet.C:
			// A watched folder replaced as a whole (a lab linked in, then
			// checked out again) is watched anew.
			if err := f.watchTree(w, f.dir, 0); err != nil {
				f.log.Warn("watching the run-time labs folder", "dir", f.dir, "err", err)
			}
			if ch := f.Reload(); !ch.Empty() && changed != nil {
				changed(ch)
			}
		}
	}
}

// watchTree watches dir and the folders under it, following symbolic
// links, leaving hidden folders out. Only the error of dir itself is
// returned; a subfolder that cannot be watched is logged.
func (f *Folder) watchTree(w *fsnotify.Watcher, dir string, d int) error {
	if err := w.Add(dir); err != nil {
		return err
	}
	if d >= maxDepth {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // gone already, or unreadable: its reload says so
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if hidden(p) {
			continue
		}
		if info, err := os.Stat(p); err != nil || !info.IsDir() {
			continue
		}
		if err := f.watchTree(w, p, d+1); err != nil {
			f.log.Warn("cannot watch a folder of the run-time labs", "dir", p, "err", err)
		}
	}
	return nil
}

// depth is how many folders down from root path is.
func depth(root, path string) int {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." {
		return 0
	}
	n := 1
	for _, c := range rel {
		if c == filepath.Separator {
			n++
		}
	}
	return n
}
