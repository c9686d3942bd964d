package labs

// text is a parsed language file.
type text struct {
	title    string
	sections []*textSection
}

// textSection is one section of a language file.
type textSection struct {
	id, title string
	line      int
	blocks    []*block
}

// parseText parses a language file. nodes holds the lab's nodes, or is nil
// when lab.md did not say.
func parseText(src string, p problems, nodes map[string]bool) *text {
	t := &text{}
	lines := splitLines(src)
	fields, body, _ := parseFrontMatter(lines, p, []string{"title"})
	t.title = fields["title"].value
	mp := &mdParser{p: p, nodes: nodes}
	var cur *textSection
	seen := map[string]int{}
	strayReported := false
	for _, b := range mp.parseBlocks(body, 0) {
		if b.kind != sectionBlock {
			if cur != nil {
				cur.blocks = append(cur.blocks, b)
			} else if !strayReported {
				p.add(b.line, "text before the first section: every part of the text belongs to a section that starts with a heading such as # Set up swarm mode {#swarm}")
				strayReported = true
			}
			continue
		}
		cur = &textSection{id: b.id, title: b.text, line: b.line}
		t.sections = append(t.sections, cur)
		if b.id == "" {
			continue
		}
		if first, dup := seen[b.id]; dup {
			p.add(b.line, "section id %q is already used on line %d", b.id, first)
		}
		seen[b.id] = b.line
	}
	if len(t.sections) == 0 {
		p.add(len(lines), "no sections: start each section with a heading such as # Set up swarm mode {#swarm}")
	}
	return t
}

// render renders the sections of t and collects their run blocks with the
// lines they start on.
func (t *text) render(p problems) ([]RenderedSection, [][]int) {
	sections := make([]RenderedSection, len(t.sections))
	lines := make([][]int, len(t.sections))
	for i, s := range t.sections {
		w := &htmlWriter{p: p, section: s.id}
		w.writeBlocks(s.blocks, false)
		sections[i] = RenderedSection{ID: s.id, Title: s.title, HTML: w.out.String(), Blocks: w.blocks}
		lines[i] = w.lines
	}
	return sections, lines
}
