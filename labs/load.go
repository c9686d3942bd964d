package labs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// maxFileSize bounds the size of every file of a lab.
const maxFileSize = 1 << 20

// Lint checks the lab in the folder dir of fsys and returns every problem it
// finds, ordered by file and line. A lab without problems loads and renders.
func Lint(fsys fs.FS, dir string) []LintError {
	_, errs := loadLab(fsys, dir)
	return errs
}

// LoadLab reads the lab in the folder dir of fsys. When the lab has
// problems, the error is a LintErrors that lists them.
func LoadLab(fsys fs.FS, dir string) (*Lab, error) {
	lab, errs := loadLab(fsys, dir)
	if len(errs) > 0 {
		return nil, LintErrors(errs)
	}
	return lab, nil
}

// loadLab reads, checks and renders a lab; it returns a lab only when there
// are no problems.
func loadLab(fsys fs.FS, dir string) (*Lab, []LintError) {
	var errs []LintError
	file := func(name string) problems { return problems{file: path.Join(dir, name), errs: &errs} }
	metaFile := file("lab.md")
	src, ok := readSource(fsys, metaFile)
	if !ok {
		return nil, errs
	}
	version := sha256.New()
	hashFile(version, "lab.md", src)
	m := parseMeta(src, metaFile)
	if base := path.Base(dir); base != "." && m.slug != "" && base != m.slug {
		metaFile.add(m.slugLine, "slug %q differs from the name of the lab's folder, %q", m.slug, base)
	}
	var nodes map[string]bool
	if len(m.nodes) > 0 {
		nodes = map[string]bool{}
		for _, n := range m.nodes {
			nodes[n] = true
		}
	}
	checkStrayFiles(fsys, dir, m, metaFile)

	lab := &Lab{Slug: m.slug, Title: m.title, Langs: m.langs, Nodes: m.nodes, Images: m.images,
		Level: m.level, Minutes: m.minutes, dir: dir, rendered: map[string]*Rendered{}}
	texts := map[string]*text{}
	blockLines := map[string][][]int{}
	for _, lang := range m.langs {
		p := file(lang + ".md")
		if _, err := fs.Stat(fsys, p.file); err != nil {
			metaFile.add(m.langsLine, "language %s is listed but %s is missing", lang, p.file)
			continue
		}
		src, ok := readSource(fsys, p)
		if !ok {
			continue
		}
		hashFile(version, lang+".md", src)
		t := parseText(src, p, nodes)
		texts[lang] = t
		title := t.title
		if title == "" {
			title = m.title
		}
		sections, lines := t.render()
		lab.rendered[lang] = &Rendered{Slug: m.slug, Title: title, Lang: lang, Langs: m.langs, Sections: sections}
		blockLines[lang] = lines
	}
	if len(m.langs) > 0 && texts[m.langs[0]] != nil {
		crossCheck(lab, m, texts, blockLines, file)
	}
	sortErrors(errs)
	if len(errs) > 0 {
		return nil, errs
	}
	lab.version = hex.EncodeToString(version.Sum(nil))[:16]
	lab.index(m)
	lab.indexQuizzes(texts)
	return lab, nil
}

// hashFile adds a file of a lab to the hash of its version.
func hashFile(h hash.Hash, name, src string) {
	fmt.Fprintf(h, "%s %d\n%s", name, len(src), src)
}

// readSource reads a lab file, refusing files that are too large, not UTF-8
// or that hold NUL bytes.
func readSource(fsys fs.FS, p problems) (string, bool) {
	data, err := fs.ReadFile(fsys, p.file)
	if err != nil {
		p.add(0, "cannot read the file: %v", unwrapPath(err))
		return "", false
	}
	if len(data) > maxFileSize {
		p.add(0, "the file is larger than %d bytes", maxFileSize)
		return "", false
	}
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				p.add(bytes.Count(data[:i], []byte("\n"))+1, "the file is not valid UTF-8 text")
				break
			}
			i += size
		}
		return "", false
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		p.add(bytes.Count(data[:i], []byte("\n"))+1, "the file holds a NUL byte")
		return "", false
	}
	return string(data), true
}

// unwrapPath drops the path from a file system error, which the lint error
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkStrayFiles reports Markdown files that are neither lab.md nor a
// language of the lab, such as a translation not listed in languages.
func checkStrayFiles(fsys fs.FS, dir string, m *meta, metaFile problems) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return
	}
	known := map[string]bool{"lab.md": true}
	for _, lang := range m.langs {
		known[lang+".md"] = true
	}
	for _, e := range entries {
		// Hidden files are editors' (Emacs locks a file being edited as
		// .#en.md), not the lab's.
		if name := e.Name(); !e.IsDir() && strings.HasSuffix(name, ".md") && !known[name] && !strings.HasPrefix(name, ".") {
			p := problems{file: path.Join(dir, name), errs: metaFile.errs}
			p.add(0, "not a language of the lab: add %s to languages: in lab.md, or remove the file",
				strings.TrimSuffix(name, ".md"))
		}
	}
}

// index fills the lookup tables of a lab that passed lint.
func (l *Lab) index(m *meta) {
	l.checks = map[string][]Check{}
	for _, c := range m.checks {
		l.checks[c.Section] = append(l.checks[c.Section], c)
	}
	l.setups = map[string][]Setup{}
	for _, s := range m.setups {
		l.setups[s.Section] = append(l.setups[s.Section], s)
	}
	l.values = map[string]Value{}
	for _, v := range m.values {
		l.values[v.Name] = v
	}
	l.blocks = map[string]RunBlock{}
	for lang, r := range l.rendered {
		r.Version = l.version
		for i := range r.Sections {
			s := &r.Sections[i]
			s.HasCheck = len(l.checks[s.ID]) > 0
			s.HasSetup = len(l.setups[s.ID]) > 0
			if lang == l.Langs[0] {
				l.sections = append(l.sections, Section{ID: s.ID, Title: s.Title, Blocks: s.Blocks, HasCheck: s.HasCheck, HasSetup: s.HasSetup})
				for _, b := range s.Blocks {
					l.blocks[b.ID] = b
				}
			}
		}
	}
}
