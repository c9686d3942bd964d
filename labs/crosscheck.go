package labs

import (
	"fmt"
	"slices"
	"strings"
)

// crossCheck checks what ties the files of a lab together: every language
// has the sections, run blocks and file blocks of the default one, checks
// name existing sections, and run blocks use only defined values, which are
// all used. File blocks use no values: their content is written as it is.
func crossCheck(lab *Lab, m *meta, texts map[string]*text, blockLines map[string][][]int, file func(string) problems) {
	defLang := m.langs[0]
	def := lab.rendered[defLang]
	defFile := defLang + ".md"
	ids := sectionIDs(def.Sections)
	for _, lang := range m.langs[1:] {
		r, ok := lab.rendered[lang]
		if !ok {
			continue
		}
		compareLanguage(def, r, texts[lang], blockLines[lang], defFile, file(lang+".md"))
		if t := texts[lang]; slices.Equal(sectionIDs(def.Sections), sectionIDs(r.Sections)) {
			for i, s := range t.sections {
				compareQuizzes(s.id, s.quizzes, texts[defLang].sections[i].quizzes, s.line, defFile, file(lang+".md"))
			}
		}
	}

	metaFile := file("lab.md")
	for _, c := range m.checks {
		if !slices.Contains(ids, c.Section) {
			metaFile.add(c.line, "check for section %q, which %s does not have (sections: %s)",
				c.Section, defFile, strings.Join(ids, ", "))
		}
	}
	for _, s := range m.setups {
		if !slices.Contains(ids, s.Section) {
			metaFile.add(s.line, "setup for section %q, which %s does not have (sections: %s)",
				s.Section, defFile, strings.Join(ids, ", "))
		}
	}
	used := map[string]bool{}
	values := map[string]bool{}
	for _, v := range m.values {
		values[v.Name] = true
	}
	p := file(defFile)
	for i, s := range def.Sections {
		for j, b := range s.Blocks {
			if b.Path != "" {
				continue
			}
			for _, name := range Placeholders(b.Command) {
				used[name] = true
				if !values[name] {
					p.add(blockLines[defLang][i][j], "run block uses {{%s}}, but lab.md defines no value %s", name, name)
				}
			}
		}
	}
	for _, v := range m.values {
		if !used[v.Name] {
			metaFile.add(v.line, "value %q is not used by any run block", v.Name)
		}
	}
}

// compareLanguage reports where the rendered language r differs from the
// default language def in its sections, run blocks or file blocks.
func compareLanguage(def, r *Rendered, t *text, lines [][]int, defFile string, p problems) {
	want, got := sectionIDs(def.Sections), sectionIDs(r.Sections)
	if !slices.Equal(want, got) {
		i := 0
		for i < len(want) && i < len(got) && want[i] == got[i] {
			i++
		}
		at := 0
		if i < len(t.sections) {
			at = t.sections[i].line
		} else if len(t.sections) > 0 {
			at = t.sections[len(t.sections)-1].line
		}
		p.add(at, "section %d is %s here but %s in %s: every language has the same sections in the same order (%s)",
			i+1, describe(got, i), describe(want, i), defFile, strings.Join(want, ", "))
		return
	}
	for i, s := range r.Sections {
		ds := def.Sections[i]
		runs, files := countBlocks(s.Blocks)
		defRuns, defFiles := countBlocks(ds.Blocks)
		switch {
		case runs != defRuns:
			p.add(t.sections[i].line, "section %q has %d run blocks here but %d in %s", s.ID, runs, defRuns, defFile)
			continue
		case files != defFiles:
			p.add(t.sections[i].line, "section %q has %d file blocks here but %d in %s", s.ID, files, defFiles, defFile)
			continue
		}
		for j, b := range s.Blocks {
			compareBlock(b, ds.Blocks[j], lines[i][j], defFile, p)
		}
	}
}

// countBlocks returns how many run blocks and file blocks bs holds.
func countBlocks(bs []RunBlock) (runs, files int) {
	for _, b := range bs {
		if b.Path != "" {
			files++
		} else {
			runs++
		}
	}
	return runs, files
}

// compareBlock reports where block b, on line n, differs from d, the block
// with the same id in the default language.
func compareBlock(b, d RunBlock, n int, defFile string, p problems) {
	what := "run block"
	if b.Path != "" {
		what = "file block"
	}
	switch {
	case (b.Path != "") != (d.Path != ""):
		p.add(n, "block %s is a %s here but not in %s: blocks come in the same order in every language", b.ID, what, defFile)
	case b.Node != d.Node:
		p.add(n, "%s %s runs on %s here but on %s in %s", what, b.ID, b.Node, d.Node, defFile)
	case b.Path != d.Path:
		p.add(n, "file block %s writes %s here but %s in %s", b.ID, b.Path, d.Path, defFile)
	case b.Command != d.Command:
		p.add(n, "%s %s differs from the one in %s: %ss are the same in every language", what, b.ID, defFile, what)
	}
}

// sectionIDs returns the ids of sections.
func sectionIDs(sections []RenderedSection) []string {
	ids := make([]string, len(sections))
	for i, s := range sections {
		ids[i] = s.ID
	}
	return ids
}

// describe names the i-th of ids for an error message.
func describe(ids []string, i int) string {
	if i < len(ids) {
		return fmt.Sprintf("%q", ids[i])
	}
	return "missing"
}
