package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
)

// pageNames lists the pages; each is templates/<name>.html rendered inside
// templates/layout.html.
var pageNames = []string{"home", "session"}

// pageData is what the templates see.
type pageData struct {
	Page    string // "home" or "session", read by the script to pick its code
	Title   string
	Version string // empty when the bundle is missing
	JS      string // URL of the script
	CSS     string // URL of the stylesheet
}

// parsePages parses every page with the layout.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.ParseFS(fsys, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// Home renders the home page: start a session, resume one, join a class.
func (s *Site) Home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "home", "Lab Playground")
}

// Session renders the session page (/s/{id}): the lab text and a terminal
// per node. The script reads the session id from the URL and asks the API
// for the rest, so an unknown id is reported by the page itself.
func (s *Site) Session(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "session", "Session · Lab Playground")
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Site) render(w http.ResponseWriter, r *http.Request, name, title string) {
	data := pageData{Page: name, Title: title, Version: s.version}
	if s.version != "" {
		data.JS = AssetsPrefix + bundleJS + "?v=" + s.version
		data.CSS = AssetsPrefix + bundleCSS + "?v=" + s.version
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render page", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(buf.Bytes())
}
