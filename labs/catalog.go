package labs

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/labplay/playground/fault"
)

// Catalog is a set of labs, each in a folder named after its slug.
type Catalog struct {
	labs []*Lab // sorted by slug
}

//go:embed content
var content embed.FS

// builtin loads the embedded labs once.
var builtin = sync.OnceValue(func() *Catalog {
	sub, err := fs.Sub(content, "content")
	if err != nil {
		panic("labs: " + err.Error())
	}
	c, err := Load(sub)
	if err != nil {
		panic("labs: the embedded labs do not pass lint:\n" + err.Error())
	}
	return c
})

// Builtin returns the labs shipped with the playground. It panics if they do
// not pass lint, which a test rules out.
func Builtin() *Catalog {
	return builtin()
}

// Load reads every lab of fsys: each folder at its top is a lab. When a lab
// has problems, the error is a LintErrors that lists them all.
func Load(fsys fs.FS) (*Catalog, error) {
	labs, errs := loadAll(fsys)
	if len(errs) > 0 {
		return nil, LintErrors(errs)
	}
	return &Catalog{labs: labs}, nil
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
	slices.SortFunc(labs, func(a, b *Lab) int { return strings.Compare(a.Slug, b.Slug) })
	return labs, errs
}

// Get returns the lab with the given slug, or an ENOTFOUND error.
func (c *Catalog) Get(slug string) (*Lab, error) {
	for _, l := range c.labs {
		if l.Slug == slug {
			return l, nil
		}
	}
	return nil, fault.Errorf(fault.ENOTFOUND, "There is no lab named %q.", slug)
}

// List returns the labs, sorted by slug.
func (c *Catalog) List() []*Lab {
	return slices.Clone(c.labs)
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

// LoadEach reads every lab of fsys like Load, but keeps the labs that pass
// lint when others do not: it returns the good labs, sorted by slug, and the
// problems of the others, keyed by folder name.
func LoadEach(fsys fs.FS) ([]*Lab, map[string][]LintError, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, err
	}
	var good []*Lab
	bad := map[string][]LintError{}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		lab, errs := loadLab(fsys, e.Name())
		if len(errs) > 0 {
			bad[e.Name()] = errs
			continue
		}
		good = append(good, lab)
	}
	slices.SortFunc(good, func(a, b *Lab) int { return strings.Compare(a.Slug, b.Slug) })
	return good, bad, nil
}

// With returns a catalog of c's labs and extra's; a lab of extra replaces
// the lab of c with the same slug.
func (c *Catalog) With(extra []*Lab) *Catalog {
	out := &Catalog{}
	for _, l := range c.labs {
		if !slices.ContainsFunc(extra, func(e *Lab) bool { return e.Slug == l.Slug }) {
			out.labs = append(out.labs, l)
		}
	}
	out.labs = append(out.labs, extra...)
	slices.SortFunc(out.labs, func(a, b *Lab) int { return strings.Compare(a.Slug, b.Slug) })
	return out
}
