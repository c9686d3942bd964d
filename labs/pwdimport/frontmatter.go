package pwdimport

import (
	"strconv"
	"strings"

	"github.com/labplay/playground/labs"
)

// post holds what the conversion uses of a post's Jekyll front matter.
type post struct {
	title, excerpt, difficulty, time string
	terms                            int // the terminals the post asks for; 0 when it does not say
	termsLine, excerptLine           int
}

// parsePost reads the front matter at the start of lines, a YAML block
// between two lines ---, and returns it with the lines after it. Only
// simple "key: value" lines are read (with folded > and | values for the
// keys the conversion uses); a post without a front matter is all body.
func parsePost(lines []labs.Line, ns *notes) (post, []labs.Line) {
	var p post
	if len(lines) == 0 || strings.TrimSpace(lines[0].Text) != "---" {
		ns.add(0, "the post has no Jekyll front matter (a block between two lines ---): title and terms are unknown")
		return p, lines
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i].Text); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		ns.add(lines[0].Num, "the front matter is never closed by a line ---: the whole post was read as text")
		return p, lines
	}
	for i := 1; i < end; i++ {
		l := lines[i]
		if labs.IsBlank(l.Text) || l.Text[0] == ' ' || l.Text[0] == '\t' || l.Text[0] == '#' || l.Text[0] == '-' {
			continue
		}
		key, value, ok := strings.Cut(l.Text, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if value == ">" || value == "|" || value == ">-" || value == "|-" {
			var parts []string
			for i+1 < end && (labs.IsBlank(lines[i+1].Text) || lines[i+1].Text[0] == ' ' || lines[i+1].Text[0] == '\t') {
				i++
				if t := strings.TrimSpace(lines[i].Text); t != "" {
					parts = append(parts, t)
				}
			}
			value = strings.Join(parts, " ")
		}
		value = unquoteYAML(value)
		switch strings.TrimSpace(key) {
		case "title":
			p.title = value
		case "excerpt", "description":
			if p.excerpt == "" {
				p.excerpt, p.excerptLine = value, l.Num
			}
		case "difficulty", "level":
			p.difficulty = value
		case "time":
			p.time = value
		case "terms":
			n, err := strconv.Atoi(value)
			if err != nil {
				ns.add(l.Num, "terms: %s is not a number of terminals; the nodes are counted from the .termN blocks", quote(value))
				continue
			}
			p.terms, p.termsLine = n, l.Num
		}
	}
	return p, lines[end+1:]
}

// unquoteYAML removes the quotes around a YAML scalar: "..." with its
// backslash escapes, or '...' in which a doubled single quote stands
// for one.
func unquoteYAML(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		if s, err := strconv.Unquote(v); err == nil {
			return s
		}
		return v[1 : len(v)-1]
	}
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return v
}
