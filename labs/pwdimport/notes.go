package pwdimport

import (
	"fmt"
	"strings"
)

// Note is one thing of the post that the conversion could not carry over
// as it was written, located by its line in the post.
type Note struct {
	// Line is the 1-based line of the post, or 0 when the note concerns
	// the whole post.
	Line int `json:"line"`
	// Text says what was changed or dropped, in one sentence.
	Text string `json:"text"`
}

// String formats the note as "line N: text", or as the text alone for a
// note about the whole post.
func (n Note) String() string {
	if n.Line <= 0 {
		return n.Text
	}
	return fmt.Sprintf("line %d: %s", n.Line, n.Text)
}

// notes collects the notes of one conversion, each once.
type notes struct {
	list []Note
	seen map[Note]bool
}

// add records a note about line n. Line breaks in the text become spaces,
// so that every note holds on one line.
func (ns *notes) add(n int, format string, args ...any) {
	text := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	note := Note{Line: n, Text: text}
	if ns.seen == nil {
		ns.seen = map[Note]bool{}
	}
	if ns.seen[note] {
		return
	}
	ns.seen[note] = true
	ns.list = append(ns.list, note)
}

// quote shortens s for a note and puts it in quotes.
func quote(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return fmt.Sprintf("%q", s)
}
