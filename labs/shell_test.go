package labs

import (
	"strings"
	"testing"
	"testing/fstest"
)

// The parser places an error where the mistake starts, which sh -n did
// not always do: an unterminated quote or here-document is reported on its
// opening line, not at the end of the script.
func TestShellSyntax(t *testing.T) {
	tests := []struct {
		name, script string
		line, col    int
		want         string // part of the message; "" for a script that parses
	}{
		{"quoted words", "docker info --format '{{.Swarm.LocalNodeState}}' | grep -q \"active\"", 0, 0, ""},
		{"here-document", "cat <<EOF >/tmp/x\n'unbalanced \"quotes are text here\nEOF\ntest -s /tmp/x", 0, 0, ""},
		{"unterminated single quote", "echo ok\necho 'a\nb\nc", 2, 6, "without closing quote"},
		{"unterminated double quote", "echo \"ok", 1, 6, "without closing quote"},
		{"unclosed here-document", "true\ncat <<EOF\nx", 2, 5, "unclosed here-document"},
		{"if without fi", "if true; then\n  echo ok", 1, 1, "must end with `fi`"},
		{"stray fi", "if true; then\n  echo ok\nfi fi )", 3, 4, "statements must be separated"},
		{"bash array", "true\nnodes=(node1 node2)", 2, 7, "arrays are a bash"},
		{"bash function keyword", "function f { :; }", 1, 12, "checks and values run with sh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col, msg, bad := shellSyntax(tt.script)
			if tt.want == "" {
				if bad {
					t.Fatalf("want no error, got %d:%d: %s", line, col, msg)
				}
				return
			}
			if !bad || line != tt.line || col != tt.col || !strings.Contains(msg, tt.want) {
				t.Fatalf("got %v %d:%d: %q; want %d:%d: ...%s...", bad, line, col, msg, tt.line, tt.col, tt.want)
			}
		})
	}
}

// An error in a value block is located in lab.md too, and its message
// names the column.
func TestLintScriptsLocatesUnterminatedQuote(t *testing.T) {
	fsys := fixture()
	meta := strings.Replace(fixtureMeta, "```value who node2 timeout=5s\nhostname\n```",
		"```value who node2 timeout=5s\nhostname\necho 'oops\nmore\n```", 1)
	fsys["demo/lab.md"] = &fstest.MapFile{Data: []byte(meta)}
	lab, err := LoadLab(fsys, "demo")
	if err != nil {
		t.Fatal(err)
	}
	errs := lab.LintScripts()
	want := lineOf(t, meta, "echo 'oops")
	if len(errs) != 1 || errs[0].File != "demo/lab.md" || errs[0].Line != want ||
		errs[0].Message != "shell syntax at column 6: reached EOF without closing quote `'`" {
		t.Fatalf("want one error at demo/lab.md:%d, column 6, got %v", want, errs)
	}
}
