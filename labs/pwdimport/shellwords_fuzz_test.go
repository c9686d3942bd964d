package pwdimport

import "testing"

// FuzzShellCommands feeds the parser any text, as a post's code blocks
// can hold anything: it must not panic, and every command has a word.
func FuzzShellCommands(f *testing.F) {
	for _, s := range []string{
		"a 'b c' \"d \\\"e\\\"\" f\\ g # note\nh|i;j && k $(l m) `n o`",
		"cat <<EOF\n$(x) ${y}\nEOF\ndocker run \"$HOME/x\" $'a\\tb' <(ls) @(a|b) $((1+2))",
		"echo 'oops\n<none>  <none>\nif true; then\n  f() { docker run a; }\nfi",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		for _, cmd := range shellCommands(script) {
			if len(cmd) == 0 {
				t.Fatalf("an empty command in %q", script)
			}
		}
	})
}
