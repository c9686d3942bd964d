package labs

import (
	"slices"
	"testing"
)

func TestPlaceholders(t *testing.T) {
	cmd := "docker node inspect --format '{{.ID}}' {{ node2_id }} && echo {{worker_join}} {{node2_id}} {{ .Status }} {{Bad}} {{9x}} {{a-b}}"
	if got := Placeholders(cmd); !slices.Equal(got, []string{"node2_id", "worker_join"}) {
		t.Fatalf("Placeholders = %v", got)
	}
	got := Substitute(cmd, map[string]string{"node2_id": "abc", "worker_join": "docker swarm join --token T 10.0.0.5:2377"})
	want := "docker node inspect --format '{{.ID}}' abc && echo docker swarm join --token T 10.0.0.5:2377 abc {{ .Status }} {{Bad}} {{9x}} {{a-b}}"
	if got != want {
		t.Fatalf("Substitute\n got %q\nwant %q", got, want)
	}
	if got := Substitute("{{unknown}} and {{.ID}}", map[string]string{"other": "x"}); got != "{{unknown}} and {{.ID}}" {
		t.Fatalf("placeholders without values changed: %q", got)
	}
	// A value that looks like a placeholder is not expanded again.
	if got := Substitute("{{a}}", map[string]string{"a": "{{b}}", "b": "no"}); got != "{{b}}" {
		t.Fatalf("value expanded twice: %q", got)
	}
}

// The bare words of Go templates are never placeholders, so docker's
// --format templates run as written.
func TestTemplateWordsAreNoPlaceholders(t *testing.T) {
	cmd := `docker inspect --format '{{range .Mounts}}{{.Source}}{{end}}' {{ box }} && echo {{ else }}`
	if got := Placeholders(cmd); len(got) != 1 || got[0] != "box" {
		t.Errorf("Placeholders = %v, want [box]", got)
	}
	want := `docker inspect --format '{{range .Mounts}}{{.Source}}{{end}}' c1 && echo {{ else }}`
	if got := Substitute(cmd, map[string]string{"box": "c1", "end": "x", "else": "y"}); got != want {
		t.Errorf("Substitute = %q, want %q", got, want)
	}
}
