package labs

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labplay/playground/fault"
)

// Catalog is a set of labs, each in a folder named after its slug, and the
// problems of the labs it could not take in their latest version. It is
// safe for concurrent use: Update swaps both at once, and every reader sees
// either the old set or the new one, never a mix.
type Catalog struct {
	snap atomic.Pointer[snapshot]
}

// snapshot is what a catalog holds at one time; it is never changed once
// stored.
type snapshot struct {
	labs   []*Lab // sorted by slug
	broken []Broken
}

// Broken is a lab of a folder whose latest version fails lint.
type Broken struct {
	// Lab is the name of the lab's folder, its slug when it has one.
	Lab string `json:"lab"`
	// Served says that an earlier version of the lab, which passed lint,
	// is served instead.
	Served bool `json:"served"`
	// Problems are the lint errors of the latest version.
	Problems []LintError `json:"problems"`
}

// newCatalog returns a catalog of labs, sorted by slug.
func newCatalog(labs []*Lab, broken []Broken) *Catalog {
	c := &Catalog{}
	c.Update(labs, broken)
	return c
}

//go:embed content
var content embed.FS

// builtin loads the embedded labs once.
var builtin = sync.OnceValue(func() []*Lab {
	sub, err := fs.Sub(content, "content")
	if err != nil {
		panic("labs: " + err.Error())
	}
	c, err := Load(sub)
	if err != nil {
		panic("labs: the embedded labs do not pass lint:\n" + err.Error())
	}
	return c.List()
})

// Builtin returns the labs shipped with the playground, in a catalog of
// the caller's own: updating it changes no other caller's. It panics if
// they do not pass lint, which a test rules out.
func Builtin() *Catalog {
	return newCatalog(builtin(), nil)
}

// Load reads every lab of fsys: each folder at its top is a lab. When a lab
// has problems, the error is a LintErrors that lists them all.
func Load(fsys fs.FS) (*Catalog, error) {
	labs, errs := loadAll(fsys)
	if len(errs) > 0 {
		return nil, LintErrors(errs)
	}
	return newCatalog(labs, nil), nil
}

// LintAll checks every lab of fsys, as Load reads them, and returns every
// problem found.
func LintAll(fsys fs.FS) []LintError {
	_, errs := loadAll(fsys)
	return errs
}

// loadAll loads the labs in the folders at the top of fsys.
func loadAll(fsys fs.FS) ([]*Lab, []LintError) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, []LintError{{File: ".", Message: "cannot list the labs: " + err.Error()}}
	}
	var labs []*Lab
	var errs []LintError
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		lab, lerrs := loadLab(fsys, e.Name())
		errs = append(errs, lerrs...)
		if lab != nil {
			labs = append(labs, lab)
		}
	}
	return labs, errs
}

// Get returns the lab with the given slug, or an ENOTFOUND error.
func (c *Catalog) Get(slug string) (*Lab, error) {
	for _, l := range c.snap.Load().labs {
		if l.Slug == slug {
			return l, nil
		}
	}
	return nil, fault.Errorf(fault.ENOTFOUND, "There is no lab named %q.", slug)
}

// List returns the labs, sorted by slug.
func (c *Catalog) List() []*Lab {
	return slices.Clone(c.snap.Load().labs)
}

// Broken returns the labs whose latest version fails lint, sorted by
// name. Their problems are the caller's to change.
func (c *Catalog) Broken() []Broken {
	out := slices.Clone(c.snap.Load().broken)
	for i := range out {
		out[i].Problems = slices.Clone(out[i].Problems)
	}
	return out
}

// BrokenLab returns the problems of the latest version of the lab named
// name, if it fails lint.
func (c *Catalog) BrokenLab(name string) (Broken, bool) {
	for _, b := range c.snap.Load().broken {
		if b.Lab == name {
			b.Problems = slices.Clone(b.Problems)
			return b, true
		}
	}
	return Broken{}, false
}

// Update replaces every lab of c and its broken labs at once. Labs are
// never changed once loaded, so a caller holding one of the old set may go
// on using it.
func (c *Catalog) Update(labs []*Lab, broken []Broken) {
	s := &snapshot{labs: slices.Clone(labs), broken: slices.Clone(broken)}
	slices.SortFunc(s.labs, func(a, b *Lab) int { return strings.Compare(a.Slug, b.Slug) })
	slices.SortFunc(s.broken, func(a, b Broken) int { return strings.Compare(a.Lab, b.Lab) })
	c.snap.Store(s)
}

// ImagesOf returns the images the lab with the given slug needs in its
// nodes, or nil for an unknown lab.
func (c *Catalog) ImagesOf(slug string) []string {
	if l, err := c.Get(slug); err == nil {
		return slices.Clone(l.Images)
	}
	return nil
}

// NodesOf returns how many nodes the lab with the given slug declares, or
// 0 for an unknown lab.
func (c *Catalog) NodesOf(slug string) int {
	if l, err := c.Get(slug); err == nil {
		return len(l.Nodes)
	}
	return 0
}

// Images returns the images the labs of c need, each once, in the order of
// the labs.
func (c *Catalog) Images() []string {
	var images []string
	for _, l := range c.snap.Load().labs {
		for _, img := range l.Images {
			if !slices.Contains(images, img) {
				images = append(images, img)
			}
		}
	}
	return images
}

// With returns a catalog of c's labs and extra's; a lab of extra replaces
// the lab of c with the same slug. c is not changed.
func (c *Catalog) With(extra []*Lab) *Catalog {
	var out []*Lab
	for _, l := range c.snap.Load().labs {
		if !slices.ContainsFunc(extra, func(e *Lab) bool { return e.Slug == l.Slug }) {
			out = append(out, l)
		}
	}
	return newCatalog(append(out, extra...), nil)
}

// LoadDir reads the lab in the folder name at the top of fsys, which may be
// a symbolic link to a folder. It returns the lab, or the problems of its
// files when it fails lint.
func LoadDir(fsys fs.FS, name string) (*Lab, []LintError) {
	return loadLab(fsys, name)
}

// LabDirs returns the names of the folders at the top of fsys that may
// hold labs, following symbolic links and leaving out hidden ones, sorted.
func LabDirs(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if !e.IsDir() {
			if e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			if info, err := fs.Stat(fsys, name); err != nil || !info.IsDir() {
				continue
			}
		}
		names = append(names, name)
	}
	return names, nil
}
