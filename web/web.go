// Package web is the browser front end of the playground: the HTML pages,
// rendered from templates, and the JavaScript and CSS bundle built by esbuild
// into dist/ (see package.json), both embedded in the binary.
//
// The bundle is built by `make build` (npm ci && npm run build). When it is
// missing the pages still render, with a notice saying so, so that `go build`
// and the Go tests work on a fresh checkout.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
)

//go:embed all:dist templates
var embedded embed.FS

// The files of the bundle the pages link to.
const (
	bundleJS  = "app.js"
	bundleCSS = "app.css"
)

// Options configures a Site. The zero value serves the embedded bundle.
type Options struct {
	// Dist holds the built bundle (app.js, app.css and what they refer to)
	// at its root. Nil means the bundle embedded in the binary.
	Dist fs.FS
	// Logger receives template errors. Nil means slog.Default().
	Logger *slog.Logger
}

// Site renders the pages and serves the bundle. It is safe for concurrent use.
type Site struct {
	dist    fs.FS
	log     *slog.Logger
	version string // hash of the bundle, appended to asset URLs; empty when missing
	pages   map[string]*template.Template
}

// New returns a Site for opts. It fails only when the embedded templates do
// not parse or the bundle cannot be read, both of which are build defects.
func New(opts Options) (*Site, error) {
	s := &Site{dist: opts.Dist, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.dist == nil {
		sub, err := fs.Sub(embedded, "dist")
		if err != nil {
			return nil, fmt.Errorf("web: open embedded bundle: %w", err)
		}
		s.dist = sub
	}
	version, err := bundleVersion(s.dist)
	if err != nil {
		return nil, err
	}
	s.version = version
	if version == "" {
		s.log.Warn("front-end bundle missing; pages will say so", "hint", "run make build")
	}
	pages, err := parsePages(embedded)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	return s, nil
}

// Version returns the version string appended to asset URLs (a hash of the
// bundle), or the empty string when the bundle is missing.
func (s *Site) Version() string { return s.version }

// bundleVersion hashes the bundle's entry files. It returns the empty string
// when either is missing, which marks the bundle as not built.
func bundleVersion(dist fs.FS) (string, error) {
	h := sha256.New()
	for _, name := range []string{bundleJS, bundleCSS} {
		b, err := fs.ReadFile(dist, name)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", nil
			}
			return "", fmt.Errorf("web: read bundle %s: %w", name, err)
		}
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
