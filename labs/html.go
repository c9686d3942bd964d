package labs

import (
	"strconv"
	"strings"
)

// htmlWriter renders the blocks of one section to HTML and collects the
// section's run blocks.
type htmlWriter struct {
	out     strings.Builder
	p       problems
	section string     // id of the section, the prefix of block ids
	blocks  []RunBlock // the run blocks met so far
	lines   []int      // the line each run block starts on
}

// writeBlocks renders bs. In a tight list item, paragraphs are written
// without <p> tags.
func (w *htmlWriter) writeBlocks(bs []*block, tight bool) {
	for i, b := range bs {
		if i > 0 {
			w.out.WriteByte('\n')
		}
		w.writeBlock(b, tight)
	}
}

// writeBlock renders one block.
func (w *htmlWriter) writeBlock(b *block, tight bool) {
	switch b.kind {
	case paraBlock:
		if tight {
			w.inline(b)
			return
		}
		w.out.WriteString("<p>")
		w.inline(b)
		w.out.WriteString("</p>")
	case headingBlock, sectionBlock:
		tag := "h" + strconv.Itoa(max(b.level, 2))
		w.out.WriteString("<" + tag + ">")
		w.inline(b)
		w.out.WriteString("</" + tag + ">")
	case codeBlock:
		w.out.WriteString("<pre><code>")
		writeEscaped(&w.out, b.code)
		w.out.WriteString("</code></pre>")
	case runBlock:
		rb := RunBlock{
			ID:      w.section + "-" + strconv.Itoa(len(w.blocks)+1),
			Node:    b.node,
			Command: b.code,
		}
		w.blocks = append(w.blocks, rb)
		w.lines = append(w.lines, b.line)
		w.out.WriteString(`<div class="run-block" data-block="`)
		writeEscaped(&w.out, rb.ID)
		w.out.WriteString(`" data-node="`)
		writeEscaped(&w.out, rb.Node)
		w.out.WriteString(`"><div class="run-node">`)
		writeEscaped(&w.out, rb.Node)
		w.out.WriteString(`</div><pre><code>`)
		writeEscaped(&w.out, rb.Command)
		w.out.WriteString(`</code></pre></div>`)
	case listBlock:
		w.writeList(b)
	case quoteBlock:
		w.out.WriteString("<blockquote>\n")
		w.writeBlocks(b.children, false)
		w.out.WriteString("\n</blockquote>")
	case ruleBlock:
		w.out.WriteString("<hr>")
	}
}

// writeList renders a list block.
func (w *htmlWriter) writeList(b *block) {
	tag := "ul"
	if b.ordered {
		tag = "ol"
	}
	w.out.WriteString("<" + tag)
	if b.ordered && b.start != 1 {
		w.out.WriteString(` start="` + strconv.Itoa(b.start) + `"`)
	}
	w.out.WriteString(">\n")
	for _, item := range b.items {
		w.out.WriteString("<li>")
		w.writeBlocks(item, !b.loose)
		w.out.WriteString("</li>\n")
	}
	w.out.WriteString("</" + tag + ">")
}

// inline renders the text of a paragraph or heading.
func (w *htmlWriter) inline(b *block) {
	renderInline(&w.out, b.text, b.line, w.p.add)
}
