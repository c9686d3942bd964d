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
	doc := parseMarkdown(bodySource(splitLines(src)))
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
	for _, target := range []string{"javascript:alert%281%29", "JavaScript:x", "data:text/html,x", "//evil.example/x", "vbscript:x"} {
		got, _, errs := renderBody(t, "line one\n[click]("+target+")")
		if strings.Contains(got, "href") || !strings.Contains(got, "click") {
			t.Errorf("%s: rendered %q", target, got)
		}
		if len(errs) != 1 || errs[0].Line != 2 || !strings.Contains(errs[0].Message, "link target") {
			t.Errorf("%s: errors %v, want one on line 2", target, errs)
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
	for _, bad := range []string{"port:node1:0", "port:node1:70000", "port:web:80", "port:node1:80/a\"b", "port:node1"} {
		got, _, errs := renderBody(t, "[x]("+bad+")")
		if strings.Contains(got, "port-link") || len(errs) != 1 || !strings.Contains(errs[0].Message, "port link") {
			t.Errorf("%s: rendered %q, errors %v", bad, got, errs)
		}
	}
}
