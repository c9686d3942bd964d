package kcimport

import (
	"strings"
)

// writeText writes en.md: a section per page, under its heading and id.
func writeText(title string, secs []*section) string {
	var b strings.Builder
	b.WriteString("---\ntitle: " + oneLine(title) + "\n---\n")
	for _, s := range secs {
		b.WriteString("\n# " + oneLine(s.title) + " {#" + s.id + "}\n\n")
		if s.body != "" {
			b.WriteString(s.body + "\n")
		}
	}
	return b.String()
}

// writeMeta writes lab.md: the front matter, the notes for the author, and
// the checks and setups.
func writeMeta(slug, title, name string, nodes int, secs []*section, ns []Note) string {
	var b strings.Builder
	list := make([]string, nodes)
	for i := range list {
		list[i] = "node" + string(rune('1'+i))
	}
	b.WriteString("---\nslug: " + slug + "\ntitle: " + oneLine(title) + "\nlanguages: en\nnodes: " +
		strings.Join(list, " ") + "\nimages:\n---\n\n")
	b.WriteString("Imported from the Killercoda scenario " + name + " by playground lab import-killercoda.\n")
	b.WriteString("List in images: the images its commands pull, so that they work offline.\n")
	if len(ns) > 0 {
		b.WriteString("\nWhat did not carry over as it was:\n\n")
		for _, n := range ns {
			b.WriteString("- " + n.String() + "\n")
		}
	}
	for _, s := range secs {
		for _, su := range s.setups {
			opts := " timeout=5m"
			if su.terminal {
				opts = " terminal"
			}
			b.WriteString("\n" + fenceFor(su.script) + "setup " + s.id + " " + su.node + opts + "\n" + su.script + "\n" + fenceFor(su.script) + "\n")
		}
		for _, c := range s.checks {
			b.WriteString("\n" + fenceFor(c) + "check " + s.id + " node1 timeout=30s\n" + c + "\n" + fenceFor(c) + "\n")
		}
	}
	return b.String()
}

// oneLine keeps a title on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
