package labs

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/labplay/playground/fault"
)

// builtinFS returns the embedded labs as Load reads them.
func builtinFS(t testing.TB) fs.FS {
	t.Helper()
	sub, err := fs.Sub(content, "content")
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestBuiltinLabsLintClean(t *testing.T) {
	if errs := LintAll(builtinFS(t)); len(errs) > 0 {
		t.Fatalf("the shipped labs have lint errors:\n%s", LintErrors(errs))
	}
	// Builtin panics when the content does not load.
	if len(Builtin().List()) == 0 {
		t.Fatal("Builtin has no labs")
	}
}

func TestBuiltinOrchestrationLab(t *testing.T) {
	lab, err := Builtin().Get("docker-orchestration")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lab.Langs, []string{"en", "fr"}) || !slices.Equal(lab.Nodes, []string{"node1", "node2", "node3"}) ||
		!slices.Equal(lab.Images, []string{"mtbsoft/myipaddress:latest"}) {
		t.Fatalf("metadata: langs %v nodes %v images %v", lab.Langs, lab.Nodes, lab.Images)
	}
	wantIDs := []string{"orchestration", "swarm", "service", "scale", "drain", "cleanup"}
	if got := lab.SectionIDs(); !slices.Equal(got, wantIDs) {
		t.Fatalf("section ids %v, want %v", got, wantIDs)
	}
	for _, id := range wantIDs {
		s, _ := lab.Section(id)
		if want := id != "orchestration"; s.HasCheck != want {
			t.Errorf("section %s: HasCheck %v, want %v", id, s.HasCheck, want)
		}
	}
	if n := len(lab.Checks("cleanup")); n != 3 {
		t.Errorf("cleanup has %d checks, want one per node", n)
	}
	for _, c := range lab.Checks("cleanup") {
		if !strings.Contains(c.Script, "LocalNodeState") {
			t.Errorf("cleanup check on %s does not look at the swarm state", c.Node)
		}
	}
	if c, ok := lab.Check("scale"); !ok || c.Timeout.Seconds() != 20 || c.Node != "node1" {
		t.Errorf("scale check: %+v %v", c, ok)
	}
	if c, _ := lab.Check("swarm"); c.Timeout != DefaultTimeout {
		t.Errorf("swarm check timeout %v, want the default", c.Timeout)
	}

	join, ok := lab.Block("swarm-3")
	if !ok || join.Node != "node2" || join.Command != "{{worker_join}}" {
		t.Fatalf("swarm-3 = %+v, %v", join, ok)
	}
	if got := lab.Placeholders(join.Command); !slices.Equal(got, []string{"worker_join"}) {
		t.Fatalf("placeholders of the join block: %v", got)
	}
	v, ok := lab.Value("worker_join")
	if !ok || v.Node != "node1" || !strings.Contains(v.Script, "join-token -q worker") {
		t.Fatalf("worker_join value: %+v", v)
	}
	drain, _ := lab.Block("drain-3")
	if drain.Command != "docker node update --availability drain {{node2_id}}" {
		t.Fatalf("drain-3 = %q", drain.Command)
	}
	if got := Substitute(drain.Command, map[string]string{"node2_id": "yu3hbegvwsdp"}); got != "docker node update --availability drain yu3hbegvwsdp" {
		t.Fatalf("substituted drain command: %q", got)
	}
}

func TestBuiltinRenderBothLanguages(t *testing.T) {
	lab, err := Builtin().Get("docker-orchestration")
	if err != nil {
		t.Fatal(err)
	}
	en, err := lab.Render("")
	if err != nil {
		t.Fatal(err)
	}
	fr, err := lab.Render("fr")
	if err != nil {
		t.Fatal(err)
	}
	if en.Lang != "en" || fr.Lang != "fr" || en.Title == fr.Title {
		t.Fatalf("en %q %q, fr %q %q", en.Lang, en.Title, fr.Lang, fr.Title)
	}
	if len(en.Sections) != 6 || len(fr.Sections) != 6 {
		t.Fatalf("%d and %d sections", len(en.Sections), len(fr.Sections))
	}
	for i := range en.Sections {
		e, f := en.Sections[i], fr.Sections[i]
		if e.ID != f.ID || e.HasCheck != f.HasCheck || !slices.Equal(e.Blocks, f.Blocks) {
			t.Errorf("section %d differs between languages: %+v / %+v", i, e, f)
		}
		if e.HTML == f.HTML || e.Title == f.Title {
			t.Errorf("section %s has the same text in both languages", e.ID)
		}
		for _, b := range e.Blocks {
			want := `<div class="run-block" data-block="` + b.ID + `" data-node="` + b.Node + `"><div class="run-node">` + b.Node + `</div><pre><code>`
			if !strings.Contains(e.HTML, want) {
				t.Errorf("section %s: no run block markup for %s", e.ID, b.ID)
			}
		}
	}
	swarm := en.Sections[1]
	if !strings.Contains(swarm.HTML, "<h2>Make node1 a manager</h2>") || !strings.Contains(swarm.HTML, "<ul>\n<li>turn on swarm mode,</li>") {
		t.Errorf("swarm section HTML lacks its heading or list:\n%s", swarm.HTML)
	}
	if !strings.Contains(swarm.HTML, `<code>{{worker_join}}</code>`) {
		t.Errorf("the join command is not shown with its placeholder")
	}

	// No check or value script reaches the rendered lab.
	data, err := json.Marshal([]*Rendered{en, fr})
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, id := range lab.SectionIDs() {
		for _, c := range lab.Checks(id) {
			secrets = append(secrets, firstLines(c.Script)...)
		}
	}
	for _, name := range []string{"worker_join", "node2_id", "sleeper_id"} {
		v, _ := lab.Value(name)
		secrets = append(secrets, firstLines(v.Script)...)
	}
	for _, s := range secrets {
		if strings.Contains(string(data), s) {
			t.Errorf("rendered lab contains script line %q", s)
		}
	}
	if len(secrets) < 20 {
		t.Fatalf("only %d script lines compared", len(secrets))
	}
}

// firstLines returns the lines of a script long enough to be distinctive,
// JSON-escaped as they would appear in a response.
func firstLines(script string) []string {
	var out []string
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimSpace(l)
		if len(l) < 12 {
			continue
		}
		b, _ := json.Marshal(l)
		out = append(out, strings.Trim(string(b), `"`))
	}
	return out
}

func TestCatalogErrors(t *testing.T) {
	c := Builtin()
	if _, err := c.Get("no-such-lab"); fault.ErrorCode(err) != fault.ENOTFOUND {
		t.Fatalf("Get of an unknown lab: %v", err)
	}
	lab, _ := c.Get("docker-orchestration")
	if _, err := lab.Render("de"); fault.ErrorCode(err) != fault.EINVALID {
		t.Fatalf("Render of an unknown language: %v", err)
	}
	if lang, err := lab.Lang(""); err != nil || lang != "en" {
		t.Fatalf("Lang(\"\") = %q, %v", lang, err)
	}
	// Render hands out copies.
	r1, _ := lab.Render("en")
	r1.Sections[0].Blocks[0].Command = "rm -rf /"
	r2, _ := lab.Render("en")
	if r2.Sections[0].Blocks[0].Command == "rm -rf /" {
		t.Fatal("a change to a rendered lab leaked into the next Render")
	}
	if titles := lab.SectionTitles("fr"); titles["cleanup"] != "Faire le ménage" {
		t.Fatalf("French titles: %v", titles)
	}
}
