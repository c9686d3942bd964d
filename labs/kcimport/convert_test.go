package kcimport

import (
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labplay/playground/labs"
)

// load lints the converted lab as the server would, and loads it.
func load(t *testing.T, r *Result) *labs.Lab {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range r.Files {
		fsys[r.Slug+"/"+name] = &fstest.MapFile{Data: data}
	}
	if errs := labs.Lint(fsys, r.Slug); len(errs) > 0 {
		t.Fatalf("the converted lab does not lint: %v\nlab.md:\n%s\nen.md:\n%s", errs, r.Files["lab.md"], r.Files["en.md"])
	}
	lab, err := labs.LoadLab(fsys, r.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if errs := lab.LintScripts(); len(errs) > 0 {
		t.Fatalf("the converted scripts do not parse as sh: %v\n%s", errs, r.Files["lab.md"])
	}
	return lab
}

func noteTexts(r *Result) []string {
	var out []string
	for _, n := range r.Notes {
		out = append(out, n.String())
	}
	return out
}

func TestConvertScenario(t *testing.T) {
	r, err := Convert(os.DirFS("testdata/first-steps"), Options{Name: "first-steps"})
	if err != nil {
		t.Fatal(err)
	}
	lab := load(t, r)
	want := []string{"intro", "write-a-greeting", "read-the-prepared-note", "run-the-asset", "finish"}
	if !slices.Equal(r.Sections, want) || !slices.Equal(lab.SectionIDs(), want) {
		t.Fatalf("sections %v, lab %v; want %v", r.Sections, lab.SectionIDs(), want)
	}
	if r.Slug != "first-steps" || r.Title != "First steps in a node" || r.Nodes != 1 || !slices.Equal(lab.Nodes, []string{"node1"}) {
		t.Fatalf("slug %q, title %q, nodes %d", r.Slug, r.Title, r.Nodes)
	}
	en := string(r.Files["en.md"])
	for _, s := range []string{
		"# Introduction {#intro}\n\nA scenario written for the importer's tests",
		"## Welcome\n", // the intro's heading, a level down
		"Write a file:\n\n```run node1\necho hello > /root/greeting.txt\n```\n\nThen read it with `cat /root/greeting.txt`.",
		"```run node1\ncp /opt/kc/note.txt /root/note.txt\n```",
		"```\nls -l /opt/kc\n```", // {{copy}}: code without a Run button
		"### Going further",
		"[the app](port:node1:8080/)",
		"```run node1\n/opt/kc/hello.sh > /root/hello.out\ndocker network create kc-net\n```",
		"# Finish {#finish}\n\n## Done",
	} {
		if !strings.Contains(en, s) {
			t.Errorf("en.md lacks %q:\n%s", s, en)
		}
	}
	if strings.Contains(en, "# Write a greeting\n") || strings.Contains(en, "{{") {
		t.Errorf("en.md keeps a step's own title heading or a marker:\n%s", en)
	}
	// The verify scripts are the checks, run by their own interpreters.
	checks := lab.Checks("write-a-greeting")
	if len(checks) != 1 || !strings.Contains(checks[0].Script, "[[ \"$(cat /root/greeting.txt 2>/dev/null)\" == hello ]]") ||
		!strings.Contains(checks[0].Script, "bash \"$script\"") || checks[0].Timeout.Seconds() != 30 {
		t.Errorf("check of write-a-greeting: %+v", checks)
	}
	if c := lab.Checks("run-the-asset"); len(c) != 1 || !strings.Contains(c[0].Script, "sh \"$script\"") || strings.Contains(c[0].Script, "bash") {
		t.Errorf("a #!/bin/sh verify runs with sh: %+v", c)
	}
	if len(lab.Checks("intro")) != 0 || len(lab.Checks("finish")) != 0 {
		t.Error("the intro or the finish has a check")
	}
	// The intro's setups: the asset first, then its background script.
	intro := lab.Setups("intro")
	if len(intro) != 2 || intro[0].Terminal || !strings.Contains(intro[0].Script, "cat > '/opt/kc/hello.sh' <<'ASSET'\n#!/bin/sh\necho \"hello from an asset\"\nASSET\nchmod +x '/opt/kc/hello.sh'") ||
		!strings.Contains(intro[1].Script, "echo intro > /opt/kc/intro-ran") {
		t.Errorf("setups of intro: %+v", intro)
	}
	note := lab.Setups("read-the-prepared-note")
	if len(note) != 2 || note[0].Terminal || !strings.Contains(note[0].Script, "touch /tmp/background-done") ||
		!note[1].Terminal || note[1].Script != `while [ ! -f /tmp/background-done ]; do sleep 1; done; echo "the note is ready"` {
		t.Errorf("setups of read-the-prepared-note: %+v", note)
	}
	wantNotes := []string{
		"index.json: interface is not carried over (a lab has no such setting)",
		"step2/text.md:17: HTML is shown as text in a lab; rewrite it as Markdown",
		"step3/text.md:5: {{exec interrupt}} sends Ctrl-C first in Killercoda; here the command is typed as it is",
	}
	if got := noteTexts(r); !slices.Equal(got, wantNotes) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantNotes, "\n"))
	}
	// The notes are in lab.md for the author too.
	if !strings.Contains(string(r.Files["lab.md"]), "- "+wantNotes[2]) {
		t.Errorf("lab.md lacks the notes:\n%s", r.Files["lab.md"])
	}
}

func TestConvertRefusesKubernetes(t *testing.T) {
	_, err := Convert(os.DirFS("testdata/k8s-pods"), Options{Name: "k8s-pods"})
	if err == nil || !strings.Contains(err.Error(), `Kubernetes backend "kubernetes-kubeadm-2nodes"`) || !strings.Contains(err.Error(), "cannot be imported") {
		t.Fatalf("want the Kubernetes backend refused, got %v", err)
	}
}

func TestConvertNotesMissingFiles(t *testing.T) {
	r, err := Convert(os.DirFS("testdata/missing-files"), Options{Name: "missing-files", Slug: "gaps"})
	if err != nil {
		t.Fatal(err)
	}
	lab := load(t, r)
	if r.Slug != "gaps" || !slices.Equal(lab.SectionIDs(), []string{"intro", "only-a-step", "finish"}) {
		t.Fatalf("slug %q, sections %v", r.Slug, lab.SectionIDs())
	}
	wantNotes := []string{
		"step1/verify.sh: index.json names this verify script of the step 1, but the folder lacks it; left out",
		"step1/foreground.sh: index.json names this foreground script of the step 1, but the folder lacks it; left out",
		"finish.md: index.json names this text of the finish, but the folder lacks it; left out",
		"assets/app.yaml: index.json names this asset, but the folder lacks it; left out",
		"index.json: the assets of host02 are left out: the lab has no such node",
	}
	if got := noteTexts(r); !slices.Equal(got, wantNotes) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantNotes, "\n"))
	}
	// Katacoda's {{execute}} is a run block too; a section without its
	// verify script is marked done by the learner.
	if b, ok := lab.Block("only-a-step-1"); !ok || b.Command != "ls" || b.Node != "node1" {
		t.Errorf("run block: %+v %v", b, ok)
	}
	if len(lab.Checks("only-a-step")) != 0 || len(lab.Setups("only-a-step")) != 0 {
		t.Error("a missing script gave a check or a setup")
	}
}

func TestConvertText(t *testing.T) {
	tests := []struct{ name, src, want, note string }{
		{"inline exec in a sentence", "First `ls /`{{exec}} then more.",
			"First `ls /` then more.\n\n```run node1\nls /\n```", ""},
		{"placeholder kept as code", "```\necho {{name}}\n```{{exec}}",
			"```\necho {{name}}\n```", "a lab reads {{...}} in a run block as a value"},
		{"go template is a command", "`docker inspect -f '{{.Id}}' x`{{exec}}",
			"```run node1\ndocker inspect -f '{{.Id}}' x\n```", ""},
		{"backticks in the command", "````\necho ```\n````{{exec}}",
			"````run node1\necho ```\n````", ""},
		{"second host named", "`hostname`{{exec T2}}", "```run node1\nhostname\n```", "names a terminal the lab does not have"},
		{"bare traffic link", "Open {{TRAFFIC_HOST1_80}} now.", "Open [node1:80](port:node1:80/) now.", ""},
		{"selector", "Pick {{TRAFFIC_SELECTOR}}.", "Pick the ports listed above the terminal.", "TRAFFIC_SELECTOR"},
		{"local image", "![diagram](./assets/d.png)", "![diagram](./assets/d.png)", "labs show no images"},
		{"plain fence stays", "```bash\nls\n```", "```bash\nls\n```", ""},
		{"unclosed fence", "```\nls", "```\nls\n```", "never closed"},
		{"deep headings", "##### Deep", "#### Deep", ""},
		{"fence in a list item", "1. Run:\n   ```\n   ls\n     -l\n   ```{{exec}}", "1. Run:\n\n```run node1\nls\n  -l\n```", ""},
		{"open action", "Open `app.js`{{open}} now.", "Open `app.js` now.", "{{open}} action is not carried over"},
		{"underlined heading", "Intro\nText.\n\nPart\n====\n\nMore.", "Intro\nText.\n\n## Part\n\nMore.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := &notes{}
			got := convertText(tt.src, "t.md", "Title", 1, ns)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			var all []string
			for _, n := range ns.list {
				all = append(all, n.Text)
			}
			if (tt.note == "") != (len(all) == 0) || (tt.note != "" && !strings.Contains(strings.Join(all, "|"), tt.note)) {
				t.Errorf("notes %q, want one with %q", all, tt.note)
			}
		})
	}
}

func TestScriptHelpers(t *testing.T) {
	for script, want := range map[string]string{
		"#!/bin/bash\nls": "bash", "#!/usr/bin/env python3\nprint(1)": "python3", "#!/bin/sh -e\nls": "sh", "ls": "bash",
	} {
		if prog, _ := interpreter(script); prog != want {
			t.Errorf("interpreter(%q) = %q, want %q", script, prog, want)
		}
	}
	// A script holding the delimiter gets another one.
	w := wrapped("echo a\nVERIFY\necho b", "VERIFY")
	if !strings.Contains(w, "<<'VERIFY_XX'\necho a\nVERIFY\necho b\nVERIFY_XX\n") {
		t.Errorf("wrapped:\n%s", w)
	}
	if slugify("  Docker: First Steps! ") != "docker-first-steps" || slugify("***") != "" {
		t.Error("slugify")
	}
}

// Katacoda's names for the scripts (courseData, code), its difficulty and
// time, and an image id written ubuntu:2004 carry over too.
func TestConvertKatacodaNames(t *testing.T) {
	fsys := fstest.MapFS{
		"index.json": {Data: []byte(`{"title": "Old", "difficulty": "Beginner", "time": "10 minutes",
			"details": {"intro": {"text": "intro.md", "courseData": "bg.sh", "code": "fg.sh"}},
			"backend": {"imageid": "ubuntu:2004"}}`)},
		"intro.md": {Data: []byte("Hello.\n")},
		"bg.sh":    {Data: []byte("touch /root/bg\n")},
		"fg.sh":    {Data: []byte("echo hi\n")},
	}
	r, err := Convert(fsys, Options{Name: "Old Scenario"})
	if err != nil {
		t.Fatal(err)
	}
	lab := load(t, r)
	if r.Slug != "old-scenario" || len(r.Notes) != 0 {
		t.Errorf("slug %q, notes %v", r.Slug, r.Notes)
	}
	if !strings.Contains(string(r.Files["en.md"]), "*Level: Beginner. Time: 10 minutes.*\n\nHello.") {
		t.Errorf("en.md:\n%s", r.Files["en.md"])
	}
	su := lab.Setups("intro")
	if len(su) != 2 || su[0].Terminal || !strings.Contains(su[0].Script, "touch /root/bg") || !su[1].Terminal || su[1].Script != "echo hi" {
		t.Errorf("setups: %+v", su)
	}
}
