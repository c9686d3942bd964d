package labs

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const fixtureMeta = "---\nslug: demo\ntitle: Demo\nlanguages: en fr\nnodes: node1 node2\nimages: alpine:3.20\n---\n\n" +
	"Notes for instructors.\n\n```check one node1\ntrue\n```\n\n```value who node2 timeout=5s\nhostname\n```\n"

const fixtureEN = "---\ntitle: Demo\n---\n\n# One {#one}\n\nText.\n\n```run node1\necho {{who}}\n```\n\n" +
	"# Two {#two}\n\n```run node2\nls\n```\n\n```file node2 motd.txt\nHello {{nobody}}\n```\n"

const fixtureFR = "---\ntitle: Démo\n---\n\n# Un {#one}\n\nTexte.\n\n```run node1\necho {{who}}\n```\n\n" +
	"# Deux {#two}\n\n```run node2\nls\n```\n\n```file node2 motd.txt\nHello {{nobody}}\n```\n"

// fixture returns a valid lab in the folder demo.
func fixture() fstest.MapFS {
	return fstest.MapFS{
		"demo/lab.md": {Data: []byte(fixtureMeta)},
		"demo/en.md":  {Data: []byte(fixtureEN)},
		"demo/fr.md":  {Data: []byte(fixtureFR)},
	}
}

func TestLintFixtureIsClean(t *testing.T) {
	fsys := fixture()
	if errs := Lint(fsys, "demo"); len(errs) > 0 {
		t.Fatalf("lint errors: %v", errs)
	}
	lab, err := LoadLab(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := lab.Value("who"); !ok || v.Node != "node2" || v.Script != "hostname" || v.Timeout.Seconds() != 5 {
		t.Fatalf("value who: %+v", v)
	}
	if c, ok := lab.Check("one"); !ok || c.Script != "true" || c.Timeout != DefaultTimeout {
		t.Fatalf("check one: %+v", c)
	}
	if _, ok := lab.Check("two"); ok {
		t.Fatal("section two has a check")
	}
	// A file block is verbatim: {{nobody}} is no value, and is kept.
	if b, ok := lab.Block("two-2"); !ok || b != (RunBlock{ID: "two-2", Node: "node2", Path: "motd.txt", Command: "Hello {{nobody}}\n"}) {
		t.Fatalf("file block two-2: %+v", b)
	}
}

func TestLintFindsEachProblem(t *testing.T) {
	tests := []struct {
		name      string
		file      string // file changed, in demo/
		old, new  string // replace old by new; new "-" deletes the file
		wantFile  string // file of the expected error, in demo/
		wantAt    string // text on the expected line of wantFile; "" means line 0
		wantInMsg string
	}{
		{"missing lab.md", "lab.md", "", "-", "lab.md", "", "cannot read"},
		{"no front matter", "lab.md", "---\nslug", "slug", "lab.md", "slug: demo", "must start with a front matter"},
		{"front matter not closed", "lab.md", "images: alpine:3.20\n---", "images: alpine:3.20", "lab.md", "---", "never closed"},
		{"unknown key", "lab.md", "title: Demo", "title: Demo\nauthor: me", "lab.md", "author", `unknown front matter key "author"`},
		{"duplicate key", "lab.md", "title: Demo", "title: Demo\ntitle: Again", "lab.md", "title: Again", "already set on line 3"},
		{"line without colon", "lab.md", "title: Demo", "title: Demo\njust words", "lab.md", "just words", "key: value"},
		{"bad slug", "lab.md", "slug: demo", "slug: Demo_Lab", "lab.md", "slug:", "slug must be"},
		{"slug differs from folder", "lab.md", "slug: demo", "slug: other", "lab.md", "slug:", `differs from the name of the lab's folder, "demo"`},
		{"missing title", "lab.md", "title: Demo\n", "", "lab.md", "---", "title is missing"},
		{"no languages", "lab.md", "languages: en fr", "languages:", "lab.md", "languages:", "languages is missing"},
		{"bad language", "lab.md", "languages: en fr", "languages: en FR", "lab.md", "languages:", `"FR" is not valid`},
		{"language file missing", "fr.md", "", "-", "lab.md", "languages:", "fr is listed but demo/fr.md is missing"},
		{"stray language file", "de.md", "", fixtureFR, "de.md", "", "not a language of the lab"},
		{"bad node name", "lab.md", "nodes: node1 node2", "nodes: node1 node2 Node_3", "lab.md", "nodes:", `"Node_3" is not valid`},
		{"duplicate node", "lab.md", "nodes: node1 node2", "nodes: node1 node2, node1", "lab.md", "nodes:", "listed twice"},
		{"nodes out of order", "lab.md", "nodes: node1 node2", "nodes: node2 node1", "lab.md", "nodes:", "node1 to nodeN in order"},
		{"six nodes", "lab.md", "nodes: node1 node2", "nodes: node1 node2 node3 node4 node5 node6", "lab.md", "nodes:", "N from 1 to 5"},
		{"bad image", "lab.md", "images: alpine:3.20", "images: alpine:3.20 'bad image'", "lab.md", "images:", "is not valid"},
		{"bad level", "lab.md", "images: alpine:3.20", "images: alpine:3.20\nlevel: expert", "lab.md", "level:", `"expert" is not a level; write one of beginner, intermediate, advanced`},
		{"minutes not a number", "lab.md", "images: alpine:3.20", "images: alpine:3.20\nminutes: 20 min", "lab.md", "minutes:", "a whole number of minutes from 1 to 600"},
		{"minutes out of range", "lab.md", "images: alpine:3.20", "images: alpine:3.20\nminutes: 0", "lab.md", "minutes:", "a whole number of minutes"},
		{"check for unknown section", "lab.md", "check one node1", "check three node1", "lab.md", "check three", `check for section "three", which en.md does not have (sections: one, two)`},
		{"check on unknown node", "lab.md", "check one node1", "check one node9", "lab.md", "check one", `node "node9", which is not among the lab's nodes`},
		{"check without node", "lab.md", "check one node1", "check one", "lab.md", "```check one", "```check SECTION NODE"},
		{"empty check script", "lab.md", "```check one node1\ntrue\n```", "```check one node1\n\n```", "lab.md", "check one", "empty script"},
		{"bad timeout", "lab.md", "timeout=5s", "timeout=5h", "lab.md", "value who", `timeout "5h" must be a duration from 1s to 2m0s`},
		{"unknown option", "lab.md", "timeout=5s", "retries=3", "lab.md", "value who", `unknown option "retries=3"`},
		{"unused value", "lab.md", "hostname\n```\n", "hostname\n```\n\n```value spare node1\necho\n```\n", "lab.md", "value spare", `value "spare" is not used`},
		{"duplicate value", "lab.md", "hostname\n```\n", "hostname\n```\n\n```value who node1\necho\n```\n", "lab.md", "value who node1", `value "who" is already defined on line 15`},
		{"bad value name", "lab.md", "hostname\n```\n", "hostname\n```\n\n```value Who-2 node1\necho\n```\n", "lab.md", "value Who-2", `value name "Who-2" must start with a-z`},
		{"unknown block in lab.md", "lab.md", "Notes for instructors.", "```sh\nls\n```", "lab.md", "```sh", "holds only check, value and setup blocks"},
		{"unclosed block in lab.md", "lab.md", "hostname\n```\n", "hostname\n", "lab.md", "value who", "never closed"},
		{"unclosed block in en.md", "en.md", "ls\n```\n\n```file node2 motd.txt\nHello {{nobody}}\n```\n", "ls\n", "en.md", "```run node2", "code block is never closed"},
		{"section without id", "en.md", "# Two {#two}", "# Two", "en.md", "# Two", "needs an id"},
		{"bad section id", "en.md", "{#two}", "{#Two_2}", "en.md", "# Two", `section id "Two_2" must be`},
		{"section without title", "en.md", "# Two {#two}", "# {#two}", "en.md", "# {#two}", "no title"},
		{"duplicate section id", "en.md", "{#two}", "{#one}", "en.md", "# Two", `section id "one" is already used on line 5`},
		{"text before the first section", "en.md", "---\n\n# One", "---\n\nHello.\n\n# One", "en.md", "Hello.", "text before the first section"},
		{"no sections", "en.md", fixtureEN, "Just text.\n", "en.md", "Just text.", "no sections"},
		{"section heading in a list", "en.md", "Text.", "- # Inner {#inner}", "en.md", "Inner", "cannot be inside a list"},
		{"deep heading", "en.md", "Text.", "##### Five", "en.md", "Five", "deeper than ####"},
		{"run block on unknown node", "en.md", "```run node2", "```run node7", "en.md", "```run node7", `node "node7", which is not among`},
		{"run block without node", "en.md", "```run node2", "```run", "en.md", "```run\n", "exactly one node"},
		{"empty run block", "en.md", "```run node2\nls\n```", "```run node2\n\n```", "en.md", "```run node2", "run block is empty"},
		{"check block in a language file", "en.md", "Text.", "```check one node1\ntrue\n```", "en.md", "```check", "belong in lab.md"},
		{"node name as fence info", "en.md", "Text.", "```node1\nls\n```", "en.md", "```node1", "is written ```run node1"},
		{"undefined placeholder", "en.md", "echo {{who}}", "echo {{who}} {{ where }}", "en.md", "```run node1", "uses {{where}}, but lab.md defines no value where"},
		{"unsafe link", "en.md", "Text.", "Text.\nSee [this](javascript:alert%281%29).", "en.md", "See [this]", "link target"},
		{"invalid UTF-8", "en.md", "Text.", "Text \xff.", "en.md", "Text ", "not valid UTF-8"},
		{"NUL byte", "en.md", "Text.", "Text\x00.", "en.md", "Text", "NUL byte"},
		{"sections in another order", "fr.md", "# Un {#one}\n\nTexte.\n\n```run node1\necho {{who}}\n```\n\n# Deux {#two}\n\n```run node2\nls\n```\n",
			"# Deux {#two}\n\n```run node2\nls\n```\n\n# Un {#one}\n\nTexte.\n\n```run node1\necho {{who}}\n```\n", "fr.md", "# Deux", `section 1 is "two" here but "one" in en.md`},
		{"missing section", "fr.md", "# Deux {#two}\n\n```run node2\nls\n```\n", "", "fr.md", "# Un", `section 2 is missing here but "two" in en.md`},
		{"run block command differs", "fr.md", "```run node2\nls\n```", "```run node2\nls -l\n```", "fr.md", "```run node2", "run block two-1 differs from the one in en.md"},
		{"run block node differs", "fr.md", "```run node2", "```run node1", "fr.md", "```run node1\nls", "run block two-1 runs on node1 here but on node2 in en.md"},
		{"run block count differs", "fr.md", "```run node2\nls\n```", "```run node2\nls\n```\n\n```run node2\npwd\n```", "fr.md", "# Deux", `section "two" has 2 run blocks here but 1 in en.md`},
		{"file block on unknown node", "en.md", "```file node2", "```file node7", "en.md", "```file node7", `file block names node "node7", which is not among`},
		{"file block without path", "en.md", "```file node2 motd.txt", "```file node2", "en.md", "```file node2", "names one node and one path"},
		{"file block path with ..", "en.md", "motd.txt\n", "../motd.txt\n", "en.md", "```file node2", `"../motd.txt" has a .. segment`},
		{"file block path too long", "en.md", "motd.txt\n", "/" + strings.Repeat("d/", 2048) + "motd.txt\n", "en.md", "```file node2", "at most 4096 bytes"},
		{"file block too large", "en.md", "Hello {{nobody}}\n", strings.Repeat("x", 300<<10) + "\n", "en.md", "```file node2", "at most 262144"},
		{"unclosed file block", "en.md", "Hello {{nobody}}\n```\n", "Hello\n", "en.md", "```file node2", "code block is never closed"},
		{"file block content differs", "fr.md", "Hello {{nobody}}", "Bonjour", "fr.md", "```file node2", "file block two-2 differs from the one in en.md: file blocks are the same"},
		{"file block path differs", "fr.md", "motd.txt", "/etc/motd", "fr.md", "```file node2", "file block two-2 writes /etc/motd here but motd.txt in en.md"},
		{"file block node differs", "fr.md", "```file node2", "```file node1", "fr.md", "```file node1", "file block two-2 runs on node1 here but on node2 in en.md"},
		{"file block missing", "fr.md", "\n```file node2 motd.txt\nHello {{nobody}}\n```\n", "\n", "fr.md", "# Deux", `section "two" has 0 file blocks here but 1 in en.md`},
		{"file and run blocks swapped", "fr.md", "```run node2\nls\n```\n\n```file node2 motd.txt\nHello {{nobody}}\n```",
			"```file node2 motd.txt\nHello {{nobody}}\n```\n\n```run node2\nls\n```", "fr.md", "```file node2", "block two-1 is a file block here but not in en.md"},
		{"port link to unknown node", "en.md", "Text.", "Text [app](port:node3:80/).", "en.md", "Text [app]", `port link "port:node3:80/" names node "node3"`},
		{"error deep in the text", "en.md", "Text.", "Text.\n\n" + strings.Repeat("Some words.\n\n- a list\n  > with a quote\n\n", 60) +
			"- item\n  > quoted [bad](javascript:x) link\n", "en.md", "  > quoted [bad]", "link target"},
		{"heading error deep in a list", "en.md", "Text.", strings.Repeat("Para.\n\n", 100) + "1. x\n2. y\n   ###### Six", "en.md", "   ###### Six", "deeper than ####"},
		{"fence error deep in a quote", "en.md", "Text.", strings.Repeat("| a | b |\n|---|---|\n| 1 | 2 |\n\n", 40) + "> - item\n>   ```run node9\n>   ls\n>   ```", "en.md", ">   ```run node9", `"node9", which is not among`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fixture()
			path := "demo/" + tt.file
			switch {
			case tt.new == "-":
				delete(fsys, path)
			case fsys[path] == nil:
				fsys[path] = &fstest.MapFile{Data: []byte(tt.new)}
			default:
				src := string(fsys[path].Data)
				if !strings.Contains(src, tt.old) {
					t.Fatalf("fixture %s has no %q", tt.file, tt.old)
				}
				fsys[path].Data = []byte(strings.Replace(src, tt.old, tt.new, 1))
			}
			wantFile := "demo/" + tt.wantFile
			wantLine := 0
			if tt.wantAt != "" {
				wantLine = lineOf(t, string(fsys[wantFile].Data), tt.wantAt)
			}
			errs := Lint(fsys, "demo")
			found := false
			for _, e := range errs {
				if e.File == wantFile && e.Line == wantLine && strings.Contains(e.Message, tt.wantInMsg) {
					found = true
				}
			}
			if !found {
				t.Errorf("want %s:%d: ...%s...; got:\n%s", wantFile, wantLine, tt.wantInMsg, LintErrors(errs))
			}
			_, err := LoadLab(fsys, "demo")
			var lerrs LintErrors
			if !errors.As(err, &lerrs) || len(lerrs) != len(errs) {
				t.Errorf("LoadLab returned %v, want the %d lint errors", err, len(errs))
			}
		})
	}
}

// lineOf returns the 1-based line of src on which text starts.
func lineOf(t *testing.T, src, text string) int {
	t.Helper()
	i := strings.Index(src, text)
	if i < 0 {
		t.Fatalf("%q not found in\n%s", text, src)
	}
	return strings.Count(src[:i], "\n") + 1
}

func TestLintErrorFormat(t *testing.T) {
	e := LintError{File: "demo/en.md", Line: 12, Message: "run block is empty"}
	if e.Error() != "demo/en.md:12: run block is empty" {
		t.Fatal(e.Error())
	}
	e.Line = 0
	if e.Error() != "demo/en.md: run block is empty" {
		t.Fatal(e.Error())
	}
}

func TestLoadCatalog(t *testing.T) {
	fsys := fixture()
	fsys["README.md"] = &fstest.MapFile{Data: []byte("not a lab")}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.List()) != 1 || c.List()[0].Slug != "demo" {
		t.Fatalf("labs: %v", c.List())
	}
	fsys["broken/lab.md"] = &fstest.MapFile{Data: []byte("nothing")}
	if _, err := Load(fsys); err == nil || !strings.Contains(err.Error(), "broken/lab.md:1:") {
		t.Fatalf("Load of a broken lab: %v", err)
	}
	if errs := LintAll(fsys); len(errs) == 0 || errs[0].File != "broken/lab.md" {
		t.Fatalf("LintAll: %v", errs)
	}
}
