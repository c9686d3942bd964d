package labs

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The single-node labs: their metadata, a check in every section, and the
// text in both languages with the same sections, blocks and port links.
// (TestBuiltinLabsLintClean lints them; onnode_test.go runs their checks.)
func TestSingleNodeLabs(t *testing.T) {
	tests := []struct {
		slug     string
		images   []string
		sections []string
		ports    []string // ports the text links to
	}{
		{"docker-basics", []string{"labplay/web:1"}, []string{"first", "publish", "logs", "exec", "cleanup"}, []string{"8080"}},
		{"docker-compose", []string{"labplay/counter:1", "labplay/kv:1"}, []string{"up", "visit", "exec", "change", "down"}, []string{"8080"}},
		{"docker-volumes", []string{"labplay/web:1"}, []string{"volume", "inspect", "bind", "edit", "readonly", "cleanup"}, []string{"8080", "8081", "8082"}},
		{"docker-networking", []string{"labplay/web:1"}, []string{"bridge", "dns", "publish", "connect", "disconnect", "cleanup"}, []string{"8080"}},
		{"docker-build", []string{"labplay/web:1"}, []string{"dockerfile", "cache", "ignore", "multistage", "cleanup"}, []string{"8080"}},
		{"docker-health", []string{"labplay/web:1"}, []string{"healthcheck", "unhealthy", "restart", "always", "cleanup"}, []string{"8080"}},
		{"swarm-secrets", []string{"labplay/web:1"}, []string{"swarm", "secrets", "service", "config", "rotate", "cleanup"}, []string{"8080"}},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			lab, err := Builtin().Get(tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lab.Langs, []string{"en", "fr"}) || !slices.Equal(lab.Nodes, []string{"node1"}) ||
				!slices.Equal(lab.Images, tt.images) {
				t.Fatalf("metadata: langs %v nodes %v images %v", lab.Langs, lab.Nodes, lab.Images)
			}
			if got := lab.SectionIDs(); !slices.Equal(got, tt.sections) {
				t.Fatalf("section ids %v, want %v", got, tt.sections)
			}
			if errs := lab.LintScripts(); len(errs) > 0 {
				t.Errorf("shell syntax errors:\n%s", LintErrors(errs))
			}
			var secrets []string
			for _, s := range lab.Sections() {
				if !s.HasCheck || len(s.Blocks) == 0 {
					t.Errorf("section %s: HasCheck %v, %d run blocks; want a check and commands", s.ID, s.HasCheck, len(s.Blocks))
				}
				for _, c := range lab.Checks(s.ID) {
					if c.Node != "node1" {
						t.Errorf("a check of %s runs on %s", s.ID, c.Node)
					}
					secrets = append(secrets, firstLines(c.Script)...)
				}
				for _, b := range s.Blocks {
					if b.Node != "node1" {
						t.Errorf("block %s runs on %s", b.ID, b.Node)
					}
				}
			}

			en, err := lab.Render("en")
			if err != nil {
				t.Fatal(err)
			}
			fr, err := lab.Render("fr")
			if err != nil {
				t.Fatal(err)
			}
			if en.Title == fr.Title {
				t.Errorf("the same title in both languages: %q", en.Title)
			}
			for i := range en.Sections {
				e, f := en.Sections[i], fr.Sections[i]
				if e.ID != f.ID || !slices.Equal(e.Blocks, f.Blocks) {
					t.Errorf("section %d differs between languages: %s %v / %s %v", i, e.ID, e.Blocks, f.ID, f.Blocks)
				}
				if e.HTML == f.HTML || e.Title == f.Title {
					t.Errorf("section %s has the same text in both languages", e.ID)
				}
			}
			for _, r := range []*Rendered{en, fr} {
				var html strings.Builder
				for _, s := range r.Sections {
					html.WriteString(s.HTML)
				}
				for _, port := range tt.ports {
					if !strings.Contains(html.String(), `class="port-link"`) || !strings.Contains(html.String(), `data-port="`+port+`"`) {
						t.Errorf("%s: no port link to node1's port %s", r.Lang, port)
					}
				}
			}
			data, err := json.Marshal([]*Rendered{en, fr})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if strings.Contains(string(data), s) {
					t.Errorf("the rendered lab holds the check line %q", s)
				}
			}
		})
	}
}
