package labs

import "regexp"

// placeholderPattern matches {{name}} and {{ name }} but not Go templates
// such as {{.ID}}, which commands pass to docker.
var placeholderPattern = regexp.MustCompile(`\{\{\s*([a-z][a-z0-9_]*)\s*\}\}`)

// templateWords are the bare words a Go template action may hold alone,
// as in docker inspect --format '{{range .Mounts}}{{.Source}}{{end}}'.
// They are never placeholders, and no value may take their names.
var templateWords = map[string]bool{
	"end": true, "else": true, "break": true, "continue": true,
	"nil": true, "true": true, "false": true, "print": true, "println": true,
}

// Placeholders returns the names of the values that command uses, each
// once, in the order they first appear.
func Placeholders(command string) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range placeholderPattern.FindAllStringSubmatch(command, -1) {
		if templateWords[m[1]] {
			continue
		}
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names
}

// Substitute replaces every placeholder of command whose name is in values
// by its value. Placeholders without a value, and Go templates such as
// {{.ID}}, are left as they are.
func Substitute(command string, values map[string]string) string {
	return placeholderPattern.ReplaceAllStringFunc(command, func(m string) string {
		name := placeholderPattern.FindStringSubmatch(m)[1]
		if v, ok := values[name]; ok && !templateWords[name] {
			return v
		}
		return m
	})
}
