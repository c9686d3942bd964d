package labtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/labplay/playground/client"
	"github.com/labplay/playground/labs"
)

// target is the lab to test: a slug, and the folder it was read from when
// a folder was given.
type target struct {
	slug string
	dir  string
	lab  *labs.Lab // the folder's lab, or nil
}

// findTarget reads arg: a lab folder (one with a lab.md), whose slug is
// read with the labs package, or else a slug.
func findTarget(arg string) (*target, error) {
	if arg == "" {
		return nil, errors.New("no lab given: name a slug the server serves, or a lab folder")
	}
	if _, err := os.Stat(filepath.Join(arg, "lab.md")); err == nil {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, err
		}
		// Loaded from its parent, so that a folder named otherwise than
		// its slug is a problem here as it is for the server.
		lab, err := labs.LoadLab(os.DirFS(filepath.Dir(abs)), filepath.Base(abs))
		if err != nil {
			return nil, fmt.Errorf("%s does not load, so no server serves it: %w (playground lab lint %s says more)", arg, err, arg)
		}
		return &target{slug: lab.Slug, dir: arg, lab: lab}, nil
	}
	if strings.ContainsRune(arg, os.PathSeparator) || !labs.ValidSlug(arg) {
		return nil, fmt.Errorf("%s is neither a lab folder (a folder with a lab.md) nor a lab's slug", arg)
	}
	return &target{slug: arg}, nil
}

// served reads the lab from the server, in its default language, and says
// clearly when the server does not serve it.
func (t *target) served(ctx context.Context, c *client.Client, server string) (*client.Lab, error) {
	lab, err := c.Lab(ctx, t.slug, "")
	var ae *client.APIError
	switch {
	case err == nil:
		return lab, nil
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound && t.dir != "":
		return nil, fmt.Errorf("the playground at %s does not serve the lab %q of %s: copy the folder into its "+
			"run-time labs folder (PLAYGROUND_LABS_DIR) and restart it, or give --server the URL of one that serves it",
			server, t.slug, t.dir)
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return nil, fmt.Errorf("the playground at %s serves no lab %q (GET %s/api/labs lists those it serves)", server, t.slug, server)
	case errors.As(err, &ae):
		return nil, fmt.Errorf("the playground at %s: reading the lab %q: %w", server, t.slug, err)
	default:
		return nil, fmt.Errorf("cannot reach the playground at %s (start one, or give --server URL): %w", server, err)
	}
}

// compare returns a note when the server serves another version of the
// folder's lab (other sections or blocks in some language): the test runs
// what the server serves, which may not be what the author just saved.
func (t *target) compare(ctx context.Context, c *client.Client) string {
	if t.lab == nil {
		return ""
	}
	for _, lang := range t.lab.Langs {
		mine, err := t.lab.Render(lang)
		if err != nil {
			continue
		}
		theirs, err := c.Lab(ctx, t.slug, lang)
		if err != nil || !sameSections(mine, theirs) {
			return fmt.Sprintf("the server serves another version of %q than %s (in %s): restart it to read the folder again; "+
				"this test ran the version it serves", t.slug, t.dir, lang)
		}
	}
	return ""
}

// sameSections reports whether a lab read from a folder and one served
// have the same sections, checks and blocks.
func sameSections(mine *labs.Rendered, theirs *client.Lab) bool {
	return slices.EqualFunc(mine.Sections, theirs.Sections, func(m labs.RenderedSection, s client.LabSection) bool {
		return m.ID == s.ID && m.HasCheck == s.HasCheck &&
			slices.EqualFunc(m.Blocks, s.Blocks, func(a labs.RunBlock, b client.LabBlock) bool {
				return a.ID == b.ID && a.Node == b.Node && a.Command == b.Command && a.Path == b.Path
			})
	})
}
