package labs

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// allowedTag matches every tag the renderer may write.
var allowedTag = regexp.MustCompile(`^(?:</?(?:p|em|strong|del|code|pre|h[234]|ul|li|blockquote|table|thead|tbody|tr)>|` +
	`<ol(?: start="\d+")?>|</ol>|<hr>|<br>|<t[hd](?: align="(?:left|right|center)")?>|</t[hd]>|` +
	`<a href="[^"<>]*"(?: title="[^"<>]*")?(?: target="_blank" rel="noopener noreferrer")?>|</a>|` +
	`<a class="port-link" href="#" target="_blank" rel="noopener" data-node="node[1-9]" data-port="\d{1,5}" data-path="/[^"<>]*">|` +
	`<div class="run-block" data-block="[a-z0-9-]+-\d+" data-node="[a-z][a-z0-9-]*">|<div class="run-node">|</div>|` +
	`<div class="file-block" data-block="[a-z0-9-]+-\d+" data-node="[a-z][a-z0-9-]*" data-path="[^"<>]+">|` +
	`<div class="file-head">|<span class="run-node">|<span class="file-path">|</span>)$`)

var anyTag = regexp.MustCompile(`<[^>]*>`)

var hrefPattern = regexp.MustCompile(`<a href="([^"]*)"`)

// FuzzParse feeds arbitrary lab.md, en.md and fr.md files to the loader. It
// checks that nothing panics, that lint and loading agree, and that a lab
// that loads renders to HTML made only of the renderer's own tags.
func FuzzParse(f *testing.F) {
	shipped := builtinFS(f)
	read := func(name string) string {
		data, err := fs.ReadFile(shipped, name)
		if err != nil {
			f.Fatal(err)
		}
		return string(data)
	}
	f.Add(read("docker-orchestration/lab.md"), read("docker-orchestration/en.md"), read("docker-orchestration/fr.md"))
	f.Add(fixtureMeta, fixtureEN, fixtureFR)
	f.Add(fixtureMeta, fixtureEN+"\n```run node1\n", fixtureFR)
	f.Add(fixtureMeta, "# A {#one}\n- x\n  > y\n  > ```run node1\n", "")
	f.Add("---\nslug: demo\n", "# T {#Bad ID}\n[x](javascript:y) <script>", "\xff")
	f.Add(fixtureMeta, strings.Replace(fixtureEN, "Text.", "*a **b `c* d` e** [f](#g)_h_", 1), fixtureFR)
	f.Add(strings.Replace(fixtureMeta, "timeout=5s", "timeout=0s", 1), fixtureEN, fixtureFR)
	withText := func(s string) string { return strings.Replace(fixtureEN, "Text.", s, 1) }
	for _, s := range []string{
		"<div onclick=\"x()\">\n<script>alert(1)</script>\n</div>",
		"a <b onmouseover=x>b</b> <img src=x onerror=y> <!-- c --> <?php ?> <![CDATA[x]]>",
		"[a](javascript:alert(1)) [b](JAVASCRIPT&#58;x) [c](<java\tscript:x>) ![d](data:x) [e][r]\n\n[r]: vbscript:x",
		"<javascript:alert(1)> <https://ok.example> <a@b.c> <port:node1:80/> <//x>",
		"## T {#x .c onclick=y}\n\npara {onclick=z}\n{.class #id}",
		"| a | <b> |\n|:-|-:|\n| [x](javascript:y) | ~~z~~ |",
		"```file node1 a/b.yaml\nk: <v> & \"w\"\n```\n\n```file node2 ../x\n```\n\n[p](port:node2:65535/a?b=c)",
		"- a\n  1. b\n     > c\n     > ```run node1\n     > ls\n     > ```",
	} {
		f.Add(fixtureMeta, withText(s), fixtureFR)
	}
	f.Fuzz(func(t *testing.T, meta, en, fr string) {
		fsys := fstest.MapFS{
			"demo/lab.md": {Data: []byte(meta)},
			"demo/en.md":  {Data: []byte(en)},
			"demo/fr.md":  {Data: []byte(fr)},
		}
		files := map[string]string{"demo/lab.md": meta, "demo/en.md": en, "demo/fr.md": fr}
		errs := Lint(fsys, "demo")
		lab, err := LoadLab(fsys, "demo")
		if (len(errs) > 0) != (err != nil) || (err == nil) != (lab != nil) {
			t.Fatalf("lint found %d problems but LoadLab returned %v", len(errs), err)
		}
		for _, e := range errs {
			src, ok := files[e.File]
			if !ok || e.Message == "" || e.Line < 0 || e.Line > strings.Count(src, "\n")+1 {
				t.Fatalf("bad lint error %+v", e)
			}
		}
		if lab == nil {
			return
		}
		for _, lang := range lab.Langs {
			r, err := lab.Render(lang)
			if err != nil {
				t.Fatalf("Render(%s): %v", lang, err)
			}
			for _, s := range r.Sections {
				checkHTML(t, s.HTML)
				for _, b := range s.Blocks {
					if got, ok := lab.Block(b.ID); !ok || got != b {
						t.Fatalf("block %s: Block gives %+v", b.ID, got)
					}
					if b.Path != "" {
						continue // a file block's content is verbatim
					}
					for _, name := range Placeholders(b.Command) {
						if _, ok := lab.Value(name); !ok {
							t.Fatalf("block %s uses undefined value %s", b.ID, name)
						}
					}
				}
			}
		}
		for _, id := range lab.SectionIDs() {
			for _, c := range lab.Checks(id) {
				if c.Timeout < MinTimeout || c.Timeout > MaxTimeout || strings.TrimSpace(c.Script) == "" {
					t.Fatalf("bad check %+v", c)
				}
			}
		}
	})
}

// checkHTML fails the test if html holds a tag the renderer does not write
// or a link to an unsafe target.
func checkHTML(t *testing.T, html string) {
	t.Helper()
	tags := anyTag.FindAllString(html, -1)
	if strings.Count(html, "<") != len(tags) || strings.Count(html, ">") != len(tags) {
		t.Fatalf("unescaped < or > in %q", html)
	}
	for _, tag := range tags {
		if !allowedTag.MatchString(tag) {
			t.Fatalf("unexpected tag %q in %q", tag, html)
		}
	}
	for _, m := range hrefPattern.FindAllStringSubmatch(html, -1) {
		if !safeURL(m[1]) {
			t.Fatalf("unsafe link %q", m[1])
		}
	}
}
