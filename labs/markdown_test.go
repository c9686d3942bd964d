package labs

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
)

// renderBody renders src as the body of a section "s" of a lab whose only
// node is node1.
func renderBody(t *testing.T, src string) (string, []RunBlock, []LintError) {
	t.Helper()
	var errs []LintError
	p := problems{file: "en.md", errs: &errs}
	doc := parseMarkdown(bodySource(SplitLines(src)))
	a := newAnalyzer(doc, p, map[string]bool{"node1": true})
	var nodes []ast.Node
	for n := doc.root.FirstChild(); n != nil; n = n.NextSibling() {
		nodes = append(nodes, n)
	}
	blocks, _ := a.section("s", nodes)
	return a.render(nodes), blocks, errs
}

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"paragraph", "one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>"},
		{"emphasis", "*a* **b** ***c*** _d_ __e__", "<p><em>a</em> <strong>b</strong> <em><strong>c</strong></em> <em>d</em> <strong>e</strong></p>"},
		{"nested emphasis", "**bold *and* more**", "<p><strong>bold <em>and</em> more</strong></p>"},
		{"underscores inside words", "use worker_join and node2_id_x", "<p>use worker_join and node2_id_x</p>"},
		{"unclosed emphasis", "2 * 3 and *open", "<p>2 * 3 and *open</p>"},
		{"code span", "run `docker ps -a` now", "<p>run <code>docker ps -a</code> now</p>"},
		{"code span with backtick", "`` a`b ``", "<p><code>a`b</code></p>"},
		{"code span hides emphasis", "`*x*` and `<b>`", "<p><code>*x*</code> and <code>&lt;b&gt;</code></p>"},
		{"code span over a line break", "`docker node\nls`", "<p><code>docker node ls</code></p>"},
		{"unclosed code span", "a `b", "<p>a `b</p>"},
		{"backslash escapes", `\*not\* \_em\_ \[x\]`, "<p>*not* _em_ [x]</p>"},
		{"link", "see [the *docs*](https://docs.docker.com/engine/swarm/)", `<p>see <a href="https://docs.docker.com/engine/swarm/" target="_blank" rel="noopener noreferrer">the <em>docs</em></a></p>`},
		{"anchor link", "[back](#swarm)", `<p><a href="#swarm">back</a></p>`},
		{"relative link", "[img](files/a.png)", `<p><a href="files/a.png">img</a></p>`},
		{"link with code", "[`x`](https://e.org)", `<p><a href="https://e.org" target="_blank" rel="noopener noreferrer"><code>x</code></a></p>`},
		{"not a link", "[a] (b) [c](d e)", "<p>[a] (b) [c](d e)</p>"},
		{"escaping", `<script>alert("x&y")</script>`, "<p>&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;</p>"},
		{"headings", "## Two\n### Three\n#### Four ####", "<h2>Two</h2>\n<h3>Three</h3>\n<h4>Four</h4>"},
		{"not a heading", "#hashtag and ####### seven", "<p>#hashtag and ####### seven</p>"},
		{"rule", "a\n\n---\n\n* * *", "<p>a</p>\n<hr>\n<hr>"},
		{"bullet list", "- a\n- b *c*\n+ other", "<ul>\n<li>a</li>\n<li>b <em>c</em></li>\n</ul>\n<ul>\n<li>other</li>\n</ul>"},
		{"ordered list", "3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>"},
		{"nested list", "1. a\n   - b\n   - c\n2. d", "<ol>\n<li>a\n<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ol>"},
		{"loose list", "- a\n\n- b\n\n  more", "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n<p>more</p>\n</li>\n</ul>"},
		{"lazy continuation", "- a\nstill a\n\nafter", "<ul>\n<li>a\nstill a</li>\n</ul>\n<p>after</p>"},
		{"list ends a paragraph", "intro:\n- a", "<p>intro:</p>\n<ul>\n<li>a</li>\n</ul>"},
		{"quote", "> **Note**\n>\n> - x\n> - y\n\nout", "<blockquote>\n<p><strong>Note</strong></p>\n<ul>\n<li>x</li>\n<li>y</li>\n</ul>\n</blockquote>\n<p>out</p>"},
		{"plain code", "```\na <b> & c\n\n  indented\n```", "<pre><code>a &lt;b&gt; &amp; c\n\n  indented</code></pre>"},
		{"tilde fence with info", "~~~ {.highlight}\n```\n~~~", "<pre><code>```</code></pre>"},
		{"fence hides markdown", "```\n# not a heading\n- not a list\n```", "<pre><code># not a heading\n- not a list</code></pre>"},
		{"indented fence", "  ```\n  x\n   y\n  ```", "<pre><code>x\n y</code></pre>"},
		{"tabs and CRLF", "-\tA\r\n-\tB\r\n", "<ul>\n<li>A</li>\n<li>B</li>\n</ul>"},
		{"deeply nested list", "- a\n  1. b\n     - c *d*\n  2. e\n- f",
			"<ul>\n<li>a\n<ol>\n<li>b\n<ul>\n<li>c <em>d</em></li>\n</ul>\n</li>\n<li>e</li>\n</ol>\n</li>\n<li>f</li>\n</ul>"},
		{"table", "| Node | Role |\n|:-----|-----:|\n| `node1` | **manager** |\n| node2 | worker \\| x |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">Node</th>\n<th align=\"right\">Role</th>\n</tr>\n</thead>\n<tbody>\n" +
				"<tr>\n<td align=\"left\"><code>node1</code></td>\n<td align=\"right\"><strong>manager</strong></td>\n</tr>\n" +
				"<tr>\n<td align=\"left\">node2</td>\n<td align=\"right\">worker | x</td>\n</tr>\n</tbody>\n</table>"},
		{"strikethrough", "~~old~~ new, ~also~", "<p><del>old</del> new, <del>also</del></p>"},
		{"hard line break", "one  \ntwo\\\nthree", "<p>one<br>\ntwo<br>\nthree</p>"},
		{"setext heading", "Two\n---", "<h2>Two</h2>"},
		{"indented code", "text\n\n    <b>code</b>\n", "<p>text</p>\n<pre><code>&lt;b&gt;code&lt;/b&gt;</code></pre>"},
		{"autolinks", "<https://docs.docker.com> and <me@example.org>",
			`<p><a href="https://docs.docker.com" target="_blank" rel="noopener noreferrer">https://docs.docker.com</a> and <a href="mailto:me@example.org">me@example.org</a></p>`},
		{"entities", "&copy; &lt;b&gt; &amp;", "<p>© &lt;b&gt; &amp;</p>"},
		{"image is a link", "![the diagram](files/d.png)", `<p>!<a href="files/d.png">the diagram</a></p>`},
		{"link title", `[docs](https://e.org "The docs")`, `<p><a href="https://e.org" title="The docs" target="_blank" rel="noopener noreferrer">docs</a></p>`},
		{"code with a language", "```yaml\nkey: <v>\n```", "<pre><code>key: &lt;v&gt;</code></pre>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, errs := renderBody(t, tt.src)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if got != tt.want {
				t.Fatalf("render(%q)\n got: %q\nwant: %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRenderRunBlocks(t *testing.T) {
	src := "Do this:\n\n```run node1\necho <hi> && ls {{.ID}}\n```\n\n- in a list:\n\n  ```run node1\n  {{value}}\n  ```\n\n```sh\nplain\n```"
	got, blocks, errs := renderBody(t, src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := `<div class="run-block" data-block="s-1" data-node="node1"><div class="run-node">node1</div><pre><code>echo &lt;hi&gt; &amp;&amp; ls {{.ID}}</code></pre></div>`
	if !strings.Contains(got, want) {
		t.Fatalf("no run block markup in\n%s", got)
	}
	if !strings.Contains(got, `data-block="s-2"`) || !strings.HasSuffix(got, "<pre><code>plain</code></pre>") {
		t.Fatalf("second run block or plain block missing in\n%s", got)
	}
	if len(blocks) != 2 || blocks[0].Command != "echo <hi> && ls {{.ID}}" || blocks[1] != (RunBlock{ID: "s-2", Node: "node1", Command: "{{value}}"}) {
		t.Fatalf("blocks: %+v", blocks)
	}
}

func TestRenderRefusesUnsafeLinks(t *testing.T) {
	for _, target := range []string{"javascript:alert%281%29", "JavaScript:x", "data:text/html,x", "//evil.example/x", "vbscript:x",
		"javascript&#58;x", "&#106;avascript:x", "<java script:x>", "<//evil.example>", "\\//evil.example"} {
		for _, src := range []string{"line one\n[click](" + target + ")", "line one\n![click](" + target + ")",
			"line one\n[click][r]\n\n[r]: " + target} {
			got, _, errs := renderBody(t, src)
			if strings.Contains(got, "href") || !strings.Contains(got, "click") {
				t.Errorf("%s: rendered %q", src, got)
			}
			if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Message, "link target") {
				t.Errorf("%s: errors %v, want one on line 2", src, errs)
			}
		}
	}
	for _, auto := range []string{"<javascript:alert(1)>", "<JAVASCRIPT:x>", "<data:text/html,x>", "<vbscript:x>"} {
		got, _, errs := renderBody(t, "line one\n"+auto)
		if strings.Contains(got, "href") || !strings.Contains(got, "&lt;") {
			t.Errorf("%s: rendered %q", auto, got)
		}
		if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Message, "link target") {
			t.Errorf("%s: errors %v, want one on line 2", auto, errs)
		}
	}
}

func TestRenderRawHTMLIsText(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"block", "<div onclick=\"steal()\">\n<script>alert(1)</script>\n</div>",
			"<p>&lt;div onclick=&quot;steal()&quot;&gt;\n&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;/div&gt;</p>"},
		{"inline", "a <b onmouseover=x>bold</b> <img src=x onerror=y> b",
			"<p>a &lt;b onmouseover=x&gt;bold&lt;/b&gt; &lt;img src=x onerror=y&gt; b</p>"},
		{"comment", "<!-- note -->", "<p>&lt;!-- note --&gt;</p>"},
		{"in a list", "- <iframe src=x></iframe>", "<ul>\n<li>&lt;iframe src=x&gt;&lt;/iframe&gt;</li>\n</ul>"},
		{"in a table", "| a |\n|---|\n| <script>x</script> |",
			"<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>&lt;script&gt;x&lt;/script&gt;</td>\n</tr>\n</tbody>\n</table>"},
	}
	for _, tt := range tests {
		got, _, errs := renderBody(t, tt.src)
		if got != tt.want || len(errs) != 0 {
			t.Errorf("%s: render(%q)\n got: %q\nwant: %q\nerrors: %v", tt.name, tt.src, got, tt.want, errs)
		}
	}
}

func TestRenderAttributesAreText(t *testing.T) {
	got, _, errs := renderBody(t, "## Title {#x .c onclick=alert(1)}\n\nText {.big}\n{onclick=y}\n\n```run node1 {onclick=z}\nls\n```")
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "exactly one node") {
		t.Errorf("errors %v, want one about the run block's header", errs)
	}
	want := "<h2>Title {#x .c onclick=alert(1)}</h2>\n<p>Text {.big}\n{onclick=y}</p>"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "id=") || strings.Contains(got, `class="c`) {
		t.Errorf("rendered %q", got)
	}
}

func TestRenderFileBlocks(t *testing.T) {
	src := "```run node1\nls\n```\n\n- Write it:\n\n  ```file node1 compose.yaml\n  services:\n    web:\n      image: \"labplay/<web>\"   \n  {{who}}\n\n\n  ```\n\n```file node1 /etc/empty\n```"
	got, blocks, errs := renderBody(t, src)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	content := "services:\n  web:\n    image: \"labplay/<web>\"   \n{{who}}\n"
	want := []RunBlock{
		{ID: "s-1", Node: "node1", Command: "ls"},
		{ID: "s-2", Node: "node1", Command: content, Path: "compose.yaml"},
		{ID: "s-3", Node: "node1", Command: "", Path: "/etc/empty"},
	}
	if len(blocks) != len(want) {
		t.Fatalf("blocks %+v", blocks)
	}
	for i := range want {
		if blocks[i] != want[i] {
			t.Errorf("block %d: %+v, want %+v", i, blocks[i], want[i])
		}
	}
	markup := `<div class="file-block" data-block="s-2" data-node="node1" data-path="compose.yaml"><div class="file-head"><span class="run-node">node1</span> <span class="file-path">compose.yaml</span></div>` +
		`<pre><code>services:
  web:
    image: &#34;labplay/&lt;web&gt;&#34;   
{{who}}
</code></pre></div>`
	if !strings.Contains(got, markup) {
		t.Errorf("no file block markup in\n%s", got)
	}
	if !strings.Contains(got, `data-block="s-3" data-node="node1" data-path="/etc/empty">`) {
		t.Errorf("no empty file block in\n%s", got)
	}
}

func TestRenderFileBlockErrors(t *testing.T) {
	tests := []struct{ info, content, want string }{
		{"file", "x", "one node and one path"},
		{"file node1", "x", "one node and one path"},
		{"file node1 my file.txt", "x", "one node and one path"},
		{"file node7 a.txt", "x", `node "node7", which is not among`},
		{"file node1 ../etc/passwd", "x", "has a .. segment"},
		{"file node1 /root/a/../../etc/passwd", "x", "has a .. segment"},
		{"file node1 ~/a.txt", "x", "starts with ~"},
		{"file node1 /etc/", "x", "names a folder"},
		{"file node1 /" + strings.Repeat("a", maxFilePath), "x", "at most 4096 bytes"},
		{"file node1 big.txt", strings.Repeat("0123456789abcde\n", maxFileContent/16+1), "at most 262144"},
	}
	for _, tt := range tests {
		src := "Intro.\n\n> quoted:\n>\n> ```" + tt.info + "\n> " + strings.ReplaceAll(strings.TrimSuffix(tt.content, "\n"), "\n", "\n> ") + "\n> ```\n"
		got, _, errs := renderBody(t, src)
		if len(errs) != 1 || errs[0].Line != 5 || !strings.Contains(errs[0].Message, tt.want) {
			t.Errorf("%.40s: errors %v, want one on line 5 with %q", tt.info, errs, tt.want)
		}
		if strings.Count(got, "<") != strings.Count(got, ">") {
			t.Errorf("%.40s: rendered %.200q", tt.info, got)
		}
	}
	if _, _, errs := renderBody(t, "```file node1 a.txt\nx\n"); len(errs) != 1 || !strings.Contains(errs[0].Message, "never closed") {
		t.Errorf("unclosed file block: %v", errs)
	}
}

func TestRenderLongParagraphIsAnError(t *testing.T) {
	for name, src := range map[string]string{
		"brackets":  "Intro.\n\n" + strings.Repeat("[a](", 100000),
		"backticks": "Intro.\n\n" + strings.Repeat("\\``", 100000),
		"heading":   "Intro.\n\n## " + strings.Repeat("[a](", 100000),
		"lines":     "Intro.\n\n" + strings.Repeat("[x]: y\n", 2000),
		"bytes":     "Intro.\n\n" + strings.Repeat("word ", 20000),
	} {
		_, _, errs := renderBody(t, src)
		if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "paragraph is too long") {
			t.Errorf("%s: errors %v", name, errs)
		}
	}
}

func TestRenderDeepNestingIsAnError(t *testing.T) {
	got, _, errs := renderBody(t, strings.Repeat(">", 50)+" deep")
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "nested") {
		t.Fatalf("errors %v", errs)
	}
	if strings.Count(got, "<blockquote>") > maxDepth+1 {
		t.Fatalf("rendered %d quotes", strings.Count(got, "<blockquote>"))
	}
	// A file of a million > is refused too, without a parse that takes
	// minutes (a time that would grow with the square of the depth).
	for _, src := range []string{strings.Repeat(">", 1<<20), strings.Repeat("> - ", 1<<18)} {
		if _, _, errs := renderBody(t, src); len(errs) != 1 || !strings.Contains(errs[0].Message, "nested") {
			t.Fatalf("errors %v", errs)
		}
	}
	if _, _, errs := renderBody(t, "- a\n  - b\n    > c\n    > - d"); len(errs) != 0 {
		t.Fatalf("four levels: %v", errs)
	}
}

func TestRenderLinkTargetsWithParentheses(t *testing.T) {
	// CommonMark lets a link target hold balanced parentheses, so this is
	// a link to javascript:alert(1), which lint refuses.
	got, _, errs := renderBody(t, "[click](javascript:alert(1))")
	if strings.Contains(got, "href") || len(errs) != 1 || !strings.Contains(errs[0].Message, "link target") {
		t.Fatalf("rendered %q with errors %v", got, errs)
	}
}

func TestRenderPortLinks(t *testing.T) {
	got, _, errs := renderBody(t, "Open [the app](port:node1:8080/hello?x=1) now.")
	want := `<a class="port-link" href="#" target="_blank" rel="noopener" data-node="node1" data-port="8080" data-path="/hello?x=1">the app</a>`
	if len(errs) != 0 || !strings.Contains(got, want) {
		t.Errorf("rendered %q, errors %v; want %s", got, errs, want)
	}
	if got, _, _ := renderBody(t, "[root](port:node1:80)"); !strings.Contains(got, `data-path="/"`) {
		t.Errorf("a port link without a path: %q", got)
	}
	if got, _, errs := renderBody(t, "<port:node1:8080/x>"); len(errs) != 0 || !strings.Contains(got, `data-port="8080" data-path="/x">port:node1:8080/x</a>`) {
		t.Errorf("a port autolink: %q, errors %v", got, errs)
	}
	for _, bad := range []string{"port:node1:0", "port:node1:70000", "port:web:80", "port:node1:80/a\"b", "port:node1", "port:node2:80"} {
		got, _, errs := renderBody(t, "[x]("+bad+")")
		if strings.Contains(got, "port-link") || len(errs) != 1 || !strings.Contains(errs[0].Message, "port link") {
			t.Errorf("%s: rendered %q, errors %v", bad, got, errs)
		}
	}
}
