package kcimport

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labplay/playground/labs"
)

// Limits on what an asset may be to travel inside lab.md.
const maxAsset = 128 << 10

// Options says how to convert a scenario.
type Options struct {
	// Slug is the lab's slug; when empty, it comes from Name.
	Slug string
	// Name is the scenario's folder name, which names it in lab.md and
	// gives the slug when Slug is empty.
	Name string
}

// Result is a scenario converted to a lab.
type Result struct {
	Slug     string
	Title    string
	Nodes    int
	Sections []string          // the ids of the sections, in order
	Files    map[string][]byte // lab.md and en.md
	Notes    []Note            // what did not carry over, by file of the scenario
}

// section is one section of the lab being written.
type section struct {
	id, title, body string
	checks          []string // check blocks' scripts
	setups          []setup
}

type setup struct {
	node, script string
	terminal     bool
}

// Convert converts the scenario in the folder fsys. It fails when index.json
// is missing or is not JSON, when the backend is Kubernetes, or when no
// valid slug can be had; files the index names but the folder lacks, and
// whatever else does not convert, are notes of the result.
func Convert(fsys fs.FS, opts Options) (*Result, error) {
	ns := &notes{}
	src, err := fs.ReadFile(fsys, "index.json")
	if err != nil {
		return nil, fmt.Errorf("the scenario has no index.json: %w", err)
	}
	ix, err := parseIndex(src, ns)
	if err != nil {
		return nil, err
	}
	nodes, err := nodesFor(ix.Backend.ImageID, ns)
	if err != nil {
		return nil, err
	}
	slug := opts.Slug
	if slug == "" {
		slug = slugify(opts.Name)
	}
	if !labs.ValidSlug(slug) {
		return nil, fmt.Errorf("%q is not a valid slug (a-z, 0-9 and -, at most 64); give one with --slug", slug)
	}
	title := strings.TrimSpace(ix.Title)
	if title == "" {
		title = slug
		ns.add("index.json", 0, "the scenario has no title; the lab is titled %q", slug)
	}
	r := &reader{fsys: fsys, ns: ns, nodes: nodes, ids: map[string]bool{}}

	var secs []*section
	intro := ix.Details.Intro
	if intro == nil {
		intro = &page{}
	}
	first := r.section(*intro, "intro", "Introduction", "intro")
	if d := strings.TrimSpace(ix.Description); d != "" {
		first.body = strings.TrimSpace(d + "\n\n" + first.body)
	}
	var facts []string
	if d := oneLine(ix.Difficulty); d != "" {
		facts = append(facts, "Level: "+d+".")
	}
	if d := oneLine(ix.Time); d != "" {
		facts = append(facts, "Time: "+d+".")
	}
	if len(facts) > 0 {
		first.body = strings.TrimSpace("*" + strings.Join(facts, " ") + "*\n\n" + first.body)
	}
	if first.body == "" {
		first.body = title + "."
	}
	if len(first.checks) > 0 {
		ns.add(intro.Verify, 0, "the intro's verify script is a check of the first section")
	}
	secs = append(secs, first)
	for i, st := range ix.Details.Steps {
		fallback := "Step " + strconv.Itoa(i+1)
		secs = append(secs, r.section(st, fmt.Sprintf("step %d", i+1), fallback, slugify(st.Title)))
	}
	if ix.Details.Finish != nil {
		secs = append(secs, r.section(*ix.Details.Finish, "finish", "Finish", "finish"))
	}
	first.setups = append(r.assets(ix.Details.Assets), first.setups...)

	res := &Result{Slug: slug, Title: title, Nodes: nodes, Files: map[string][]byte{}}
	for _, s := range secs {
		res.Sections = append(res.Sections, s.id)
	}
	res.Notes = ns.list
	res.Files["en.md"] = []byte(writeText(title, secs))
	res.Files["lab.md"] = []byte(writeMeta(slug, title, opts.Name, nodes, secs, res.Notes))
	return res, nil
}

// reader reads the files of the scenario.
type reader struct {
	fsys  fs.FS
	ns    *notes
	nodes int
	ids   map[string]bool
}

// read returns the text of a file the index names, or "" with a note when
// the folder lacks it or it is not text.
func (r *reader) read(name, what string) (string, bool) {
	if name == "" {
		return "", false
	}
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if !fs.ValidPath(clean) {
		r.ns.add("index.json", 0, "%s %s is outside the scenario's folder; left out", what, name)
		return "", false
	}
	data, err := fs.ReadFile(r.fsys, clean)
	if err != nil {
		r.ns.add(clean, 0, "index.json names this %s, but the folder lacks it; left out", what)
		return "", false
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		r.ns.add(clean, 0, "the %s is not text; left out", what)
		return "", false
	}
	return strings.ReplaceAll(string(data), "\r\n", "\n"), true
}

// section converts a page: its text, its verify script as a check, its
// background script as a hidden setup, its foreground script as a terminal
// setup.
func (r *reader) section(p page, what, fallback, id string) *section {
	title := strings.TrimSpace(p.Title)
	if title == "" {
		title = fallback
	}
	if id == "" {
		id = slugify(fallback)
	}
	base := id
	for n := 2; r.ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	r.ids[id] = true
	s := &section{id: id, title: title}
	if p.Background == "" {
		p.Background = p.CourseData
	}
	if p.Foreground == "" {
		p.Foreground = p.Code
	}
	if text, ok := r.read(p.Text, "text of the "+what); ok {
		s.body = convertText(text, path.Clean(p.Text), title, r.nodes, r.ns)
	}
	if v, ok := r.read(p.Verify, "verify script of the "+what); ok && strings.TrimSpace(v) != "" {
		s.checks = append(s.checks, verifyScript(v, path.Clean(p.Verify), title))
	}
	if b, ok := r.read(p.Background, "background script of the "+what); ok && strings.TrimSpace(b) != "" {
		s.setups = append(s.setups, setup{node: "node1", script: backgroundScript(b, path.Clean(p.Background))})
	}
	if f, ok := r.read(p.Foreground, "foreground script of the "+what); ok && strings.TrimSpace(f) != "" {
		s.setups = append(s.setups, setup{node: "node1", script: foregroundScript(f), terminal: true})
	}
	return s
}

// hostName is an asset's host: host01 is node1.
var hostName = regexp.MustCompile(`^host0*([1-9][0-9]*)$`)

// chmodMode is what an asset's chmod may be.
var chmodMode = regexp.MustCompile(`^([0-7]{3,4}|[ugoa]*[-+=][rwxXst]+)$`)

// assets turns the assets copied to the hosts into hidden setups of the
// first section, which write each file where Killercoda puts it before
// the scenario starts.
func (r *reader) assets(byHost map[string][]asset) []setup {
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var out []setup
	for _, h := range hosts {
		m := hostName.FindStringSubmatch(h)
		n := 0
		if m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		if n < 1 || n > r.nodes {
			r.ns.add("index.json", 0, "the assets of %s are left out: the lab has no such node", h)
			continue
		}
		var script []string
		for _, a := range byHost[h] {
			script = append(script, r.asset(a)...)
		}
		if len(script) > 0 {
			out = append(out, setup{node: "node" + strconv.Itoa(n),
				script: "# The scenario's assets for " + h + ".\n" + strings.Join(script, "\n")})
		}
	}
	return out
}

// asset returns the lines of sh that write the files of one asset entry.
func (r *reader) asset(a asset) []string {
	names, err := fs.Glob(r.fsys, path.Join("assets", a.File))
	if err != nil || len(names) == 0 {
		r.ns.add(path.Join("assets", a.File), 0, "index.json names this asset, but the folder lacks it; left out")
		return nil
	}
	target := a.Target
	if target == "" {
		target = "/root"
	}
	if !path.IsAbs(target) || strings.ContainsAny(target, "'\n") {
		r.ns.add("index.json", 0, "the asset %s has the target %q, which is not an absolute folder; left out", a.File, a.Target)
		return nil
	}
	var lines []string
	for _, name := range names {
		if st, err := fs.Stat(r.fsys, name); err != nil || st.IsDir() {
			continue
		}
		data, err := fs.ReadFile(r.fsys, name)
		switch {
		case err != nil:
			continue
		case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
			r.ns.add(name, 0, "the asset is not text, and a lab carries files as text; left out (copy it to the node another way)")
			continue
		case len(data) > maxAsset:
			r.ns.add(name, 0, "the asset is larger than %d KiB, the most a lab carries; left out", maxAsset>>10)
			continue
		}
		dest := path.Join(target, path.Base(name))
		body := strings.TrimSuffix(string(data), "\n")
		d := delimiter("ASSET", body)
		lines = append(lines, "mkdir -p "+shellQuote(target), "cat > "+shellQuote(dest)+" <<'"+d+"'", body, d)
		if a.Chmod != "" {
			if chmodMode.MatchString(a.Chmod) {
				lines = append(lines, "chmod "+a.Chmod+" "+shellQuote(dest))
			} else {
				r.ns.add("index.json", 0, "the chmod %q of the asset %s is not carried over", a.Chmod, a.File)
			}
		}
	}
	return lines
}

// slugify makes a slug of a name: lower case, a-z and 0-9, runs of other
// characters become one -, at most 64 characters.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 64 {
		s = strings.Trim(s[:64], "-")
	}
	return s
}
