package pwdimport

import (
	"regexp"
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
	line    int      // the line of the post where the block opens
	sec     *section // the section it is in
}

// converter turns the body of a post into the sections of a lab.
type converter struct {
	ns       *notes
	title    string            // the post's title
	split    int               // the heading level that starts a section; 0: no headings
	intro    *section          // the section of the text before the first heading
	sections []*section        // the sections, the intro first
	blocks   []codeBlock       // the fenced blocks, in order
	maxTerm  int               // the highest terminal the post uses
	ids      map[string]int    // section ids taken, with how often
	refs     map[string]string // the reference links' URLs by lower-case label

	para          []labs.Line // the lines of the paragraph being read
	listOpen      bool        // a list may still be going on
	inHTMLComment bool
	inKramdown    bool // inside {::comment} ... {:/comment}

	quiz    *pendingQuiz // the {:.quiz} being read, or nil (quiz.go)
	quizzes int          // the quizzes written so far
}

// The shapes of the lines that the conversion tells apart.
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
	c.intro = &section{title: title} // its id is given when it is kept
	c.sections = []*section{c.intro}
	return c
}

// convert converts the lines of the body.
func (c *converter) convert(lines []labs.Line) {
	lines = atxHeadings(lines)
	c.split = topLevel(lines)
	c.collectRefs(lines)
	for i := 0; i < len(lines); {
		l := lines[i]
		if c.quiz != nil && c.quizLine(l) {
			i++
			continue
		}
		inComment := c.inHTMLComment || c.inKramdown
		if m := fencePattern.FindStringSubmatch(l.Text); m != nil && !(m[2][0] == '`' && strings.Contains(m[3], "`")) && !inComment {
			c.flush()
			i += c.fence(lines[i:], m)
			continue
		}
		if !inComment && !c.listOpen && indentCols(l.Text) >= 4 && !labs.IsBlank(l.Text) && c.afterBlank() {
			i += c.indentedCode(lines[i:])
			continue
		}
		c.text(l)
		i++
	}
	c.endQuiz()
	c.flush()
	if c.inHTMLComment {
		c.ns.add(0, "an HTML comment <!-- is never closed: the rest of the post was dropped")
	}
}

// collectRefs reads the reference link definitions, [label]: URL, which
// a lab does not have: the links that use them are written inline.
func (c *converter) collectRefs(lines []labs.Line) {
	for _, l := range lines {
		if m := refDefPattern.FindStringSubmatch(l.Text); m != nil {
			c.refs[strings.ToLower(m[1])] = m[2]
		}
	}
}

// afterBlank reports whether the current section is empty or ends with a
// blank line, and no paragraph is pending.
func (c *converter) afterBlank() bool {
	if len(c.para) > 0 {
		return false
	}
	sec := c.current()
	return len(sec.lines) == 0 || labs.IsBlank(sec.lines[len(sec.lines)-1])
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
func (c *converter) text(l labs.Line) {
	s := l.Text
	if c.inHTMLComment {
		end := strings.Index(s, "-->")
		if end < 0 {
			return
		}
		c.inHTMLComment = false
		s = s[end+3:]
		if labs.IsBlank(s) {
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
		c.ns.add(l.Num, "an HTML comment was dropped")
		c.inHTMLComment = true
		s = s[:open]
		if labs.IsBlank(s) {
			return
		}
	}
	trimmed := strings.TrimSpace(s)
	switch {
	case labs.IsBlank(s):
		c.flush()
		c.emit("")
		return
	case trimmed == "{::comment}":
		c.flush()
		c.inKramdown = true
		c.ns.add(l.Num, "a kramdown {::comment} block was dropped")
		return
	case ialLine.MatchString(s) && isQuizIAL(trimmed) && c.quiz == nil:
		c.flush()
		c.quiz = &pendingQuiz{line: l.Num}
		return
	case ialLine.MatchString(s):
		c.flush()
		c.ialLine(trimmed, l.Num)
		return
	case extLine.MatchString(s):
		c.flush()
		c.ns.add(l.Num, "the kramdown extension %s was dropped", quote(trimmed))
		return
	case refDefPattern.MatchString(s):
		c.flush()
		return
	case tableRule.MatchString(s):
		c.ns.add(l.Num, "tables are not supported in a lab: this one is kept as plain text; rewrite it as a list or a code block")
	case strings.HasPrefix(trimmed, "[^"):
		c.ns.add(l.Num, "footnotes are not supported in a lab: kept as plain text")
	}
	if m := headingPattern.FindStringSubmatch(s); m != nil {
		c.flush()
		c.heading(len(m[1]), m[2], l.Num)
		return
	}
	c.para = append(c.para, labs.Line{Text: s, Num: l.Num})
}

// flush converts the paragraph gathered so far, whose links may span
// lines, and appends it to the current section. Lines left blank by the
// conversion go.
func (c *converter) flush() {
	if len(c.para) == 0 {
		return
	}
	texts := make([]string, len(c.para))
	nums := make(lineNums, len(c.para))
	for i, l := range c.para {
		texts[i], nums[i] = l.Text, l.Num
	}
	c.para = nil
	for _, out := range strings.Split(c.inline(strings.Join(texts, "\n"), nums), "\n") {
		out = strings.TrimRight(out, " \t")
		if out == "" {
			continue
		}
		if listPattern.MatchString(out) {
			c.listOpen = true
		} else if out[0] != ' ' && out[0] != '\t' && c.afterBlank() {
			c.listOpen = false
		}
		c.emit(out)
	}
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
