package labs

import (
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdownParser returns the parser of language files: CommonMark with GFM
// tables and strikethrough, without raw HTML, which stays text, and without
// attributes such as {.class}, which stay text too. Section ids are read
// from the heading text by parseText instead.
var markdownParser = sync.OnceValue(func() parser.Parser {
	var blocks []util.PrioritizedValue
	for _, b := range parser.DefaultBlockParsers() {
		bp := b.Value.(parser.BlockParser)
		switch {
		case sameType(bp, parser.NewHTMLBlockParser()):
			continue
		case sameType(bp, parser.NewFencedCodeBlockParser()):
			b.Value = fenceParser{bp}
		case sameType(bp, parser.NewBlockquoteParser()), sameType(bp, parser.NewListParser()):
			b.Value = nestParser{bp}
		case sameType(bp, parser.NewATXHeadingParser()):
			b.Value = headingParser{bp}
		}
		blocks = append(blocks, b)
	}
	var inlines []util.PrioritizedValue
	for _, in := range parser.DefaultInlineParsers() {
		if !sameType(in.Value, parser.NewRawHTMLParser()) {
			inlines = append(inlines, in)
		}
	}
	inlines = append(inlines, util.Prioritized(extension.NewStrikethroughParser(), 500))
	return parser.NewParser(
		parser.WithBlockParsers(blocks...),
		parser.WithInlineParsers(inlines...),
		parser.WithParagraphTransformers(append(parser.DefaultParagraphTransformers(),
			util.Prioritized(paragraphGuard{}, 50),
			util.Prioritized(extension.NewTableParagraphTransformer(), 200))...),
		parser.WithASTTransformers(util.Prioritized(extension.NewTableASTTransformer(), 0)),
	)
})

// sameType reports whether a and b have the same dynamic type.
func sameType(a, b any) bool {
	return reflect.TypeOf(a) == reflect.TypeOf(b)
}

// closedFencesKey holds, in a parser context, the set of fenced code blocks
// that met their closing line.
var closedFencesKey = parser.NewContextKey()

// fenceParser is goldmark's fenced code block parser, which also records
// the blocks that are closed, so that lint can report those that are not.
type fenceParser struct {
	parser.BlockParser
}

// Continue reads one more line of the block, noting when it closes it.
func (f fenceParser) Continue(node ast.Node, reader gmtext.Reader, pc parser.Context) parser.State {
	s := f.BlockParser.Continue(node, reader, pc)
	if s == parser.Close {
		if closed, ok := pc.Get(closedFencesKey).(map[ast.Node]bool); ok {
			closed[node] = true
		}
	}
	return s
}

// markdownDoc is a parsed language file.
type markdownDoc struct {
	src    []byte
	root   ast.Node
	closed map[ast.Node]bool // the fenced code blocks that have a closing line
	long   map[ast.Node]bool // the code blocks made of paragraphs too long to read
	starts []int             // the offset of each line's first byte
}

// parseMarkdown parses src, the text of a language file.
func parseMarkdown(src string) *markdownDoc {
	d := &markdownDoc{src: []byte(src), closed: map[ast.Node]bool{}, long: map[ast.Node]bool{}, starts: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			d.starts = append(d.starts, i+1)
		}
	}
	ctx := parser.NewContext()
	ctx.Set(closedFencesKey, d.closed)
	ctx.Set(longParagraphsKey, d.long)
	d.root = markdownParser().Parse(gmtext.NewReader(d.src), parser.WithContext(ctx))
	return d
}

// lineAt returns the 1-based line of the byte at offset.
func (d *markdownDoc) lineAt(offset int) int {
	return sort.Search(len(d.starts), func(i int) bool { return d.starts[i] > offset })
}

// lineOf returns the line on which n starts: its own position, that of its
// first line, or else that of the nearest ancestor that has one.
func (d *markdownDoc) lineOf(n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if pos := n.Pos(); pos >= 0 {
			return d.lineAt(pos)
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return d.lineAt(n.Lines().At(0).Start)
		}
	}
	return 1
}

// linesText returns the text of the lines of a block node, each with its
// line ending.
func (d *markdownDoc) linesText(n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(d.src))
	}
	return b.String()
}
