package pwdimport

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// FuzzInferChecks feeds inference any run block, as a post's blocks can
// hold anything: it must not panic, and every check it writes must be a
// script that sh parses, with a hint on one line.
func FuzzInferChecks(f *testing.F) {
	for _, s := range []string{
		"docker run -dp 8080:80 --name web x\ndocker rm -f web\necho hi > \"a b\"",
		"docker swarm join --token <TOKEN> <IP>:2377\ndocker service scale a=3 b=$N",
		"mkdir -p app && cd app\ncat > f <<'EOF'\n<html>\nEOF\ndocker run -it alpine\ntouch x\nexit",
		"docker -H x service create --name=s --replicas=2 i\ndocker node update --availability drain 'n 1'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		s := &section{id: "s"}
		checks, _ := inferChecks([]*section{s}, []codeBlock{{node: 1, content: script, sec: s, line: 1}})
		for _, c := range checks {
			if strings.Contains(c.Hint, "\n") || strings.Contains(c.Command, "\n") {
				t.Fatalf("a hint or command on several lines: %+v", c)
			}
			parser := syntax.NewParser(syntax.Variant(syntax.LangPOSIX))
			if _, err := parser.Parse(strings.NewReader(c.Script()), "check"); err != nil {
				t.Fatalf("the check of %q does not parse as POSIX sh: %v\n%s", script, err, c.Script())
			}
		}
	})
}
