package labs

import "strings"

// fence describes the opening line of a fenced code block.
type fence struct {
	marker string // the run of backticks or tildes that opened it
	indent int    // columns of indentation before the marker
	info   string // the text after the marker, trimmed
}

// fenceOpen reports whether text opens a fenced code block (three or more
// backticks or tildes, indented by at most three columns).
func fenceOpen(text string) (fence, bool) {
	ind, rest := indentOf(text)
	if ind > 3 || rest == "" || (rest[0] != '`' && rest[0] != '~') {
		return fence{}, false
	}
	n := runLength(rest, 0)
	if n < 3 {
		return fence{}, false
	}
	info := strings.TrimSpace(rest[n:])
	if rest[0] == '`' && strings.Contains(info, "`") {
		return fence{}, false
	}
	return fence{marker: rest[:n], indent: ind, info: info}, true
}

// closes reports whether text closes the fenced block f.
func (f fence) closes(text string) bool {
	ind, rest := indentOf(text)
	if ind > 3 || rest == "" || rest[0] != f.marker[0] {
		return false
	}
	n := runLength(rest, 0)
	return n >= len(f.marker) && IsBlank(rest[n:])
}

// read consumes the body of the block f from lines, which start just after
// the opening line. It returns the content (with the opener's indentation
// removed and trailing blank lines dropped), the number of lines consumed
// including the closing line, and whether a closing line was found.
func (f fence) read(lines []Line) (content string, consumed int, closed bool) {
	var body []string
	for i, l := range lines {
		if f.closes(l.Text) {
			return joinCode(body), i + 1, true
		}
		body = append(body, stripCols(l.Text, f.indent))
	}
	return joinCode(body), len(lines), false
}

// joinCode joins code lines, dropping trailing blank lines and trailing
// spaces.
func joinCode(body []string) string {
	for len(body) > 0 && IsBlank(body[len(body)-1]) {
		body = body[:len(body)-1]
	}
	for i, s := range body {
		body[i] = strings.TrimRight(s, " \t")
	}
	return strings.Join(body, "\n")
}

// runLength returns how many times s[i] repeats from i on.
func runLength(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == s[i] {
		n++
	}
	return n
}
