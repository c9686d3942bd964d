package labs

import (
	"bytes"
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// render returns the HTML of the top-level nodes of a section, which the
// analyzer has linted.
func (a *analyzer) render(nodes []ast.Node) string {
	r := renderer.NewRenderer(renderer.WithNodeRenderers(
		util.Prioritized(gmhtml.NewRenderer(), 1000),
		util.Prioritized(extension.NewTableHTMLRenderer(
			extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)), 500),
		util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500),
		util.Prioritized(labRenderer{a}, 100),
	))
	var b bytes.Buffer
	for _, n := range nodes {
		// The writers are a bytes.Buffer and the renderers write no
		// error: there is none to report.
		_ = r.Render(&b, a.doc.src, n)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// labRenderer renders what goldmark's HTML renderer must not render its
// own way: headings inside sections, code, run and file blocks, links, and
// raw HTML, which never reaches the page as HTML.
type labRenderer struct {
	a *analyzer
}

// RegisterFuncs registers the renderer's functions.
func (r labRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, r.heading)
	reg.Register(ast.KindFencedCodeBlock, r.fencedCode)
	reg.Register(ast.KindCodeBlock, r.code)
	reg.Register(ast.KindLink, r.link)
	reg.Register(ast.KindImage, r.image)
	reg.Register(ast.KindAutoLink, r.autoLink)
	reg.Register(ast.KindRawHTML, r.rawHTML)
	reg.Register(ast.KindHTMLBlock, r.htmlBlock)
}

// write writes s to w with the HTML special characters escaped.
func write(w util.BufWriter, s string) {
	_, _ = w.WriteString(html.EscapeString(s))
}

// heading writes a heading of a section as h2 to h4.
func (r labRenderer) heading(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	tag := headingTag(node.(*ast.Heading).Level)
	if entering {
		_, _ = w.WriteString("<" + tag + ">")
	} else {
		_, _ = w.WriteString("</" + tag + ">\n")
	}
	return ast.WalkContinue, nil
}

// fencedCode writes a run block, a file block, a quiz (an empty element
// that the page fills from the section's quizzes) or a plain code block.
func (r labRenderer) fencedCode(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if q, ok := r.a.quizzes[node]; ok {
		_, _ = w.WriteString(`<div class="quiz" data-quiz="`)
		write(w, q.ID)
		_, _ = w.WriteString("\"></div>\n")
		return ast.WalkSkipChildren, nil
	}
	b, ok := r.a.blocks[node]
	switch {
	case !ok:
		r.code(w, nil, node, true)
	case b.Path != "":
		_, _ = w.WriteString(`<div class="file-block" data-block="`)
		write(w, b.ID)
		_, _ = w.WriteString(`" data-node="`)
		write(w, b.Node)
		_, _ = w.WriteString(`" data-path="`)
		write(w, b.Path)
		_, _ = w.WriteString(`"><div class="file-head"><span class="run-node">`)
		write(w, b.Node)
		_, _ = w.WriteString(`</span> <span class="file-path">`)
		write(w, b.Path)
		_, _ = w.WriteString(`</span></div><pre><code>`)
		write(w, b.Command)
		_, _ = w.WriteString("</code></pre></div>\n")
	default:
		_, _ = w.WriteString(`<div class="run-block" data-block="`)
		write(w, b.ID)
		_, _ = w.WriteString(`" data-node="`)
		write(w, b.Node)
		_, _ = w.WriteString(`"><div class="run-node">`)
		write(w, b.Node)
		_, _ = w.WriteString(`</div><pre><code>`)
		write(w, b.Command)
		_, _ = w.WriteString("</code></pre></div>\n")
	}
	return ast.WalkSkipChildren, nil
}

// code writes a code block that is neither a run nor a file block.
func (r labRenderer) code(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<pre><code>")
		write(w, codeText(r.a.doc.linesText(node)))
		_, _ = w.WriteString("</code></pre>\n")
	}
	return ast.WalkSkipChildren, nil
}

// link writes a link with a target that lint accepted, or only its text.
func (r labRenderer) link(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	var title []byte
	if l, ok := node.(*ast.Link); ok {
		title = l.Title
	}
	r.anchor(w, r.a.links[node], title, entering)
	return ast.WalkContinue, nil
}

// image writes an image as a link to it, after a "!": images are not
// shown in the text.
func (r labRenderer) image(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_ = w.WriteByte('!')
	}
	return r.link(w, src, node, entering)
}

// autoLink writes <https://...> and <someone@example.org> as links.
func (r labRenderer) autoLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	plan := r.a.links[node]
	if plan.kind == linkText {
		write(w, "<"+string(n.Label(src))+">")
		return ast.WalkContinue, nil
	}
	r.anchor(w, plan, nil, true)
	write(w, string(n.Label(src)))
	r.anchor(w, plan, nil, false)
	return ast.WalkContinue, nil
}

// anchor writes the opening or closing tag of a link rendered as plan.
func (r labRenderer) anchor(w util.BufWriter, plan linkPlan, title []byte, entering bool) {
	switch {
	case plan.kind == linkText:
	case !entering:
		_, _ = w.WriteString("</a>")
	case plan.kind == linkPort:
		_, _ = w.WriteString(`<a class="port-link" href="#" target="_blank" rel="noopener" data-node="`)
		write(w, plan.node)
		_, _ = w.WriteString(`" data-port="`)
		write(w, plan.port)
		_, _ = w.WriteString(`" data-path="`)
		write(w, plan.path)
		_, _ = w.WriteString(`">`)
	default:
		_, _ = w.WriteString(`<a href="`)
		write(w, plan.href)
		_ = w.WriteByte('"')
		if len(title) > 0 {
			_, _ = w.WriteString(` title="`)
			write(w, string(title))
			_ = w.WriteByte('"')
		}
		if external(plan.href) {
			_, _ = w.WriteString(` target="_blank" rel="noopener noreferrer"`)
		}
		_ = w.WriteByte('>')
	}
}

// rawHTML writes inline raw HTML as text. The parser of language files
// reads none, so this only guards against a change of parser.
func (r labRenderer) rawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := 0; i < segs.Len(); i++ {
			seg := segs.At(i)
			write(w, string(seg.Value(src)))
		}
	}
	return ast.WalkSkipChildren, nil
}

// htmlBlock writes a raw HTML block as a paragraph of text; like rawHTML,
// it only guards against a change of parser.
func (r labRenderer) htmlBlock(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<p>")
		write(w, strings.TrimSuffix(r.a.doc.linesText(node), "\n"))
		_, _ = w.WriteString("</p>\n")
	}
	return ast.WalkSkipChildren, nil
}
