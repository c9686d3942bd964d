package pwdimport

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/labplay/playground/labs"
)

// section is one section of the lab being written.
type section struct {
	title, id string
	lines     []string
}

// codeBlock is a fenced block of the post, as converted.
type codeBlock struct {
	info    string // the info string of the converted block
	node    int    // the node of a run block, from 1; 0 for code that is only shown
	content string
	line    int // the line of the post where the block opens
}

// converter turns the body of a post into the sections of a lab.
type converter struct {
	ns       *notes
	title    string         // the post's title
	split    int            // the heading level that starts a section; 0: no headings
	intro    *section       // the section of the text before the first heading
	sections []*section     // the sections, the intro first
	blocks   []codeBlock    // the fenced blocks, in order
	maxTerm  int            // the highest terminal the post uses
	ids      map[string]int // section ids taken, with how often
	refs     map[string]string

	listOpen      bool // a list may still be going on
	inHTMLComment bool
	inKramdown    bool // inside {::comment} ... {:/comment}
}

var (
	fencePattern   = regexp.MustCompile("^([ \t]*)(`{3,}|~{3,})(.*)$")
	headingPattern = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$`)
	termPattern    = regexp.MustCompile(`^\.term([0-9]+)$`)
	listPattern    = regexp.MustCompile(`^[ \t]*([-*+]|[0-9]{1,9}[.)])([ \t]|$)`)
	ialLine        = regexp.MustCompile(`^[ \t]*\{:[^{}]*\}[ \t]*$`)
	extLine        = regexp.MustCompile(`^[ \t]*\{::[a-z]+[^{}]*/?\}[ \t]*$`)
	refDefPattern  = regexp.MustCompile(`^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*<?([^\s>]+)>?(?:[ \t]+.*)?$`)
	tableRule      = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$`)
	headingID      = regexp.MustCompile(`[ \t]*\{:?[ \t]*#([A-Za-z0-9_-]+)[^{}]*\}[ \t]*$`)
	headingIAL     = regexp.MustCompile(`[ \t]*\{:[^{}]*\}[ \t]*$`)
)

// newConverter returns a converter for a post with the given title.
func newConverter(ns *notes, title string) *converter {
	c := &converter{ns: ns, title: title, ids: map[string]int{}, refs: map[string]string{}}
	c.intro = &section{title: title, id: c.uniqueID("intro")}
	c.sections = []*section{c.intro}
	return c
}

// convert converts the lines of the body.
func (c *converter) convert(lines []srcLine) {
	c.split = topLevel(lines)
	c.collectRefs(lines)
	for i := 0; i < len(lines); {
		l := lines[i]
		if m := fencePattern.FindStringSubmatch(l.text); m != nil && !(m[2][0] == '`' && strings.Contains(m[3], "`")) && !c.inHTMLComment {
			i += c.fence(lines[i:], m)
			continue
		}
		c.text(l)
		i++
	}
	if c.inHTMLComment {
		c.ns.add(0, "an HTML comment <!-- is never closed: the rest of the post was dropped")
	}
}

// topLevel returns the heading level that splits the post into sections:
// the smallest level that two headings or more use, or the smallest level
// used when none is used twice; 0 when the post has no headings.
func topLevel(lines []srcLine) int {
	count := [7]int{}
	inFence := ""
	for _, l := range lines {
		if m := fencePattern.FindStringSubmatch(l.text); m != nil {
			switch {
			case inFence == "":
				inFence = m[2]
			case m[2][0] == inFence[0] && len(m[2]) >= len(inFence) && isBlank(m[3]):
				inFence = ""
			}
			continue
		}
		if inFence != "" {
			continue
		}
		if m := headingPattern.FindStringSubmatch(l.text); m != nil {
			count[len(m[1])]++
		}
	}
	lowest := 0
	for level := 1; level <= 6; level++ {
		if count[level] >= 2 {
			return level
		}
		if count[level] > 0 && lowest == 0 {
			lowest = level
		}
	}
	return lowest
}

// collectRefs reads the reference link definitions, [label]: URL, which
// a lab does not have: the links that use them are written inline.
func (c *converter) collectRefs(lines []srcLine) {
	for _, l := range lines {
		if m := refDefPattern.FindStringSubmatch(l.text); m != nil {
			c.refs[strings.ToLower(m[1])] = m[2]
		}
	}
}

// current returns the section that text goes into.
func (c *converter) current() *section {
	return c.sections[len(c.sections)-1]
}

// emit appends a line to the current section.
func (c *converter) emit(s string) {
	sec := c.current()
	sec.lines = append(sec.lines, s)
}

// text converts one line outside fenced blocks.
func (c *converter) text(l srcLine) {
	s := l.text
	if c.inHTMLComment {
		end := strings.Index(s, "-->")
		if end < 0 {
			return
		}
		c.inHTMLComment = false
		s = s[end+3:]
		if isBlank(s) {
			return
		}
	}
	if c.inKramdown {
		if strings.Contains(s, "{:/") {
			c.inKramdown = false
		}
		return
	}
	if open := strings.Index(s, "<!--"); open >= 0 && !strings.Contains(s[open:], "-->") {
		c.ns.add(l.num, "an HTML comment was dropped")
		c.inHTMLComment = true
		s = s[:open]
		if isBlank(s) {
			return
		}
	}
	trimmed := strings.TrimSpace(s)
	switch {
	case isBlank(s):
		c.emit("")
		return
	case trimmed == "{::comment}":
		c.inKramdown = true
		c.ns.add(l.num, "a kramdown {::comment} block was dropped")
		return
	case ialLine.MatchString(s):
		c.ialLine(trimmed, l.num)
		return
	case extLine.MatchString(s):
		c.ns.add(l.num, "the kramdown extension %s was dropped", quote(trimmed))
		return
	case refDefPattern.MatchString(s):
		return
	case tableRule.MatchString(s):
		c.ns.add(l.num, "tables are not supported in a lab: this one is kept as plain text; rewrite it as a list or a code block")
	case strings.HasPrefix(trimmed, "[^"):
		c.ns.add(l.num, "footnotes are not supported in a lab: kept as plain text")
	}
	if m := headingPattern.FindStringSubmatch(s); m != nil {
		c.heading(len(m[1]), m[2], l.num)
		return
	}
	out := c.inline(s, l.num)
	if isBlank(out) {
		return
	}
	if listPattern.MatchString(out) {
		c.listOpen = true
	} else if out[0] != ' ' && out[0] != '\t' {
		sec := c.current()
		if n := len(sec.lines); n == 0 || isBlank(sec.lines[n-1]) {
			c.listOpen = false
		}
	}
	c.emit(out)
}

// ialLine handles a line holding only a kramdown attribute list, such as
// {:.alert .alert-info}. {:toc} also removes the "* TOC" item before it.
func (c *converter) ialLine(ial string, num int) {
	if strings.Contains(ial, "toc") {
		sec := c.current()
		if n := len(sec.lines); n > 0 && listPattern.MatchString(sec.lines[n-1]) {
			sec.lines = sec.lines[:n-1]
		}
		c.ns.add(num, "the kramdown table of contents %s was dropped: the lab's page lists its sections", quote(ial))
		return
	}
	c.ns.add(num, "the kramdown attribute list %s was dropped: a lab has no classes or attributes", quote(ial))
}

// heading converts a heading of the given level: one of the top level
// starts a section, deeper ones become headings ## to ####.
func (c *converter) heading(level int, raw string, num int) {
	c.listOpen = false
	id := ""
	if m := headingID.FindStringSubmatch(raw); m != nil {
		id = slugify(m[1])
		raw = raw[:len(raw)-len(m[0])]
	}
	if m := headingIAL.FindString(raw); m != "" {
		c.ns.add(num, "the kramdown attribute list %s of a heading was dropped", quote(m))
		raw = raw[:len(raw)-len(m)]
	}
	raw = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(raw), "#"))
	text := strings.TrimSpace(c.inline(raw, num))
	if text == "" {
		c.ns.add(num, "an empty heading was dropped")
		return
	}
	switch {
	case level == c.split && len(c.sections) == 1 && strings.EqualFold(plainText(text), c.title):
		c.ns.add(num, "the heading %s repeats the post's title: it was dropped, and the text after it opens the lab", quote(text))
	case level == c.split:
		title := plainText(text)
		if title == "" {
			title = "Section " + strconv.Itoa(len(c.sections)+1)
		}
		if id == "" {
			id = slugify(title)
		}
		if id == "" {
			id = "section"
		}
		c.sections = append(c.sections, &section{title: title, id: c.uniqueID(id)})
	case level < c.split:
		if strings.EqualFold(plainText(text), strings.TrimSpace(c.title)) {
			c.ns.add(num, "the heading %s repeats the post's title and was dropped", quote(text))
			return
		}
		c.emit("## " + text)
	default:
		to := level - c.split + 1
		if to > 4 {
			c.ns.add(num, "a heading %d levels below the sections became a heading #### (a lab has headings ## to #### inside a section)", level-c.split)
			to = 4
		}
		c.emit(strings.Repeat("#", to) + " " + text)
	}
}

// uniqueID returns id, or id-2, id-3... when it is taken.
func (c *converter) uniqueID(id string) string {
	c.ids[id]++
	if n := c.ids[id]; n > 1 {
		suffix := "-" + strconv.Itoa(n)
		if len(id)+len(suffix) > 64 {
			id = strings.TrimRight(id[:64-len(suffix)], "-")
		}
		return c.uniqueID(id + suffix)
	}
	return id
}

// fence converts the fenced block that opens at lines[0], whose opening
// line matched m, and returns the number of lines it spans.
func (c *converter) fence(lines []srcLine, m []string) int {
	indent, marker, info := m[1], m[2], strings.TrimSpace(m[3])
	var body []string
	n, closed := 1, false
	for ; n < len(lines); n++ {
		t := strings.TrimLeft(lines[n].text, " \t")
		if strings.HasPrefix(t, marker) && isBlank(strings.TrimLeft(t, marker[:1])) {
			closed = true
			n++
			break
		}
		body = append(body, lines[n].text)
	}
	num := lines[0].num
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
	block := codeBlock{info: info, content: strings.Join(content, "\n"), line: num}
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
