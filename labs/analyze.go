package labs

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// maxDepth bounds how deeply lists and quotes may nest.
const maxDepth = 10

// analyzer lints the Markdown of one language file and decides how its
// parts that goldmark cannot render alone are rendered: run and file
// blocks, links and headings.
type analyzer struct {
	doc   *markdownDoc
	p     problems
	nodes map[string]bool // the lab's nodes; nil when unknown

	blocks  map[ast.Node]RunBlock   // the run and file blocks, by fence
	links   map[ast.Node]linkPlan   // every link, image and autolink
	quizzes map[ast.Node]parsedQuiz // the quiz blocks, by fence
	// quizList holds the quizzes of the section being read, in order.
	quizList []parsedQuiz
}

// newAnalyzer returns an analyzer of doc that reports to p.
func newAnalyzer(doc *markdownDoc, p problems, nodes map[string]bool) *analyzer {
	return &analyzer{doc: doc, p: p, nodes: nodes, blocks: map[ast.Node]RunBlock{}, links: map[ast.Node]linkPlan{},
		quizzes: map[ast.Node]parsedQuiz{}}
}

// sectionHeading reads a level-1 heading, "# Title {#id}", which starts a
// section.
func (a *analyzer) sectionHeading(h *ast.Heading) *textSection {
	num := a.doc.lineOf(h)
	text := a.headingText(h)
	s := &textSection{line: num}
	open := strings.LastIndex(text, "{#")
	if open < 0 || !strings.HasSuffix(text, "}") {
		a.p.add(num, "section heading needs an id at its end, as in: # Set up swarm mode {#swarm}")
		s.title = text
		return s
	}
	s.title = strings.TrimSpace(text[:open])
	s.id = text[open+2 : len(text)-1]
	if !ValidSlug(s.id) {
		a.p.add(num, "section id %q must be 1 to 64 characters among a-z, 0-9 and -, not starting with -", s.id)
	}
	if s.title == "" {
		a.p.add(num, "section heading has no title before its id")
	}
	return s
}

// headingText returns the source of a heading's text, its lines joined by
// spaces.
func (a *analyzer) headingText(h *ast.Heading) string {
	parts := strings.Split(strings.TrimSuffix(a.doc.linesText(h), "\n"), "\n")
	for i, s := range parts {
		parts[i] = strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// section lints the top-level nodes of one section and numbers its run and
// file blocks "<section>-<n>". It returns the blocks and their lines.
func (a *analyzer) section(id string, nodes []ast.Node) ([]RunBlock, []int) {
	var blocks []RunBlock
	var lines []int
	var tooDeep []ast.Node
	depth := 0
	for _, top := range nodes {
		_ = ast.Walk(top, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			switch n := n.(type) {
			case *ast.List, *ast.Blockquote:
				if !entering {
					depth--
					return ast.WalkContinue, nil
				}
				depth++
				if depth > maxDepth {
					a.p.add(a.doc.lineOf(n), "lists and quotes are nested more than %d deep", maxDepth)
					tooDeep = append(tooDeep, n)
					return ast.WalkSkipChildren, nil
				}
			case *ast.Heading:
				if entering {
					a.heading(n)
				}
			case *ast.CodeBlock:
				if entering && a.doc.long[n] {
					a.p.add(a.doc.lineOf(n), "paragraph is too long: a paragraph, heading or table holds at most %d lines, %d bytes and %d of the characters [ and `",
						maxParagraphLines, maxParagraphBytes, maxParagraphMarks)
				}
			case *ast.FencedCodeBlock:
				if entering {
					if b, ok := a.fence(n, id, len(blocks)+1); ok {
						a.blocks[n] = b
						blocks = append(blocks, b)
						lines = append(lines, a.doc.lineOf(n))
					}
				}
			case *ast.Link:
				if entering {
					a.links[n] = planLink(string(n.Destination), linkTarget(n.Destination, true), a.doc.lineOf(n), a.p, a.nodes)
				}
			case *ast.Image:
				if entering {
					a.links[n] = planLink(string(n.Destination), linkTarget(n.Destination, true), a.doc.lineOf(n), a.p, a.nodes)
				}
			case *ast.AutoLink:
				if entering {
					raw, href := autoLinkTarget(n, a.doc.src)
					a.links[n] = planLink(raw, href, a.doc.lineOf(n), a.p, a.nodes)
				}
			}
			return ast.WalkContinue, nil
		})
	}
	// What is nested too deep is not rendered; lint has refused it.
	for _, n := range tooDeep {
		n.RemoveChildren(n)
	}
	return blocks, lines
}

// linkTarget returns the target of a link as it is written in the href:
// with its entities and backslash escapes resolved when resolve is set, and
// the characters that a URL cannot hold percent-encoded. Lint checks this
// form, which is the one the browser reads.
func linkTarget(dest []byte, resolve bool) string {
	return string(util.URLEscape(dest, resolve))
}

// autoLinkTarget returns the target of an autolink such as <https://...> or
// <someone@example.org>, as written and as an href holds it.
func autoLinkTarget(n *ast.AutoLink, src []byte) (raw, href string) {
	raw = string(n.URL(src))
	if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(raw), "mailto:") {
		raw = "mailto:" + raw
	}
	return raw, linkTarget([]byte(raw), false)
}

// heading checks a heading inside a section: levels 2 to 4, with text.
func (a *analyzer) heading(h *ast.Heading) {
	num := a.doc.lineOf(h)
	if h.Level == 1 {
		a.p.add(num, "a section heading (#) cannot be inside a list or quote")
	}
	if h.Level > 4 {
		a.p.add(num, "headings deeper than #### are not supported")
	}
	if a.headingText(h) == "" {
		a.p.add(num, "heading has no text")
	}
}

// headingTag returns the tag of a heading inside a section: h2 to h4.
func headingTag(level int) string {
	return "h" + strconv.Itoa(min(max(level, 2), 4))
}

// fence checks a fenced code block. When it is a run or a file block, it
// returns it with the id "<section>-<n>"; a quiz block goes to a.quizList.
func (a *analyzer) fence(n *ast.FencedCodeBlock, section string, num int) (RunBlock, bool) {
	line := a.doc.lineOf(n)
	if !a.doc.closed[n] {
		a.p.add(line, "code block is never closed: add a line with %s after it", a.fenceMarker(n))
	}
	var words []string
	if n.Info != nil {
		words = strings.Fields(string(n.Info.Segment.Value(a.doc.src)))
	}
	kind := ""
	if len(words) > 0 {
		kind = words[0]
	}
	var b RunBlock
	switch {
	case kind == "run":
		b = a.runBlock(line, words, a.doc.linesText(n))
	case kind == "file":
		b = a.fileBlock(line, words, a.doc.linesText(n))
	case kind == "quiz":
		q := a.parseQuiz(line, words, a.doc.linesText(n))
		a.quizzes[n] = q
		a.quizList = append(a.quizList, q)
		return RunBlock{}, false
	case kind == "check" || kind == "value":
		a.p.add(line, "%s blocks belong in lab.md, not in a language file", kind)
		return RunBlock{}, false
	case a.nodes[kind]:
		a.p.add(line, "a block that runs on %s is written ```run %s", kind, kind)
		return RunBlock{}, false
	default:
		return RunBlock{}, false
	}
	b.ID = section + "-" + strconv.Itoa(num)
	return b, true
}

// fenceMarker returns the run of backticks or tildes that opens n.
func (a *analyzer) fenceMarker(n *ast.FencedCodeBlock) string {
	src, i := a.doc.src, n.Pos()
	if i < 0 || i >= len(src) || (src[i] != '`' && src[i] != '~') {
		return "```"
	}
	j := i
	for j < len(src) && src[j] == src[i] {
		j++
	}
	return string(src[i:j])
}

// runBlock checks a run block, ```run NODE, and returns it.
func (a *analyzer) runBlock(line int, words []string, raw string) RunBlock {
	b := RunBlock{Command: codeText(raw)}
	if len(words) != 2 {
		a.p.add(line, "a run block names exactly one node, as in ```run node1")
		return b
	}
	b.Node = words[1]
	if a.nodes != nil && !a.nodes[b.Node] {
		a.p.add(line, "run block names node %q, which is not among the lab's nodes", b.Node)
	}
	if strings.TrimSpace(b.Command) == "" {
		a.p.add(line, "run block is empty")
	}
	return b
}

// codeText returns the text of a code block from its lines: without the
// blank lines at the end, the spaces at the end of each line, and the last
// line break.
func codeText(raw string) string {
	return joinCode(strings.Split(strings.TrimSuffix(raw, "\n"), "\n"))
}
