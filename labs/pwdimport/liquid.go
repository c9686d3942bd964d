package pwdimport

import (
	"strings"

	"github.com/labplay/playground/labs"
)

// liquid resolves what Jekyll's Liquid pass would have done to the body of
// a post, before kramdown saw it: {{ "{{" }} and the like become their
// text, {% raw %} ... {% endraw %} keeps its content as written,
// {% highlight LANG %} becomes a fenced block and {% comment %} blocks
// are dropped. Other tags, and outputs such as {{ site.url }}, are dropped
// with a note. A line that only held dropped tags is removed, so that a
// {% raw %} line inside a code block leaves no blank line in the command.
type liquid struct {
	ns        *notes
	inRaw     bool
	inComment bool
}

// run processes the lines of the body.
func (lq *liquid) run(lines []labs.Line) []labs.Line {
	var out []labs.Line
	for _, l := range lines {
		text := lq.line(l.Text, l.Num)
		if labs.IsBlank(text) && !labs.IsBlank(l.Text) {
			continue
		}
		out = append(out, labs.Line{Text: text, Num: l.Num})
	}
	if lq.inRaw {
		lq.ns.add(0, "a {%% raw %%} block is never closed by {%% endraw %%}: the rest of the post was kept as written")
	}
	return out
}

// line processes one line, carrying the raw and comment states over to
// the next.
func (lq *liquid) line(s string, num int) string {
	var b strings.Builder
	for s != "" {
		if lq.inRaw {
			i, j, ok := findTag(s, "endraw")
			if !ok {
				b.WriteString(s)
				return b.String()
			}
			b.WriteString(s[:i])
			s, lq.inRaw = s[j:], false
			continue
		}
		if lq.inComment {
			_, j, ok := findTag(s, "endcomment")
			if !ok {
				return b.String()
			}
			s, lq.inComment = s[j:], false
			continue
		}
		tag := strings.Index(s, "{%")
		out := strings.Index(s, "{{")
		switch {
		case tag < 0 && out < 0:
			b.WriteString(s)
			return b.String()
		case tag >= 0 && (out < 0 || tag < out):
			b.WriteString(s[:tag])
			s = lq.tag(&b, s[tag:], num)
		default:
			b.WriteString(s[:out])
			s = lq.output(&b, s[out:], num)
		}
	}
	return b.String()
}

// tag handles the Liquid tag at the start of s, writing what replaces it
// to b, and returns the text after it.
func (lq *liquid) tag(b *strings.Builder, s string, num int) string {
	end := strings.Index(s, "%}")
	if end < 0 {
		b.WriteString(s)
		return ""
	}
	inner := strings.Trim(s[2:end], "- \t")
	words := strings.Fields(inner)
	name := ""
	if len(words) > 0 {
		name = words[0]
	}
	switch name {
	case "raw":
		lq.inRaw = true
	case "endraw":
	case "comment":
		lq.inComment = true
	case "highlight":
		lang := ""
		if len(words) > 1 {
			lang = words[1]
		}
		b.WriteString("```" + lang)
	case "endhighlight":
		b.WriteString("```")
	default:
		lq.ns.add(num, "the Liquid tag %s has no equivalent in a lab and was dropped", quote(s[:end+2]))
	}
	return s[end+2:]
}

// output handles the Liquid output {{ ... }} at the start of s and returns
// the text after it. A quoted string, as in {{ "{{" }}, stands for its
// text. Liquid variables such as {{ site.url }} are dropped. Anything
// else, such as {{.Name}}, is a Docker template that the post did not
// escape; it is kept as written.
func (lq *liquid) output(b *strings.Builder, s string, num int) string {
	i := 2
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '-') {
		i++
	}
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		if close := strings.IndexByte(s[i+1:], q); close >= 0 {
			lit := s[i+1 : i+1+close]
			rest := strings.TrimLeft(s[i+2+close:], " \t-")
			if strings.HasPrefix(rest, "}}") {
				b.WriteString(lit)
				return rest[2:]
			}
		}
	}
	end := strings.Index(s[2:], "}}")
	if end < 0 {
		b.WriteString(s)
		return ""
	}
	expr := strings.TrimSpace(strings.Trim(s[2:end+2], "-"))
	for _, prefix := range []string{"site.", "page.", "post.", "include.", "layout.", "paginator.", "forloop.", "content"} {
		if strings.HasPrefix(expr, prefix) {
			lq.ns.add(num, "the Liquid output %s has no equivalent in a lab and was dropped", quote(s[:end+4]))
			return s[end+4:]
		}
	}
	b.WriteString(s[:end+4])
	return s[end+4:]
}

// findTag finds the Liquid tag {% name %} in s, with any spacing and
// whitespace control, and returns where it starts and ends.
func findTag(s, name string) (start, end int, ok bool) {
	from := 0
	for {
		i := strings.Index(s[from:], "{%")
		if i < 0 {
			return 0, 0, false
		}
		i += from
		j := strings.Index(s[i:], "%}")
		if j < 0 {
			return 0, 0, false
		}
		j += i + 2
		if strings.Trim(s[i+2:j-2], "- \t") == name {
			return i, j, true
		}
		from = i + 2
	}
}
