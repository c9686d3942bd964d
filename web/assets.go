package web

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetsPrefix is the URL path under which Assets expects to be mounted.
const AssetsPrefix = "/assets/"

// contentTypes names the types of the files the bundle contains, so the
// answer does not depend on the host's MIME database.
var contentTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".woff2": "font/woff2",
}

// Assets returns a handler that serves the bundle's files, mounted at
// AssetsPrefix: GET /assets/app.js serves dist/app.js. Requests carrying the
// current version (?v=Version()) are cacheable for a year, since the pages
// change the version whenever the bundle changes; other requests must
// revalidate. Missing files, directories and dot files answer 404.
func (s *Site) Assets() http.Handler {
	return http.HandlerFunc(s.serveAsset)
}

func (s *Site) serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, AssetsPrefix)
	if !fs.ValidPath(name) || name == "." || strings.HasPrefix(path.Base(name), ".") {
		http.NotFound(w, r)
		return
	}
	data, err := fs.ReadFile(s.dist, name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// Reading a directory fails with an error of its own kind.
			s.log.Debug("asset unreadable", "name", name, "err", err)
		}
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		h.Set("Content-Type", ct)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if s.version != "" && r.URL.Query().Get("v") == s.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if s.version != "" {
		h.Set("ETag", `"`+s.version+`"`)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
}
