package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// bundle is a small stand-in for the built bundle.
func bundle() fstest.MapFS {
	return fstest.MapFS{
		"app.js":     {Data: []byte("console.log('app');\n")},
		"app.css":    {Data: []byte("body{margin:0}\n")},
		"app.js.map": {Data: []byte("{}")},
		".keep":      {Data: nil},
		"sub/x.svg":  {Data: []byte("<svg/>")},
	}
}

func newSite(t *testing.T, dist fstest.MapFS) *Site {
	t.Helper()
	s, err := New(Options{Dist: dist})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func get(t *testing.T, h http.HandlerFunc, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodGet, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestPagesLinkTheVersionedBundle(t *testing.T) {
	s := newSite(t, bundle())
	if len(s.Version()) != 12 {
		t.Fatalf("Version() = %q, want 12 hex digits", s.Version())
	}
	for _, tc := range []struct {
		name   string
		h      http.HandlerFunc
		path   string
		page   string
		marker string
	}{
		{"home", s.Home, "/", "home", `data-testid="start-session"`},
		{"session", s.Session, "/s/abc123", "session", `data-testid="term-pane"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, tc.h, tc.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, want := range []string{
				`<script src="/assets/app.js?v=` + s.Version() + `"`,
				`<link rel="stylesheet" href="/assets/app.css?v=` + s.Version() + `"`,
				`data-page="` + tc.page + `"`,
				tc.marker,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			if strings.Contains(body, "bundle missing") {
				t.Error("page says the bundle is missing although it is there")
			}
		})
	}
}

func TestVersionFollowsTheBundle(t *testing.T) {
	a := newSite(t, bundle())
	changed := bundle()
	changed["app.js"] = &fstest.MapFile{Data: []byte("console.log('app v2');\n")}
	b := newSite(t, changed)
	if a.Version() == b.Version() {
		t.Fatalf("version %q did not change with the bundle", a.Version())
	}
}

func TestPagesWithoutBundle(t *testing.T) {
	for _, dist := range []fstest.MapFS{
		{},
		{".keep": {}},
		{"app.css": {Data: []byte("body{}")}}, // half a bundle is no bundle
	} {
		s := newSite(t, dist)
		if s.Version() != "" {
			t.Errorf("Version() = %q for a missing bundle, want empty", s.Version())
		}
		for _, h := range []http.HandlerFunc{s.Home, s.Session} {
			res, body := get(t, h, "/")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			if !strings.Contains(body, "Front-end bundle missing: run make build") {
				t.Errorf("page does not say the bundle is missing:\n%s", body)
			}
			if strings.Contains(body, "/assets/") {
				t.Error("page links assets that do not exist")
			}
		}
		res, _ := get(t, s.Assets().ServeHTTP, "/assets/app.js")
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("missing app.js: status %d, want 404", res.StatusCode)
		}
	}
}

func TestAssets(t *testing.T) {
	s := newSite(t, bundle())
	v := s.Version()
	for _, tc := range []struct {
		path               string
		status             int
		ctype, cache, body string
	}{
		{"/assets/app.js?v=" + v, 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log('app');\n"},
		{"/assets/app.css?v=" + v, 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body{margin:0}\n"},
		{"/assets/app.js.map?v=" + v, 200, "application/json", "public, max-age=31536000, immutable", "{}"},
		{"/assets/sub/x.svg", 200, "image/svg+xml", "no-cache", "<svg/>"},
		{"/assets/app.js", 200, "text/javascript; charset=utf-8", "no-cache", "console.log('app');\n"},
		{"/assets/app.js?v=stale", 200, "text/javascript; charset=utf-8", "no-cache", "console.log('app');\n"},
		{"/assets/nope.js", 404, "", "", ""},
		{"/assets/.keep", 404, "", "", ""},
		{"/assets/", 404, "", "", ""},
		{"/assets/sub", 404, "", "", ""},
		{"/assets/../web.go", 404, "", "", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.URL.Path, req.URL.RawQuery, _ = strings.Cut(tc.path, "?")
			s.Assets().ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status != http.StatusOK {
				return
			}
			body, _ := io.ReadAll(res.Body)
			if string(body) != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
		})
	}
}

func TestAssetsRejectsWrites(t *testing.T) {
	s := newSite(t, bundle())
	rec := httptest.NewRecorder()
	s.Assets().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/assets/app.js", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: status %d, want 405", rec.Code)
	}
}

func TestAssetsRevalidates(t *testing.T) {
	s := newSite(t, bundle())
	req := httptest.NewRequest(http.MethodGet, "/assets/app.js", nil)
	req.Header.Set("If-None-Match", `"`+s.Version()+`"`)
	rec := httptest.NewRecorder()
	s.Assets().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("conditional GET: status %d, want 304", rec.Code)
	}
}

// TestEmbeddedSite checks the embedded files: the templates parse whether or
// not the bundle has been built, and a built bundle is served.
func TestEmbeddedSite(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	res, body := get(t, s.Home, "/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Lab Playground") {
		t.Fatalf("home: status %d, body:\n%s", res.StatusCode, body)
	}
	if s.Version() == "" {
		t.Log("bundle not built; only the missing-bundle page was checked")
		return
	}
	res, _ = get(t, s.Assets().ServeHTTP, "/assets/app.js?v="+s.Version())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("embedded app.js: status %d", res.StatusCode)
	}
}
