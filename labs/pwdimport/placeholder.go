package pwdimport

import (
	"regexp"

	"github.com/labplay/playground/labs"
)

// bareAction matches a Go template action that is one bare word, such as
// {{end}} or {{ else }}: the shape of a playground placeholder.
var bareAction = regexp.MustCompile(`\{\{(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*)\}\}`)

// guardPlaceholders rewrites the bare-word Go template actions of command
// that the playground would take for placeholders ({{end}} in docker
// inspect --format '{{range .Mounts}}{{.Source}}{{end}}', for example).
// A trim marker on the side where no whitespace is, {{- end}} or
// {{end -}}, keeps what Go templates print and is no placeholder. It
// returns the command, the actions rewritten (each as written, then as
// rewritten), and whether the command is free of placeholders; an action
// with whitespace on both sides cannot be rewritten without changing the
// output.
func guardPlaceholders(command string) (string, [][2]string, bool) {
	var changed [][2]string
	out := []byte{}
	last := 0
	for _, loc := range bareAction.FindAllStringSubmatchIndex(command, -1) {
		start, end := loc[0], loc[1]
		action := command[start:end]
		if len(labs.Placeholders(action)) == 0 {
			continue
		}
		name, trailing := command[loc[4]:loc[5]], command[loc[6]:loc[7]]
		var repl string
		switch {
		case start == 0 || !isSpaceByte(command[start-1]):
			repl = "{{- " + name + trailing + "}}"
		case end == len(command) || !isSpaceByte(command[end]):
			repl = "{{" + command[loc[2]:loc[3]] + name + " -}}"
		default:
			continue
		}
		out = append(out, command[last:start]...)
		out = append(out, repl...)
		last = end
		changed = append(changed, [2]string{action, repl})
	}
	out = append(out, command[last:]...)
	result := string(out)
	return result, changed, len(labs.Placeholders(result)) == 0
}

// isSpaceByte reports whether c is whitespace to a Go template's trim
// marker.
func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
