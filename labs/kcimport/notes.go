package kcimport

import (
	"fmt"
	"strings"
)

// Note is one thing of the scenario that did not carry over as it was
// written, located by its file in the scenario (and line, when known).
type Note struct {
	File string `json:"file"` // relative to the scenario's folder
	Line int    `json:"line"` // 1-based; 0 for the whole file
	Text string `json:"text"` // what was changed or dropped, in one sentence
}

// String formats the note as "file:line: text" or "file: text".
func (n Note) String() string {
	if n.Line <= 0 {
		return fmt.Sprintf("%s: %s", n.File, n.Text)
	}
	return fmt.Sprintf("%s:%d: %s", n.File, n.Line, n.Text)
}

// notes collects the notes of one conversion, each once.
type notes struct {
	list []Note
	seen map[Note]bool
}

// add records a note about line n of file.
func (ns *notes) add(file string, n int, format string, args ...any) {
	note := Note{File: file, Line: n, Text: strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")}
	if ns.seen == nil {
		ns.seen = map[Note]bool{}
	}
	if !ns.seen[note] {
		ns.seen[note] = true
		ns.list = append(ns.list, note)
	}
}
