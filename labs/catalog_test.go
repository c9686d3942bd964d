package labs

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Each caller of Builtin gets a catalog of its own: updating one leaves
// the others, and the embedded labs, as they were.
func TestBuiltinCatalogsAreApart(t *testing.T) {
	a, b := Builtin(), Builtin()
	n := len(b.List())
	a.Update(nil, []Broken{{Lab: "x", Problems: []LintError{{File: "x/lab.md", Message: "no"}}}})
	if len(a.List()) != 0 || len(a.Broken()) != 1 {
		t.Fatalf("the update did not take: %d labs, %d broken", len(a.List()), len(a.Broken()))
	}
	if len(b.List()) != n || len(Builtin().List()) != n || len(b.Broken()) != 0 {
		t.Fatal("updating one built-in catalog changed another")
	}
}

// Readers see either the old set of labs or the new one while updates
// swap them (run with -race).
func TestCatalogUpdateWhileRead(t *testing.T) {
	c := Builtin()
	all := c.List()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if n := len(c.List()); n != len(all) && n != 1 {
					t.Errorf("a reader saw %d labs, neither set", n)
					return
				}
				c.NodesOf(all[0].Slug)
				c.Images()
			}
		})
	}
	for i := range 200 {
		if i%2 == 0 {
			c.Update(all[:1], nil)
		} else {
			c.Update(all, nil)
		}
	}
	close(stop)
	wg.Wait()
}

// A lab's level and minutes come from lab.md, and are empty when it does
// not say (as in a lab imported from elsewhere).
func TestLevelAndMinutes(t *testing.T) {
	lab, err := LoadLab(fixture(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if lab.Level != "" || lab.Minutes != 0 {
		t.Fatalf("a lab that does not say: level %q, minutes %d", lab.Level, lab.Minutes)
	}
	fsys := fixture()
	fsys["demo/lab.md"].Data = []byte(strings.Replace(fixtureMeta, "images: alpine:3.20", "images: alpine:3.20\nlevel: intermediate\nminutes: 25", 1))
	if lab, err = LoadLab(fsys, "demo"); err != nil {
		t.Fatal(err)
	}
	if lab.Level != "intermediate" || lab.Minutes != 25 {
		t.Fatalf("level %q, minutes %d; want intermediate, 25", lab.Level, lab.Minutes)
	}
	// Every built-in lab says both, for the home page's picker.
	for _, l := range Builtin().List() {
		if !slices.Contains(Levels, l.Level) || l.Minutes == 0 {
			t.Errorf("%s: level %q, minutes %d", l.Slug, l.Level, l.Minutes)
		}
	}
}
