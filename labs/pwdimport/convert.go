package pwdimport

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/labplay/playground/labs"
)

// Options says how to convert a post.
type Options struct {
	// Slug is the lab's slug. When empty, it is derived from Source.
	Slug string
	// Source is the file name of the post. It names the post in lab.md and
	// gives the slug when Slug is empty.
	Source string
}

// Result is a post converted to a lab.
type Result struct {
	Slug   string   // the lab's slug, the name of its folder
	Title  string   // the lab's title
	Nodes  int      // the number of nodes, node1 to nodeN
	Images []string // the images listed in lab.md
	// Sections holds the ids of the sections of en.md, in order.
	Sections []string
	// Files maps the names of the lab's files, lab.md and en.md, to their
	// content.
	Files map[string][]byte
	// Checks holds the checks inferred from the commands of the sections,
	// in the order of the sections, written at the end of lab.md.
	Checks []Check
	// Quizzes counts the {:.quiz} lists that became quizzes.
	Quizzes int
	// Notes lists what the conversion could not carry over as it was, in
	// the order of the post.
	Notes []Note
}

// Convert converts the Play with Docker post src to a lab. It fails only
// when the post is not UTF-8 text or no valid slug can be had; everything
// else that does not convert is reported in the result's notes.
func Convert(src []byte, opts Options) (*Result, error) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a byte order mark
	if !utf8.Valid(src) {
		return nil, fmt.Errorf("the post is not UTF-8 text")
	}
	slug := opts.Slug
	if slug == "" {
		var err error
		if slug, err = SlugFromFile(opts.Source); err != nil {
			return nil, err
		}
	}
	if err := CheckSlug(slug); err != nil {
		return nil, err
	}
	ns := &notes{}
	p, body := parsePost(labs.SplitLines(string(src)), ns)
	title := strings.Join(strings.Fields(p.title), " ")
	if title == "" {
		title = strings.ReplaceAll(slug, "-", " ")
		ns.add(0, "the post has no title: the lab is called %q; change it in lab.md and en.md", title)
	}
	lq := &liquid{ns: ns}
	body = lq.run(body)

	c := newConverter(ns, title)
	c.introMeta(p)
	c.convert(body)
	sections := c.finish()

	r := &Result{Slug: slug, Title: title, Nodes: nodeCount(p, c.maxTerm, ns), Quizzes: c.quizzes}
	r.Images = findImages(c.blocks, ns)
	for _, s := range sections {
		r.Sections = append(r.Sections, s.id)
	}
	var without []string
	r.Checks, without = inferChecks(sections, c.blocks)
	if len(without) > 0 && len(r.Checks) > 0 {
		ns.add(0, "no check could be inferred for these sections, which stay done when the learner marks them so: %s", strings.Join(without, ", "))
	}
	if len(r.Checks) == 0 {
		ns.add(0, "no check could be inferred from the post's commands: every section is done when the learner marks it so")
	}
	source := filepath.Base(opts.Source)
	if source == "." || source == "" {
		source = "an unnamed post"
	}
	r.Notes = sortNotes(ns.list)
	r.Files = map[string][]byte{
		"lab.md": []byte(labFile(r, source)),
		"en.md":  []byte(textFile(title, sections)),
	}
	return r, nil
}

// nodeCount returns how many nodes the lab gets: the post's terms, at
// least the highest terminal it uses, from 1 to labs.MaxNodes.
func nodeCount(p post, maxTerm int, ns *notes) int {
	n := max(p.terms, maxTerm, 1)
	if p.terms > labs.MaxNodes {
		ns.add(p.termsLine, "the post asks for %d terminals, but a lab has at most %d nodes", p.terms, labs.MaxNodes)
	}
	if p.terms < 1 && p.termsLine > 0 {
		ns.add(p.termsLine, "terms: %d is fewer than one terminal: the lab has %d node(s)", p.terms, min(n, labs.MaxNodes))
	}
	if p.terms > 0 && maxTerm > p.terms {
		ns.add(p.termsLine, "the post says terms: %d but uses terminal %d: the lab has %d nodes", p.terms, maxTerm, maxTerm)
	}
	return min(n, labs.MaxNodes)
}

// introMeta starts the intro with the post's excerpt, level and time.
func (c *converter) introMeta(p post) {
	if p.excerpt != "" {
		c.emit(c.inline(strings.Join(strings.Fields(p.excerpt), " "), lineNums{p.excerptLine}))
		c.emit("")
	}
	var facts []string
	if d := strings.TrimSpace(p.difficulty); d != "" {
		facts = append(facts, "**Level**: "+d+".")
	}
	if t := strings.TrimSpace(p.time); t != "" {
		facts = append(facts, "**Time**: "+t+".")
	}
	if len(facts) > 0 {
		c.emit("> " + strings.Join(facts, " "))
		c.emit("")
	}
}

// finish returns the sections that hold text, with their blank lines
// tidied: none at either end, and never two in a row outside code.
func (c *converter) finish() []*section {
	var out []*section
	for i, s := range c.sections {
		s.lines = tidy(s.lines)
		if i == 0 && len(s.lines) == 0 && len(c.sections) > 1 {
			continue // no text before the first heading
		}
		if i == 0 {
			s.id = c.uniqueID("intro")
		}
		out = append(out, s)
	}
	if len(out) == 1 && len(out[0].lines) == 0 {
		c.ns.add(0, "the post has no text: the lab has one empty section")
	}
	return out
}

// tidy drops blank lines at both ends of lines and merges runs of blank
// lines outside fenced blocks.
func tidy(lines []string) []string {
	var out []string
	fence := ""
	for _, l := range lines {
		if m := fencePattern.FindStringSubmatch(l); m != nil {
			switch {
			case fence == "":
				fence = m[2]
			case strings.HasPrefix(m[2], fence[:1]) && len(m[2]) >= len(fence) && labs.IsBlank(m[3]):
				fence = ""
			}
		}
		if labs.IsBlank(l) && fence == "" && (len(out) == 0 || labs.IsBlank(out[len(out)-1])) {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && labs.IsBlank(out[len(out)-1]) {
		out = out[:len(out)-1]
	}
	return out
}

// findImages returns the images that the lab's blocks need, noting those
// that cannot be listed.
func findImages(blocks []codeBlock, ns *notes) []string {
	f := &imageFinder{}
	for _, b := range blocks {
		lang := strings.ToLower(strings.Fields(b.info + " x")[0])
		if b.node > 0 || lang == "bash" || lang == "sh" || lang == "shell" || lang == "console" {
			f.script(b.content)
		}
		f.dockerfile(b.content)
		f.compose(b.content)
	}
	if len(f.dynamic) > 0 {
		ns.add(0, "images named through variables cannot be listed in lab.md: %s", strings.Join(f.dynamic, ", "))
	}
	if len(f.bad) > 0 {
		ns.add(0, "these words stand where an image would, but are no image reference; they were not listed: %s", strings.Join(f.bad, ", "))
	}
	if len(f.built) > 0 {
		ns.add(0, "the lab builds or tags these images itself, so they are not listed in lab.md: %s", strings.Join(f.built, ", "))
	}
	if len(f.opaque) > 0 {
		ns.add(0, "the post runs %s, which read files that the post may not show: add the images of those files to images: in lab.md", strings.Join(f.opaque, " and "))
	}
	images := f.needed()
	if len(images) > 0 {
		ns.add(0, "the playground will need these images in its registry/engine: %s; no image is there offline unless it was built or pulled on the host (docker pull them on the server's engine before it starts)", strings.Join(images, " "))
	}
	return images
}
