package labs

import (
	"slices"
	"strings"
)

// field is one "key: value" line of a front matter.
type field struct {
	value string
	line  int
}

// parseFrontMatter reads the front matter at the start of lines: a line
// "---", lines "key: value" (blank lines and lines starting with # are
// ignored), and a closing "---". It returns the fields, the lines after the
// front matter, and whether there was one. Only the keys in allowed are
// accepted.
//
// The format is not YAML, and a YAML parser would misread it: a value is
// the text after the first colon, as written, so that "title: First
// steps: containers" and "title: Lab #2" keep their colon and their #.
func parseFrontMatter(lines []Line, p problems, allowed []string) (map[string]field, []Line, bool) {
	if len(lines) == 0 || strings.TrimSpace(lines[0].Text) != "---" {
		return nil, lines, false
	}
	end := len(lines)
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i].Text) == "---" {
			end = i
			break
		}
	}
	closed := end < len(lines)
	if !closed {
		// Take the key: value lines that follow the opening line as the
		// front matter, so that one missing line makes one error.
		p.add(lines[0].Num, "front matter is never closed: add a line --- after it")
		end = 1
		for end < len(lines) && strings.Contains(lines[end].Text, ":") {
			end++
		}
	}
	fields := map[string]field{}
	for _, l := range lines[1:end] {
		text := strings.TrimSpace(l.Text)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, value, ok := strings.Cut(text, ":")
		key = strings.TrimSpace(key)
		switch {
		case !ok:
			p.add(l.Num, "front matter lines are written key: value")
		case !slices.Contains(allowed, key):
			p.add(l.Num, "unknown front matter key %q (known keys: %s)", key, strings.Join(allowed, ", "))
		case fields[key].line != 0:
			p.add(l.Num, "front matter key %q is already set on line %d", key, fields[key].line)
		default:
			fields[key] = field{value: strings.TrimSpace(value), line: l.Num}
		}
	}
	if closed {
		end++
	}
	return fields, lines[end:], true
}

// listValue splits a front matter value into words separated by spaces or
// commas.
func listValue(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t'
	})
}
