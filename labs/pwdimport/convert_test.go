package pwdimport

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labplay/playground/labs"
)

// convertFile converts a post of testdata.
func convertFile(t *testing.T, name string) *Result {
	t.Helper()
	path := filepath.Join("testdata", name)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Convert(src, Options{Source: path})
	if err != nil {
		t.Fatalf("convert %s: %v", name, err)
	}
	return r
}

// lintResult writes r into a temporary folder and returns the lab as the
// playground loads it, failing on any lint problem.
func lintResult(t *testing.T, r *Result) *labs.Lab {
	t.Helper()
	dir, err := Write(t.TempDir(), r, false)
	if err != nil {
		t.Fatal(err)
	}
	if errs := labs.Lint(os.DirFS(dir), "."); len(errs) > 0 {
		t.Fatalf("the converted lab has lint problems:\n%v\nen.md:\n%s", labs.LintErrors(errs), r.Files["en.md"])
	}
	lab, err := labs.LoadLab(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	return lab
}

// wantContains fails unless text holds every one of parts.
func wantContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q; it is:\n%s", what, p, text)
		}
	}
}

// wantLacks fails if text holds any of parts.
func wantLacks(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(text, p) {
			t.Errorf("%s still holds %q; it is:\n%s", what, p, text)
		}
	}
}

// noteText joins the notes, one a line.
func noteText(r *Result) string {
	var b strings.Builder
	for _, n := range r.Notes {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

func TestConvertVolumesPost(t *testing.T) {
	r := convertFile(t, "2018-03-14-volumes-and-networks.md")
	if r.Slug != "volumes-and-networks" || r.Title != "Volumes and networks: a first look" || r.Nodes != 2 {
		t.Errorf("slug, title, nodes = %q, %q, %d", r.Slug, r.Title, r.Nodes)
	}
	wantSections := []string{"intro", "create-a-volume", "serve-the-volumes-content", "connect-containers-on-a-network", "clean-up"}
	if !slices.Equal(r.Sections, wantSections) {
		t.Errorf("sections = %v, want %v", r.Sections, wantSections)
	}
	wantImages := []string{"alpine:3.19", "nginx:latest", "postgres:16", "redis:latest"}
	if !slices.Equal(r.Images, wantImages) {
		t.Errorf("images = %v, want %v", r.Images, wantImages)
	}

	en := string(r.Files["en.md"])
	wantContains(t, "en.md", en,
		"---\ntitle: Volumes and networks: a first look\n---\n\n# Volumes and networks: a first look {#intro}\n",
		"> **Level**: Beginner. **Time**: 20 minutes.",
		"# Create a volume {#create-a-volume}\n\nFirst make a named volume on the first host:\n\n```run node1\ndocker volume create notes\n```\n",
		// {{ "{{" }} is a literal {{, and Docker's template stays as it is.
		"```run node1\ndocker volume inspect --format '{{ .Mountpoint }}' notes\n```",
		// The raw block's lines go, and {{end}}, a word of Go templates, is
		// no placeholder: it stays as written.
		"```run node2\ndocker inspect --format '{{range .Mounts}}{{.Destination}} {{end}}' web\n```",
		"```run node2\ndocker run -d --name web -p 8080:80 -e NGINX_ENTRYPOINT_QUIET_LOGS=1 nginx\n```",
		"[open the web page](port:node2:8080/)",
		"[status page](port:node2:8080/status)",
		"## What just happened",
		"*(Image: Two hosts sharing a volume)*",
		"Read more in the networking post or in the\n[Docker documentation](https://docs.docker.com/engine/network/).",
		"```yml\nservices:\n  db:\n    image: \"postgres:16\"",
		"**Tip:** volumes outlive",
	)
	wantLacks(t, "en.md", en, "{%", "{:", "<img", ".term", "{{ \"{{\" }}", "data-port", "\n\n\n")

	notes := noteText(r)
	wantContains(t, "notes", notes,
		"line 13: the Liquid tag \"{% include toc.html %}\" has no equivalent in a lab and was dropped",
		"line 19: the image /images/volumes-networks.png, on the old site, was replaced by its alt text",
		"line 47: the kramdown attribute list \"{:.alert .alert-info}\" was dropped",
		"line 96: the link to /networking-intro/ pointed into the old site",
		"the playground will need these images in its registry/engine: alpine:3.19 nginx:latest postgres:16 redis:latest",
	)

	lab := string(r.Files["lab.md"])
	wantContains(t, "lab.md", lab,
		"---\nslug: volumes-and-networks\ntitle: Volumes and networks: a first look\nlanguages: en\nnodes: node1 node2\nimages: alpine:3.19 nginx:latest postgres:16 redis:latest\n---\n",
		"imported from the Play with Docker post\n2018-03-14-volumes-and-networks.md",
		// The post's commands give checks now (infer_test.go has them);
		// the text says so, and the notes name the section left without.
		"No values\nwere generated. The check blocks at the end of this file were inferred",
		"- line 13: the Liquid tag",
		"- no check could be inferred for these sections, which stay done when the\n  learner marks them so: intro\n",
	)
	// The only fenced blocks of lab.md are the inferred checks: no note
	// opens one.
	for _, l := range strings.Split(lab, "\n") {
		if strings.HasPrefix(l, "```") && l != "```" && !strings.HasPrefix(l, "```check ") {
			t.Errorf("lab.md holds the fence %q", l)
		}
	}

	loaded := lintResult(t, r)
	var nodes []string
	for _, s := range loaded.Sections() {
		for _, b := range s.Blocks {
			nodes = append(nodes, b.Node)
		}
	}
	want := []string{"node1", "node1", "node1", "node1", "node2", "node2", "node1", "node1", "node2"}
	if !slices.Equal(nodes, want) {
		t.Errorf("the run blocks run on %v, want %v", nodes, want)
	}
}

func TestConvertSwarmPost(t *testing.T) {
	r := convertFile(t, "2019-07-02-swarm-build-and-ship.md")
	// terms: 1, but the post uses .term3.
	if r.Nodes != 3 {
		t.Errorf("nodes = %d, want 3", r.Nodes)
	}
	// The # heading that repeats the title opens the intro; the two
	// "Start the swarm" headings get distinct ids; {#dockerfile} is kept.
	wantSections := []string{"intro", "dockerfile", "build", "start-the-swarm", "start-the-swarm-2", "run-it-as-a-service"}
	if !slices.Equal(r.Sections, wantSections) {
		t.Errorf("sections = %v, want %v", r.Sections, wantSections)
	}
	// Built and tagged images, variables, scratch and build stages are not
	// listed; docker.io/library/ is dropped.
	wantImages := []string{"golang:1.22", "mtbsoft/myipaddress:latest", "nginx:1.27"}
	if !slices.Equal(r.Images, wantImages) {
		t.Errorf("images = %v, want %v", r.Images, wantImages)
	}
	en := string(r.Files["en.md"])
	wantContains(t, "en.md", en,
		"Write a Dockerfile, build it on one node and run it as a service across three.",
		"See the [reference](https://docs.docker.com/reference/dockerfile/) for more, and /extra.",
		"```dockerfile\nFROM golang:1.22 AS build\n```",
		"1. Build and tag the image:\n\n    ```run node1\n    docker build -t hi:1.0 .\n",
		"```run node3\ndocker swarm join --token <TOKEN> <IP>:2377\n```",
		"'{{.Hostname}}: {{if .ManagerStatus}}manager{{ else }} worker{{end}}'",
		// An else with spaces on both sides cannot be guarded: shown code.
		"```run node1\ndocker node ls --format '{{if .ManagerStatus}}m {{ else }} w{{end}}'\n```",
		"```\necho there is no seventh node\n```",
		"Shown only on some pages.",
		"\nOpen it.\n",
	)
	wantLacks(t, "en.md", en, "{%", "{:", "<!--", "Reviewer", "* TOC", "site.baseurl", "[docs]:")
	wantContains(t, "notes", noteText(r),
		"line 10: the post says terms: 1 but uses terminal 3: the lab has 3 nodes",
		"line 14: the kramdown table of contents",
		"line 16: the heading \"Build an image and ship it to a swarm\" repeats the post's title",
		"line 19: the Liquid output \"{{ site.baseurl }}\" has no equivalent",
		"line 21: an HTML comment was dropped",
		"line 45: tables are not supported",
		"line 93: a .term7 block cannot run",
		"line 97: the Liquid tag \"{% if page.extra %}\"",
		"line 109: the port link to port 8000 of terminal 9 cannot be written",
		"images named through variables cannot be listed in lab.md: $IMAGE",
		"builds or tags these images itself, so they are not listed in lab.md: hi:1.0, registry.example.com:5000/team/hi:1.0",
	)
	lab := lintResult(t, r)
	// The blocks inside the numbered list are run blocks too.
	build, _ := lab.Section("build")
	if len(build.Blocks) != 2 || build.Blocks[1].Command != "docker run --rm hi:1.0" {
		t.Errorf("the build section's run blocks: %+v", build.Blocks)
	}
	swarm, _ := lab.Section("start-the-swarm-2")
	if len(swarm.Blocks) != 2 {
		t.Errorf("start-the-swarm-2 has %d run blocks, want 2 (the .term7 block is shown code)", len(swarm.Blocks))
	}
}

func TestConvertEdgeCases(t *testing.T) {
	cases := []struct {
		name, post string
		sections   []string
		nodes      int
		want       []string // in en.md
		notes      []string
	}{
		{
			name:     "no front matter and no headings",
			post:     "Just run this:\n\n```.term1\ndocker run hello-world\n```\n",
			sections: []string{"intro"}, nodes: 1,
			want:  []string{"# sample {#intro}\n\nJust run this:\n\n```run node1\ndocker run hello-world\n```\n"},
			notes: []string{"no Jekyll front matter", "the post has no title"},
		},
		{
			name:     "terms above five",
			post:     "---\ntitle: Many\nterms: 8\n---\n## One\n\n```.term2\nls\n```\n",
			sections: []string{"one"}, nodes: 5,
			want:  []string{"# One {#one}\n\n```run node2\nls\n```"},
			notes: []string{"line 3: the post asks for 8 terminals, but a lab has at most 5 nodes"},
		},
		{
			name:     "deep headings are shifted and flattened",
			post:     "---\ntitle: Deep\n---\n# A\n## B\n### C\n#### D\n##### E\n# F #\n",
			sections: []string{"a", "f"}, nodes: 1,
			want:  []string{"# A {#a}\n\n## B\n### C\n#### D\n#### E\n\n# F {#f}\n"},
			notes: []string{"line 8: a heading 4 levels below the sections became a heading ####"},
		},
		{
			name:     "accents, punctuation and empty ids",
			post:     "---\ntitle: T\n---\n## Café & crème\n\ntext\n\n## ???\n\nmore\n\n## `docker ps` **now** {: .x}\n",
			sections: []string{"cafe-creme", "section", "docker-ps-now"}, nodes: 1,
			want:  []string{"# Café & crème {#cafe-creme}", "# ??? {#section}", "# docker ps now {#docker-ps-now}"},
			notes: []string{"line 12: the kramdown attribute list"},
		},
		{
			name: "highlight, comment and unclosed blocks",
			post: "---\ntitle: T\nterms: 2\n---\n{% comment %}\nhidden\n{% endcomment %}\nshown\n\n{% highlight bash %}\necho hi\n{% endhighlight %}\n\n" +
				"{::comment}\ngone\n{:/comment}\n\n```.term2\ndocker pull busybox\n",
			sections: []string{"intro"}, nodes: 2,
			want:  []string{"shown\n\n```bash\necho hi\n```\n\n```run node2\ndocker pull busybox\n```"},
			notes: []string{"a kramdown {::comment} block was dropped", "this code block is never closed"},
		},
		{
			name:     "html is reduced to Markdown",
			post:     "---\ntitle: T\n---\n<div class=\"x\">\n<b>bold</b> and <a href=\"https://example.com/\">a link</a><br>\n</div>\n<img src=\"https://example.com/a.png\">\n",
			sections: []string{"intro"}, nodes: 1,
			want:  []string{"**bold** and [a link](https://example.com/)\n[Image: image](https://example.com/a.png)"},
			notes: []string{"line 4: the HTML \"<div class=\\\"x\\\">\" was dropped", "the image https://example.com/a.png became a link"},
		},
		{
			name:     "code spans and run blocks are left alone",
			post:     "---\ntitle: T\n---\nType `<div>{:x}` here.\n\n```.term1\necho '<b>{:.x}</b> [a](/b)'\n```\n",
			sections: []string{"intro"}, nodes: 1,
			want: []string{"Type `<div>{:x}` here.", "```run node1\necho '<b>{:.x}</b> [a](/b)'\n```"},
		},
		{
			name:     "an indented fence outside a list moves to the margin",
			post:     "---\ntitle: T\n---\nRun:\n\n    ```.term1\n    ls\n      -l\n    ```\n",
			sections: []string{"intro"}, nodes: 1,
			want: []string{"Run:\n\n```run node1\nls\n  -l\n```"},
		},
		{
			name:     "setext headings and indented code",
			post:     "---\ntitle: T\n---\nFirst\n=====\n\nSay:\n\n    echo one\n\n    echo two\n\nSub\n---\n\nSecond\n======\n\n- item\n\n    more of the item\n",
			sections: []string{"first", "second"}, nodes: 1,
			want: []string{"# First {#first}\n\nSay:\n\n```\necho one\n\necho two\n```\n\n## Sub\n\n# Second {#second}\n\n- item\n\n    more of the item\n"},
		},
		{
			name:     "links across lines, and notes on the right line",
			post:     "---\ntitle: T\n---\nNow [open the\nweb page](/){:data-term=\".term1\"}{:data-port=\"80\"} and\nsee ![x](/images/x.png) <img\nsrc=\"/y.png\"> too.\n",
			sections: []string{"intro"}, nodes: 1,
			want:  []string{"Now [open the\nweb page](port:node1:80/) and\nsee *(Image: x)*\n too."},
			notes: []string{"line 6: the image /images/x.png", "line 6: the image /y.png, on the old site and without alt text"},
		},
		{
			name:     "a byte order mark and Windows line endings",
			post:     "\ufeff---\r\ntitle: 'It''s here'\r\n---\r\n```.term1\r\nls\r\n```\r\n",
			sections: []string{"intro"}, nodes: 1,
			want: []string{"title: It's here\n---\n\n# It's here {#intro}\n\n```run node1\nls\n```\n"},
		},
		{
			name:     "headings that take the id intro",
			post:     "---\ntitle: T\n---\nBefore.\n\n# Intro\n\n# Next {#intro}\n",
			sections: []string{"intro-3", "intro", "intro-2"}, nodes: 1,
			want: []string{"# T {#intro-3}\n\nBefore.\n\n# Intro {#intro}\n\n# Next {#intro-2}\n"},
		},
		{
			name:     "an empty post",
			post:     "---\ntitle: Nothing\n---\n",
			sections: []string{"intro"}, nodes: 1,
			want:  []string{"# Nothing {#intro}\n"},
			notes: []string{"the post has no text"},
		},
		{
			name:     "info strings that mean something else in a lab",
			post:     "---\ntitle: T\n---\n```node1\nx\n```\n",
			sections: []string{"intro"}, nodes: 1,
			want:  []string{"```\nx\n```"},
			notes: []string{"the code block's info string \"node1\" means something else"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Convert([]byte(tc.post), Options{Source: "2020-01-01-sample.md"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Sections, tc.sections) || r.Nodes != tc.nodes {
				t.Errorf("sections %v, nodes %d; want %v, %d", r.Sections, r.Nodes, tc.sections, tc.nodes)
			}
			wantContains(t, "en.md", string(r.Files["en.md"]), tc.want...)
			wantContains(t, "notes", noteText(r), tc.notes...)
			lintResult(t, r)
		})
	}
}

func TestConvertRefusesBadInput(t *testing.T) {
	if _, err := Convert([]byte("\xff\xfe"), Options{Slug: "x"}); err == nil {
		t.Error("a post that is not UTF-8 converted")
	}
	if _, err := Convert([]byte("text"), Options{Slug: "Bad Slug"}); err == nil {
		t.Error("an invalid --slug was accepted")
	}
	if _, err := Convert([]byte("text"), Options{Source: "2017-01-01-.md"}); err == nil {
		t.Error("a file name that gives no slug was accepted")
	}
}
