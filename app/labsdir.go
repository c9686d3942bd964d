package app

import (
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/labplay/playground/labs"
)

// DefaultLabsDir is where the server looks for labs added at run time, and
// where "playground lab import-pwd" writes by default.
const DefaultLabsDir = "/var/lib/playground/labs"

// loadCatalog returns the built-in labs together with those of dir, the
// run-time labs folder (PLAYGROUND_LABS_DIR), read once at start. A lab
// there that fails lint is refused: each of its problems is logged as
// file:line: message, and the other labs are served. A lab of dir with a
// built-in lab's slug replaces it. A missing folder holds no labs.
func loadCatalog(dir string, log *slog.Logger) *labs.Catalog {
	builtin := labs.Builtin()
	if dir == "" {
		return builtin
	}
	found, bad, err := labs.LoadEach(os.DirFS(dir))
	if errors.Is(err, fs.ErrNotExist) {
		log.Info("no run-time labs folder", "dir", dir)
		return builtin
	}
	if err != nil {
		log.Error("cannot read the run-time labs folder", "dir", dir, "err", err)
		return builtin
	}
	for _, name := range slices.Sorted(maps.Keys(bad)) {
		for _, e := range bad[name] {
			e.File = filepath.Join(dir, e.File)
			log.Error("lab refused", "lab", name, "problem", e.Error())
		}
	}
	for _, l := range found {
		if _, err := builtin.Get(l.Slug); err == nil {
			log.Warn("a run-time lab replaces the built-in lab of the same name", "lab", l.Slug, "dir", dir)
		}
		log.Info("run-time lab loaded", "lab", l.Slug, "dir", filepath.Join(dir, l.Slug))
	}
	return builtin.With(found)
}

// labImages returns the images the labs of c need, each once.
func labImages(c *labs.Catalog) []string {
	var images []string
	for _, l := range c.List() {
		for _, img := range l.Images {
			if !slices.Contains(images, img) {
				images = append(images, img)
			}
		}
	}
	return images
}
