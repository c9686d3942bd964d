package app

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/labs/labsdir"
)

// DefaultLabsDir is where the server looks for labs added at run time, and
// where "playground lab import-pwd" writes by default.
const DefaultLabsDir = "/var/lib/playground/labs"

// registryWait bounds putting a new lab's images in the nodes' registry.
const registryWait = 5 * time.Minute

// registry is what the labs' watch asks of the engine: the nodes' registry
// seeded with the images (engine.Engine satisfies it).
type registry interface {
	EnsureRegistry(ctx context.Context, images []string) error
}

// openLabs returns the catalog of the built-in labs together with those of
// dir, the run-time labs folder (PLAYGROUND_LABS_DIR), and the function
// that watches dir until its context ends (labsdir: a lab added, changed
// or removed there is read again; one that fails lint keeps its last good
// version). The catalog is updated in place, so the server, the manager
// and the classrooms all see each new set. With no dir, the catalog holds
// the built-in labs and the watch returns at once.
func openLabs(dir string, log *slog.Logger) (*labs.Catalog, func(context.Context, registry)) {
	if dir == "" {
		return labs.Builtin(), func(context.Context, registry) {}
	}
	folder := labsdir.Open(dir, log)
	catalog := folder.Catalog()
	watch := func(ctx context.Context, reg registry) {
		ensured := catalog.Images() // seeded at start
		err := folder.Watch(ctx, func(ch labsdir.Change) {
			want := catalog.Images()
			if !slices.ContainsFunc(want, func(img string) bool { return !slices.Contains(ensured, img) }) {
				return
			}
			// The registry keeps every image seen, so that removing a lab
			// never reseeds it.
			for _, img := range want {
				if !slices.Contains(ensured, img) {
					ensured = append(ensured, img)
				}
			}
			rctx, cancel := context.WithTimeout(ctx, registryWait)
			defer cancel()
			if err := reg.EnsureRegistry(rctx, ensured); err != nil {
				log.Error("the nodes' registry lacks the images of a lab read again; nodes will pull them themselves",
					"labs", append(ch.Added, ch.Changed...), "err", err)
			}
		})
		if err != nil {
			log.Error("the run-time labs folder is not watched: restart the server to read its changes", "dir", dir, "err", err)
		}
	}
	return catalog, watch
}
