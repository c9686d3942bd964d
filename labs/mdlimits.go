package labs

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
)

// The parser of language files bounds what goldmark reads: it refuses
// nesting beyond maxDepth and inline texts beyond the limits below, which
// lint reports. Without these bounds, a 1 MiB file can take goldmark
// minutes to parse.

// nestParser is goldmark's parser of block quotes or of lists, which opens
// none inside more than maxDepth others: lint refuses a text nested that
// deep, and a deeper one would make the parser slow (its time grows with the
// square of the depth).
type nestParser struct {
	parser.BlockParser
}

// Open opens a block quote or a list, unless it would be nested too deep.
func (b nestParser) Open(parent ast.Node, reader gmtext.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for n := parent; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindList {
			depth++
		}
	}
	if depth > maxDepth {
		return nil, parser.NoChildren
	}
	return b.BlockParser.Open(parent, reader, pc)
}

// Limits of the inline text of one paragraph, heading or table. goldmark
// reads some texts with many brackets or backticks in a time that grows
// with the square of their length; lint refuses such texts, which goldmark
// then does not read.
const (
	maxParagraphLines = 1000
	maxParagraphBytes = 64 << 10
	maxParagraphMarks = 1000 // [ and ` characters
)

// tooLong reports whether an inline text of n lines, text, is beyond the
// limits.
func tooLong(text []byte, n int) bool {
	return n > maxParagraphLines || len(text) > maxParagraphBytes ||
		bytes.Count(text, []byte("["))+bytes.Count(text, []byte("`")) > maxParagraphMarks
}

// paragraphGuard turns a paragraph beyond the limits into a code block,
// whose text goldmark does not read, and notes it for lint.
type paragraphGuard struct{}

// Transform replaces para when it is too long.
func (paragraphGuard) Transform(para *ast.Paragraph, reader gmtext.Reader, pc parser.Context) {
	lines := para.Lines()
	if lines.Len() == 0 {
		return
	}
	first, last := lines.At(0), lines.At(lines.Len()-1)
	if !tooLong(reader.Source()[first.Start:last.Stop], lines.Len()) {
		return
	}
	code := ast.NewCodeBlock()
	code.SetLines(lines)
	para.Parent().ReplaceChild(para.Parent(), para, code)
	if long, ok := pc.Get(longParagraphsKey).(map[ast.Node]bool); ok {
		long[code] = true
	}
}

// longParagraphsKey holds, in a parser context, the code blocks that
// paragraphGuard made of paragraphs that are too long.
var longParagraphsKey = parser.NewContextKey()

// headingParser is goldmark's parser of ATX headings (# Title), which
// leaves a heading beyond the limits to the paragraph parser, and so to
// paragraphGuard.
type headingParser struct {
	parser.BlockParser
}

// Open opens a heading, unless its line is beyond the limits.
func (h headingParser) Open(parent ast.Node, reader gmtext.Reader, pc parser.Context) (ast.Node, parser.State) {
	if line, _ := reader.PeekLine(); tooLong(line, 1) {
		return nil, parser.NoChildren
	}
	return h.BlockParser.Open(parent, reader, pc)
}
