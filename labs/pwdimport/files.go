package pwdimport

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// labFile writes lab.md: the front matter, and a note for instructors that
// says where the lab comes from, what to do next, and what the conversion
// changed.
func labFile(r *Result, source string) string {
	var b strings.Builder
	nodes := make([]string, r.Nodes)
	for i := range nodes {
		nodes[i] = "node" + strconv.Itoa(i+1)
	}
	fmt.Fprintf(&b, "---\nslug: %s\ntitle: %s\nlanguages: en\nnodes: %s\nimages: %s\n---\n\n",
		r.Slug, r.Title, strings.Join(nodes, " "), strings.Join(r.Images, " "))
	intro := "No checks or values were generated: every section is done when the learner marks it so, " +
		"until you add check blocks here (see \"Writing a lab\" in the README)."
	if len(r.Checks) > 0 {
		intro = "No values were generated. The check blocks at the end of this file were inferred from " +
			"what the post's commands do: each starts with a comment, \"# Inferred by lab import-pwd\", " +
			"that names the command it comes from. Read them, and change or delete them as you see fit. " +
			"A section without a check is done when the learner marks it so (see \"Writing a lab\" in the README)."
	}
	b.WriteString(wrap(fmt.Sprintf("This lab was imported from the Play with Docker post %s by "+
		"playground lab import-pwd. %s Read en.md through, and run its commands, before "+
		"you give the lab to a class.", source, intro)))
	if len(r.Notes) > 0 {
		b.WriteString("\nWhat the conversion changed or dropped, by line of the post:\n\n")
		for _, n := range r.Notes {
			b.WriteString(wrapItem(n.String()))
		}
	}
	if len(r.Checks) > 0 {
		b.WriteString("\nThe checks inferred from the post's commands, by section:\n")
	}
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "\n```check %s %s\n%s\n```\n", c.Section, c.Node, c.Script())
	}
	return b.String()
}

// textFile writes en.md: its front matter, then the sections.
func textFile(title string, sections []*section) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %s\n---\n", title)
	for _, s := range sections {
		fmt.Fprintf(&b, "\n# %s {#%s}\n", s.title, s.id)
		if len(s.lines) > 0 {
			b.WriteString("\n" + strings.Join(s.lines, "\n") + "\n")
		}
	}
	return b.String()
}

// wrap fills text into lines of at most 76 characters, ending with a
// line break.
func wrap(text string) string {
	return fill(strings.Fields(text), "", "")
}

// wrapItem fills text as a list item "- ...", its continuation lines
// indented.
func wrapItem(text string) string {
	return fill(strings.Fields(text), "- ", "  ")
}

// fill writes words into lines of at most 76 characters, the first
// starting with first and the others with rest. Words are never split,
// and no line starts with a fence's backticks or tildes.
func fill(words []string, first, rest string) string {
	var b strings.Builder
	lineLen := 0
	for i, w := range words {
		switch {
		case i == 0:
			b.WriteString(first)
			lineLen = len(first)
		case lineLen+1+len(w) > 76 && !strings.HasPrefix(w, "```") && !strings.HasPrefix(w, "~~~"):
			b.WriteString("\n" + rest)
			lineLen = len(rest)
		default:
			b.WriteByte(' ')
			lineLen++
		}
		b.WriteString(w)
		lineLen += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}

// sortNotes orders notes by line, the notes about the whole post last,
// keeping the order of notes on the same line.
func sortNotes(list []Note) []Note {
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b Note) int {
		ka, kb := a.Line, b.Line
		if ka <= 0 {
			ka = 1 << 30
		}
		if kb <= 0 {
			kb = 1 << 30
		}
		return ka - kb
	})
	return out
}
