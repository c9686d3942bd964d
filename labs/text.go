package labs

import (
	"strings"

	"github.com/yuin/goldmark/ast"
)

// text is a parsed, linted and rendered language file.
type text struct {
	title    string
	sections []*textSection
}

// textSection is one section of a language file.
type textSection struct {
	id, title string
	line      int
	html      string
	blocks    []RunBlock // the run and file blocks, in order
	lines     []int      // the line each block starts on
	quizzes   []parsedQuiz
	nodes     []ast.Node // the top-level Markdown nodes of the section
}

// parseText parses, lints and renders a language file. nodes holds the
// lab's nodes, or is nil when lab.md did not say.
func parseText(src string, p problems, nodes map[string]bool) *text {
	t := &text{}
	lines := SplitLines(src)
	fields, body, _ := parseFrontMatter(lines, p, []string{"title"})
	t.title = fields["title"].value
	doc := parseMarkdown(bodySource(body))
	a := newAnalyzer(doc, p, nodes)
	var cur *textSection
	var stray []ast.Node
	seen := map[string]int{}
	for n := doc.root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level != 1 {
			if cur != nil {
				cur.nodes = append(cur.nodes, n)
			} else {
				if len(stray) == 0 {
					p.add(doc.lineOf(n), "text before the first section: every part of the text belongs to a section that starts with a heading such as # Set up swarm mode {#swarm}")
				}
				stray = append(stray, n)
			}
			continue
		}
		cur = a.sectionHeading(h)
		t.sections = append(t.sections, cur)
		if cur.id == "" {
			continue
		}
		if first, dup := seen[cur.id]; dup {
			p.add(cur.line, "section id %q is already used on line %d", cur.id, first)
		}
		seen[cur.id] = cur.line
	}
	if len(t.sections) == 0 {
		p.add(len(lines), "no sections: start each section with a heading such as # Set up swarm mode {#swarm}")
	}
	a.section("", stray) // linted, never shown
	a.quizList = nil
	quizIDs := map[string]int{}
	for _, s := range t.sections {
		s.blocks, s.lines = a.section(s.id, s.nodes)
		s.quizzes, a.quizList = a.quizList, nil
		for _, q := range s.quizzes {
			if first, dup := quizIDs[q.ID]; dup && q.ID != "" {
				p.add(q.line, "quiz id %q is already used on line %d: quiz ids are unique in the lab", q.ID, first)
			}
			quizIDs[q.ID] = q.line
		}
		s.html = a.render(s.nodes)
		s.nodes = nil
	}
	return t
}

// bodySource returns the text of the lines after the front matter, with
// as many empty lines before it as the front matter took, so that lines
// keep their numbers.
func bodySource(body []Line) string {
	if len(body) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("\n", body[0].Num-1))
	for _, l := range body {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// render returns the rendered sections of t and the lines their run and
// file blocks start on.
func (t *text) render() ([]RenderedSection, [][]int) {
	sections := make([]RenderedSection, len(t.sections))
	lines := make([][]int, len(t.sections))
	for i, s := range t.sections {
		quizzes := make([]Quiz, len(s.quizzes))
		for j, q := range s.quizzes {
			quizzes[j] = q.Quiz
		}
		sections[i] = RenderedSection{ID: s.id, Title: s.title, HTML: s.html, Blocks: s.blocks, Quizzes: quizzes}
		lines[i] = s.lines
	}
	return sections, lines
}
