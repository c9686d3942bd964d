package pwdimport

import (
	"strconv"
	"strings"

	"github.com/labplay/playground/labs"
)

// indentedCode converts the code block indented by four columns that
// starts at lines[0], which a lab does not have, to a fenced block, and
// returns the number of lines it spans.
func (c *converter) indentedCode(lines []labs.Line) int {
	n := 0
	for n < len(lines) && (labs.IsBlank(lines[n].Text) || indentCols(lines[n].Text) >= 4) {
		n++
	}
	var body []string
	for _, l := range lines[:n] {
		body = append(body, stripCols(l.Text, 4))
	}
	for len(body) > 0 && labs.IsBlank(body[len(body)-1]) {
		body = body[:len(body)-1]
	}
	content := strings.Join(body, "\n")
	c.blocks = append(c.blocks, codeBlock{content: content, line: lines[0].Num})
	c.emit("```")
	c.emit(content)
	c.emit("```")
	c.emit("")
	return n
}

// fence converts the fenced block that opens at lines[0], whose opening
// line matched m, and returns the number of lines it spans.
func (c *converter) fence(lines []labs.Line, m []string) int {
	indent, marker, info := m[1], m[2], strings.TrimSpace(m[3])
	var body []string
	n, closed := 1, false
	for ; n < len(lines); n++ {
		t := strings.TrimLeft(lines[n].Text, " \t")
		if strings.HasPrefix(t, marker) && labs.IsBlank(strings.TrimLeft(t, marker[:1])) {
			closed = true
			n++
			break
		}
		body = append(body, lines[n].Text)
	}
	num := lines[0].Num
	if !closed {
		c.ns.add(num, "this code block is never closed: it was closed at the end of the post")
	}
	// A block indented like code, outside a list, would not be a fenced
	// block in a lab: it moves to the left margin.
	if cols(indent) >= 4 && !c.listOpen {
		for i, b := range body {
			body[i] = stripCols(b, cols(indent))
		}
		indent = ""
	}
	content := make([]string, len(body))
	for i, b := range body {
		content[i] = stripCols(b, cols(indent))
	}
	block := codeBlock{info: info, content: strings.Join(content, "\n"), line: num, sec: c.current()}
	words := strings.Fields(info)
	first := ""
	if len(words) > 0 {
		first = words[0]
	}
	if t := termPattern.FindStringSubmatch(first); t != nil {
		term, _ := strconv.Atoi(t[1])
		var keep bool
		if block, keep = c.runBlock(block, term); !keep {
			return n
		}
	} else if first == "run" || first == "check" || first == "value" || first == "file" || strings.HasPrefix(first, "node") {
		c.ns.add(num, "the code block's info string %s means something else in a lab and was dropped", quote(info))
		block.info = ""
	}
	c.blocks = append(c.blocks, block)
	c.emit(indent + marker + block.info)
	for _, b := range strings.Split(block.content, "\n") {
		if b == "" {
			c.emit("")
			continue
		}
		c.emit(indent + b)
	}
	c.emit(indent + marker)
	return n
}

// runBlock makes the click-to-run block of terminal term a run block, or
// shown code when it cannot be one. An empty block is not kept.
func (c *converter) runBlock(b codeBlock, term int) (codeBlock, bool) {
	b.info = ""
	if strings.TrimSpace(b.content) == "" {
		c.ns.add(b.line, "an empty .term%d block was dropped", term)
		return b, false
	}
	if term < 1 || term > labs.MaxNodes {
		c.ns.add(b.line, "a .term%d block cannot run: a lab has at most %d nodes; it is shown as code", term, labs.MaxNodes)
		return b, true
	}
	c.maxTerm = max(c.maxTerm, term)
	command, changed, ok := guardPlaceholders(b.content)
	if !ok {
		names := labs.Placeholders(command)
		for i, n := range names {
			names[i] = "{{" + n + "}}"
		}
		c.ns.add(b.line, "the command holds %s, which the playground would read as placeholders for values of lab.md: it is shown as code, without a Run button; rewrite the command, or define those values in lab.md", strings.Join(names, ", "))
		return b, true
	}
	for _, a := range changed {
		c.ns.add(b.line, "the Go template action %s would be read as a playground placeholder (a value of lab.md): it was written %s, with a trim marker on a side without whitespace, which Go templates read the same", a[0], a[1])
	}
	b.content, b.node, b.info = command, term, "run node"+strconv.Itoa(term)
	return b, true
}

// cols returns the width of s, made of spaces and tabs, in columns.
func cols(s string) int {
	n := 0
	for _, r := range s {
		if r == '\t' {
			n += 4 - n%4
		} else {
			n++
		}
	}
	return n
}

// indentCols returns the width in columns of the indentation of s.
func indentCols(s string) int {
	return cols(s[:len(s)-len(strings.TrimLeft(s, " \t"))])
}

// stripCols removes up to n columns of leading spaces and tabs from s.
func stripCols(s string, n int) string {
	w := 0
	for i, r := range s {
		if w >= n || (r != ' ' && r != '\t') {
			return s[i:]
		}
		if r == '\t' {
			w += 4 - w%4
		} else {
			w++
		}
	}
	return ""
}
