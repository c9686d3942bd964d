package labs

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxInlineDepth bounds how deeply emphasis and links may nest.
const maxInlineDepth = 8

// inline renders the inline Markdown of one paragraph or heading: code
// spans, emphasis, strong emphasis and links. Everything else is text, and
// all text is HTML-escaped.
type inline struct {
	src    string
	line   int // line of the first character of src
	report func(line int, msg string, args ...any)
	out    *strings.Builder

	runs     map[int][]int // positions of maximal backtick runs, by length
	brackets map[int]int   // position of each matched [ to that of its ]
	noCloser map[int]span  // where an emphasis delimiter is known to have no closer
}

// span is a range [from, to) of src.
type span struct{ from, to int }

// renderInline writes the HTML of the inline Markdown src to out. line is
// the line src starts on; report receives problems such as unsafe links.
func renderInline(out *strings.Builder, src string, line int, report func(line int, msg string, args ...any)) {
	in := &inline{src: src, line: line, report: report, out: out, noCloser: map[int]span{}}
	in.index()
	in.render(0, len(src), 0, false)
}

// index finds the backtick runs and pairs the brackets of src.
func (in *inline) index() {
	in.runs = map[int][]int{}
	for i := 0; i < len(in.src); {
		if in.src[i] != '`' {
			i++
			continue
		}
		n := runLength(in.src, i)
		in.runs[n] = append(in.runs[n], i)
		i += n
	}
	in.brackets = map[int]int{}
	var open []int
	for i := 0; i < len(in.src); {
		switch c := in.src[i]; {
		case c == '\\' && i+1 < len(in.src) && isPunct(in.src[i+1]):
			i += 2
		case c == '`':
			i = in.skipCode(i, len(in.src))
		case c == '[':
			open = append(open, i)
			i++
		case c == ']' && len(open) > 0:
			in.brackets[open[len(open)-1]] = i
			open = open[:len(open)-1]
			i++
		default:
			i++
		}
	}
}

// codeSpan returns the end of the code span opened by the n backticks at i,
// if a closing run of exactly n backticks ends before hi.
func (in *inline) codeSpan(i, n, hi int) (closer int, ok bool) {
	runs := in.runs[n]
	k := sort.SearchInts(runs, i+n)
	if k == len(runs) || runs[k]+n > hi {
		return 0, false
	}
	return runs[k], true
}

// skipCode returns the position after the backtick run at i and, when the
// run opens a code span, after the whole span.
func (in *inline) skipCode(i, hi int) int {
	n := runLen(in.src, i, hi)
	if closer, ok := in.codeSpan(i, n, hi); ok {
		return closer + n
	}
	return i + n
}

// render writes src[lo:hi].
func (in *inline) render(lo, hi, depth int, inLink bool) {
	for i := lo; i < hi; {
		c := in.src[i]
		switch {
		case c == '\\' && i+1 < hi && isPunct(in.src[i+1]):
			writeEscaped(in.out, in.src[i+1:i+2])
			i += 2
			continue
		case c == '`':
			n := runLen(in.src, i, hi)
			if closer, ok := in.codeSpan(i, n, hi); ok {
				in.out.WriteString("<code>")
				writeEscaped(in.out, codeText(in.src[i+n:closer]))
				in.out.WriteString("</code>")
				i = closer + n
			} else {
				in.out.WriteString(in.src[i : i+n])
				i += n
			}
			continue
		case c == '[' && !inLink && depth < maxInlineDepth:
			if end, ok := in.link(i, hi, depth); ok {
				i = end
				continue
			}
		case (c == '*' || c == '_') && depth < maxInlineDepth:
			n := runLen(in.src, i, hi)
			if end, ok := in.emphasis(i, n, hi, depth, inLink); ok {
				i = end
			} else {
				in.out.WriteString(in.src[i : i+n])
				i += n
			}
			continue
		}
		writeEscaped(in.out, in.src[i:i+1])
		i++
	}
}

// emphasis renders the emphasis opened by the n delimiters at i, if it is
// closed before hi, and returns the position after its closer.
func (in *inline) emphasis(i, n, hi, depth int, inLink bool) (int, bool) {
	c := in.src[i]
	after := i + n
	if n > 3 || after >= hi || isSpace(in.src[after]) || (c == '_' && i > 0 && isAlnum(in.src[i-1])) {
		return 0, false
	}
	key := int(c)<<2 | n
	if known, ok := in.noCloser[key]; ok && i >= known.from && hi <= known.to {
		return 0, false
	}
	for j := after; j < hi; {
		switch d := in.src[j]; {
		case d == '\\' && j+1 < hi && isPunct(in.src[j+1]):
			j += 2
		case d == '`':
			j = in.skipCode(j, hi)
		case d == c:
			m := runLen(in.src, j, hi)
			closes := m == n && j > after && !isSpace(in.src[j-1]) &&
				(c != '_' || j+m >= len(in.src) || !isAlnum(in.src[j+m]))
			if !closes {
				j += m
				continue
			}
			open, shut := emphasisTags(n)
			in.out.WriteString(open)
			in.render(after, j, depth+1, inLink)
			in.out.WriteString(shut)
			return j + n, true
		default:
			j++
		}
	}
	in.noCloser[key] = span{from: i, to: hi}
	return 0, false
}

// emphasisTags returns the tags for a delimiter run of length n.
func emphasisTags(n int) (open, shut string) {
	switch n {
	case 1:
		return "<em>", "</em>"
	case 2:
		return "<strong>", "</strong>"
	}
	return "<em><strong>", "</strong></em>"
}

// link renders the link whose text opens with the [ at i, if it is a whole
// link before hi, and returns the position after it.
func (in *inline) link(i, hi, depth int) (int, bool) {
	closeText, ok := in.brackets[i]
	if !ok || closeText+1 >= hi || in.src[closeText+1] != '(' {
		return 0, false
	}
	k := closeText + 2
	for k < hi && in.src[k] != ')' {
		if d := in.src[k]; isSpace(d) || d == '(' || d == '<' {
			return 0, false
		}
		k++
	}
	if k >= hi || k == closeText+2 {
		return 0, false
	}
	target := in.src[closeText+2 : k]
	if strings.HasPrefix(strings.ToLower(target), "port:") {
		return in.portLink(i, closeText, k, target, depth), true
	}
	if !safeURL(target) {
		in.report(in.line+strings.Count(in.src[:i], "\n"),
			"link target %q must start with http://, https://, mailto: or #, or be a relative path", target)
		in.render(i+1, closeText, depth+1, true)
		return k + 1, true
	}
	in.out.WriteString(`<a href="`)
	writeEscaped(in.out, target)
	if external(target) {
		in.out.WriteString(`" target="_blank" rel="noopener noreferrer`)
	}
	in.out.WriteString(`">`)
	in.render(i+1, closeText, depth+1, true)
	in.out.WriteString("</a>")
	return k + 1, true
}

// portLinkPattern is a link to a node's port: port:NODE:PORT, then an
// optional path.
var portLinkPattern = regexp.MustCompile(`^port:(node[1-9]):([0-9]{1,5})(/[^\s"'<>]*)?$`)

// portLink renders [text](port:node1:8080/path), a link that opens a port
// of the learner's node: the page fills in its URL for the session.
func (in *inline) portLink(i, closeText, k int, target string, depth int) int {
	m := portLinkPattern.FindStringSubmatch(target)
	port := 0
	if m != nil {
		port, _ = strconv.Atoi(m[2])
	}
	if m == nil || port < 1 || port > 65535 {
		in.report(in.line+strings.Count(in.src[:i], "\n"),
			"port link %q must be written port:NODE:PORT or port:NODE:PORT/path, as in port:node1:8080/", target)
		in.render(i+1, closeText, depth+1, true)
		return k + 1
	}
	path := m[3]
	if path == "" {
		path = "/"
	}
	in.out.WriteString(`<a class="port-link" href="#" target="_blank" rel="noopener" data-node="`)
	writeEscaped(in.out, m[1])
	in.out.WriteString(`" data-port="`)
	writeEscaped(in.out, m[2])
	in.out.WriteString(`" data-path="`)
	writeEscaped(in.out, path)
	in.out.WriteString(`">`)
	in.render(i+1, closeText, depth+1, true)
	in.out.WriteString("</a>")
	return k + 1
}

// codeText turns the content of a code span into its text: line endings
// become spaces, and one space is stripped from both ends when both ends
// have one.
func codeText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) >= 2 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
		s = s[1 : len(s)-1]
	}
	return s
}

// safeURL reports whether a link target may appear in an href: a web or
// mail address, an anchor, or a relative path without a scheme.
func safeURL(u string) bool {
	lower := strings.ToLower(u)
	for _, prefix := range []string{"http://", "https://", "mailto:", "#"} {
		if strings.HasPrefix(lower, prefix) {
			return len(u) > len(prefix) || prefix == "#"
		}
	}
	if strings.HasPrefix(u, "//") {
		return false
	}
	end := strings.IndexAny(u, "/?#")
	if end < 0 {
		end = len(u)
	}
	return !strings.Contains(u[:end], ":")
}

// external reports whether a link target leaves the playground.
func external(u string) bool {
	lower := strings.ToLower(u)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// runLen returns how many times s[i] repeats from i on, stopping at hi.
func runLen(s string, i, hi int) int {
	n := 0
	for i+n < hi && s[i+n] == s[i] {
		n++
	}
	return n
}

// isPunct reports whether c is ASCII punctuation, which a backslash escapes.
func isPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// isSpace reports whether c is white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// isAlnum reports whether c is an ASCII letter or digit, or part of a
// multi-byte character (which counts as a letter).
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// writeEscaped writes s to b with the HTML special characters escaped.
func writeEscaped(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}
