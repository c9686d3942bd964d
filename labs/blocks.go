package labs

import (
	"regexp"
	"strings"
)

// maxDepth bounds how deeply lists and quotes may nest.
const maxDepth = 10

// blockKind says what a parsed Markdown block is.
type blockKind int

const (
	paraBlock    blockKind = iota // a paragraph
	headingBlock                  // a heading of level 2 to 4
	sectionBlock                  // a level-1 heading, which starts a section
	codeBlock                     // a fenced block shown as is
	runBlock                      // a fenced block that runs on a node
	listBlock                     // a bullet or ordered list
	quoteBlock                    // a block quote
	ruleBlock                     // a thematic break
)

// block is one parsed Markdown block.
type block struct {
	kind     blockKind
	line     int        // line of the block's first line
	level    int        // heading level
	text     string     // inline source of a paragraph or heading
	id       string     // section id
	node     string     // node of a run block
	code     string     // content of a fenced block
	ordered  bool       // list is ordered
	start    int        // first number of an ordered list
	loose    bool       // list items are separated by blank lines
	items    [][]*block // list items
	children []*block   // blocks of a quote
}

// mdParser parses the Markdown of a language file.
type mdParser struct {
	p     problems
	nodes map[string]bool // the lab's nodes; nil when unknown
}

var sectionIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// parseBlocks parses lines into blocks. depth counts the lists and quotes
// around them.
func (mp *mdParser) parseBlocks(lines []line, depth int) []*block {
	if depth > maxDepth {
		mp.p.add(lines[0].num, "lists and quotes are nested more than %d deep", maxDepth)
		return []*block{{kind: paraBlock, line: lines[0].num, text: joinText(lines)}}
	}
	var out []*block
	for i := 0; i < len(lines); {
		l := lines[i]
		if isBlank(l.text) {
			i++
			continue
		}
		ind, rest := indentOf(l.text)
		if f, ok := fenceOpen(l.text); ok {
			content, n, closed := f.read(lines[i+1:])
			if !closed {
				mp.p.add(l.num, "code block is never closed: add a line with %s after it", f.marker)
			}
			out = append(out, mp.fenceBlock(l.num, f.info, content))
			i += 1 + n
			continue
		}
		if ind <= 3 {
			if level, text, ok := headingOf(rest); ok {
				out = append(out, mp.heading(l.num, level, text, depth))
				i++
				continue
			}
			if isRule(rest) {
				out = append(out, &block{kind: ruleBlock, line: l.num})
				i++
				continue
			}
			if rest[0] == '>' {
				b, n := mp.parseQuote(lines[i:], depth)
				out = append(out, b)
				i += n
				continue
			}
			if _, ok := listMarkerOf(l.text); ok {
				b, n := mp.parseList(lines[i:], depth)
				out = append(out, b)
				i += n
				continue
			}
		}
		n := 1
		for n < len(lines)-i && !isBlank(lines[i+n].text) && !startsBlock(lines[i+n].text) {
			n++
		}
		out = append(out, &block{kind: paraBlock, line: l.num, text: joinText(lines[i : i+n])})
		i += n
	}
	return out
}

// fenceBlock turns a fenced block into a run block or a plain code block.
func (mp *mdParser) fenceBlock(num int, info, content string) *block {
	words := strings.Fields(info)
	kind := ""
	if len(words) > 0 {
		kind = words[0]
	}
	switch {
	case kind == "run":
		b := &block{kind: runBlock, line: num, code: content}
		if len(words) != 2 {
			mp.p.add(num, "a run block names exactly one node, as in ```run node1")
			return b
		}
		b.node = words[1]
		if mp.nodes != nil && !mp.nodes[b.node] {
			mp.p.add(num, "run block names node %q, which is not among the lab's nodes", b.node)
		}
		if strings.TrimSpace(content) == "" {
			mp.p.add(num, "run block is empty")
		}
		return b
	case kind == "check" || kind == "value":
		mp.p.add(num, "%s blocks belong in lab.md, not in a language file", kind)
	case mp.nodes[kind]:
		mp.p.add(num, "a block that runs on %s is written ```run %s", kind, kind)
	}
	return &block{kind: codeBlock, line: num, code: content}
}

// heading builds a heading block; level-1 headings start sections.
func (mp *mdParser) heading(num, level int, text string, depth int) *block {
	if level == 1 && depth > 0 {
		mp.p.add(num, "a section heading (#) cannot be inside a list or quote")
		level = 2
	}
	if level > 4 {
		mp.p.add(num, "headings deeper than #### are not supported")
		level = 4
	}
	if level > 1 {
		if text == "" {
			mp.p.add(num, "heading has no text")
		}
		return &block{kind: headingBlock, line: num, level: level, text: text}
	}
	b := &block{kind: sectionBlock, line: num, level: 1}
	open := strings.LastIndex(text, "{#")
	if open < 0 || !strings.HasSuffix(text, "}") {
		mp.p.add(num, "section heading needs an id at its end, as in: # Set up swarm mode {#swarm}")
		b.text = text
		return b
	}
	b.text = strings.TrimSpace(text[:open])
	b.id = text[open+2 : len(text)-1]
	if !sectionIDPattern.MatchString(b.id) || len(b.id) > 64 {
		mp.p.add(num, "section id %q must be 1 to 64 characters among a-z, 0-9 and -, not starting with -", b.id)
	}
	if b.text == "" {
		mp.p.add(num, "section heading has no title before its id")
	}
	return b
}

// parseQuote parses the block quote starting at lines[0] and returns it with
// the number of lines it spans.
func (mp *mdParser) parseQuote(lines []line, depth int) (*block, int) {
	var inner []line
	i := 0
	for ; i < len(lines); i++ {
		ind, rest := indentOf(lines[i].text)
		if ind > 3 || !strings.HasPrefix(rest, ">") {
			break
		}
		inner = append(inner, line{text: stripCols(rest[1:], 1), num: lines[i].num})
	}
	return &block{kind: quoteBlock, line: lines[0].num, children: mp.parseBlocks(inner, depth+1)}, i
}

// parseList parses the list starting at lines[0] and returns it with the
// number of lines it spans.
func (mp *mdParser) parseList(lines []line, depth int) (*block, int) {
	first, _ := listMarkerOf(lines[0].text)
	b := &block{kind: listBlock, line: lines[0].num, ordered: first.ordered, start: first.start}
	i := 0
	for i < len(lines) {
		m, ok := listMarkerOf(lines[i].text)
		if !ok || !m.sameList(first) {
			break
		}
		item := []line{{text: m.body, num: lines[i].num}}
		i++
		next, more := mp.itemLines(lines, &i, m, first, &item)
		b.items = append(b.items, mp.parseBlocks(item, depth+1))
		if next {
			b.loose = true
		}
		if !more {
			break
		}
	}
	return b, i
}

// itemLines appends to item the lines of the list item whose marker is m,
// advancing *i. It reports whether a blank line separates the item from the
// next one, and whether the list goes on.
func (mp *mdParser) itemLines(lines []line, i *int, m, first listMarker, item *[]line) (blankBefore, more bool) {
	for *i < len(lines) {
		t := lines[*i].text
		if isBlank(t) {
			j := *i
			for j < len(lines) && isBlank(lines[j].text) {
				j++
			}
			if j == len(lines) {
				return false, false
			}
			if ind, _ := indentOf(lines[j].text); ind >= m.content {
				for k := *i; k < j; k++ {
					*item = append(*item, line{num: lines[k].num})
				}
				*i = j
				continue
			}
			nm, ok := listMarkerOf(lines[j].text)
			if ok && nm.sameList(first) {
				*i = j
				return true, true
			}
			return false, false
		}
		if ind, _ := indentOf(t); ind >= m.content {
			*item = append(*item, line{text: stripCols(t, m.content), num: lines[*i].num})
			*i++
			continue
		}
		if startsBlock(t) {
			nm, ok := listMarkerOf(t)
			return false, ok && nm.sameList(first)
		}
		*item = append(*item, line{text: strings.TrimLeft(t, " \t"), num: lines[*i].num})
		*i++
	}
	return false, false
}
