package labs

import (
	"strings"
	"testing"
	"time"
)

// withSetups returns the fixture lab with extra appended to its lab.md.
func withSetups(extra string) map[string]string {
	return map[string]string{"lab.md": fixtureMeta + extra}
}

func TestSetupBlocksLoad(t *testing.T) {
	fsys := fixture()
	fsys["demo/lab.md"].Data = []byte(fixtureMeta +
		"\n```setup one node1\nmkdir -p /opt/demo\n```\n" +
		"\n```setup one node2 timeout=3m\ntouch /tmp/ready\n```\n" +
		"\n```setup two node1 terminal\nwhile [[ ! -f /tmp/ready ]]; do sleep 1; done\n```\n")
	lab, err := LoadLab(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	one := lab.Setups("one")
	if len(one) != 2 || one[0].Node != "node1" || one[0].Script != "mkdir -p /opt/demo" || one[0].Timeout != DefaultSetupTimeout || one[0].Terminal ||
		one[1].Node != "node2" || one[1].Timeout != 3*time.Minute {
		t.Fatalf("setups of one: %+v", one)
	}
	two := lab.Setups("two")
	if len(two) != 1 || !two[0].Terminal || two[0].Timeout != 0 {
		t.Fatalf("setups of two: %+v", two)
	}
	// A terminal setup is bash typed into a shell; sh's lint leaves it be.
	if errs := lab.LintScripts(); len(errs) > 0 {
		t.Fatalf("script lint: %v", errs)
	}
	for _, s := range lab.Sections() {
		if !s.HasSetup {
			t.Errorf("section %s: HasSetup false", s.ID)
		}
	}
	r, _ := lab.Render("fr")
	if !r.Sections[0].HasSetup {
		t.Error("rendered section one: HasSetup false")
	}
	// The rendered lab never holds a setup's script.
	for _, s := range r.Sections {
		if strings.Contains(s.HTML, "/opt/demo") || strings.Contains(s.HTML, "/tmp/ready") {
			t.Errorf("section %s shows a setup: %s", s.ID, s.HTML)
		}
	}
}

func TestSetupLint(t *testing.T) {
	tests := []struct {
		name, block, want string
	}{
		{"unknown section", "```setup three node1\ntrue\n```", `setup for section "three", which en.md does not have`},
		{"unknown node", "```setup one node7\ntrue\n```", `setup block names node "node7", which is not among`},
		{"no node", "```setup one\ntrue\n```", "a setup block is written ```setup SECTION NODE"},
		{"empty script", "```setup one node1\n\n```", "setup block has an empty script"},
		{"timeout too long", "```setup one node1 timeout=1h\ntrue\n```", `timeout "1h" must be a duration from 1s to 10m0s`},
		{"unknown option", "```setup one node1 background\ntrue\n```", `unknown option "background"`},
		{"terminal with a timeout", "```setup one node1 terminal timeout=2m\ntrue\n```", "has no timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fixture()
			fsys["demo/lab.md"].Data = []byte(withSetups("\n" + tt.block + "\n")["lab.md"])
			errs := Lint(fsys, "demo")
			var found bool
			for _, e := range errs {
				if e.File == "demo/lab.md" && strings.Contains(e.Message, tt.want) {
					found = true
					if e.Line < 16 {
						t.Errorf("error at line %d, before the setup block: %v", e.Line, e)
					}
				}
			}
			if !found {
				t.Fatalf("want an error with %q in demo/lab.md, got %v", tt.want, errs)
			}
		})
	}
}

func TestSetupScriptSyntax(t *testing.T) {
	fsys := fixture()
	fsys["demo/lab.md"].Data = []byte(fixtureMeta + "\n```setup one node1\nfiles=(a b)\n```\n")
	lab, err := LoadLab(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	errs := lab.LintScripts()
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "arrays are a bash") || errs[0].Line != 20 {
		t.Fatalf("want the array refused at line 20, got %v", errs)
	}
}
