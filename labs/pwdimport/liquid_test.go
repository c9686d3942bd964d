package pwdimport

import (
	"strings"
	"testing"

	"github.com/labplay/playground/labs"
)

func TestLiquid(t *testing.T) {
	cases := []struct {
		in, want, note string
	}{
		{`docker inspect --format "{{ "{{" }} .State.Running }}" c`, `docker inspect --format "{{ .State.Running }}" c`, ""},
		{`{{ '{{' }}.ID{{ '}}' }} and {{"{{"}}json .{{"}}"}}`, `{{.ID}} and {{json .}}`, ""},
		{"{% raw %}{{.Name}} {% endraw %}{{ \"{{\" }}x}}", "{{.Name}} {{x}}", ""},
		{"{%- raw -%}\n{{ site.title }}\n{% endraw %}", "{{ site.title }}", ""},
		{"a {{ site.baseurl }}/b", "a /b", `the Liquid output "{{ site.baseurl }}"`},
		{"{{.Unescaped}} stays", "{{.Unescaped}} stays", ""},
		{"{% include note.html %}\ntext", "text", `the Liquid tag "{% include note.html %}"`},
		{"{% highlight bash %}\nls\n{% endhighlight %}", "```bash\nls\n```", ""},
		{"{% comment %} gone\nstill gone {% endcomment %}kept", "kept", ""},
		{"{% raw %}\nnever closed", "never closed", "never closed by {% endraw %}"},
		{"broken {{ and {% here", "broken {{ and {% here", ""},
	}
	for _, tc := range cases {
		ns := &notes{}
		lq := &liquid{ns: ns}
		var texts []string
		for _, l := range lq.run(labs.SplitLines(tc.in)) {
			texts = append(texts, l.Text)
		}
		got := strings.Join(texts, "\n")
		var all []string
		for _, n := range ns.list {
			all = append(all, n.String())
		}
		if got != tc.want || (tc.note == "") != (len(all) == 0) || !strings.Contains(strings.Join(all, "\n"), tc.note) {
			t.Errorf("liquid(%q) = %q, notes %q; want %q, a note with %q", tc.in, got, all, tc.want, tc.note)
		}
	}
}

func TestGuardPlaceholders(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"docker ps --format '{{.ID}}'", "docker ps --format '{{.ID}}'", true},
		// Go templates' own words are no placeholders: they stay.
		{"x '{{range .A}}{{.B}}{{end}}'", "x '{{range .A}}{{.B}}{{end}}'", true},
		{"x '{{if .A}}a {{else}} b{{end}}'", "x '{{if .A}}a {{else}} b{{end}}'", true},
		// Another bare word gets a trim marker where no whitespace is.
		{"a{{host}}", "a{{- host}}", true},
		{"a {{host}}b", "a {{host -}}b", true},
		{"a {{host}} b", "a {{host}} b", false},
		{"echo {{ END }}", "echo {{ END }}", true}, // upper case is no placeholder
	}
	for _, tc := range cases {
		got, _, ok := guardPlaceholders(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("guardPlaceholders(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
