package labs

import (
	"fmt"
	"sort"
	"strings"
)

// LintError is one problem found in a lab, located by file and line.
type LintError struct {
	// File is the path of the file, relative to the file system that was
	// linted (for example "docker-orchestration/en.md").
	File string `json:"file"`
	// Line is the 1-based line of the problem, or 0 when it concerns the
	// whole file (a missing file, for example).
	Line int `json:"line"`
	// Message says what is wrong, in a sentence an instructor can act on.
	Message string `json:"message"`
}

// Error formats the problem as "file:line: message".
func (e LintError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Message)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// LintErrors is the error returned when a lab does not load; it lists every
// problem found.
type LintErrors []LintError

// Error returns one "file:line: message" per line.
func (errs LintErrors) Error() string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// problems collects the lint errors of one file.
type problems struct {
	file string
	errs *[]LintError
}

// add records a problem at line n.
func (p problems) add(n int, format string, args ...any) {
	*p.errs = append(*p.errs, LintError{File: p.file, Line: n, Message: fmt.Sprintf(format, args...)})
}

// sortErrors orders errors by file, then line, keeping the order of errors
// found on the same line.
func sortErrors(errs []LintError) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].File != errs[j].File {
			return errs[i].File < errs[j].File
		}
		return errs[i].Line < errs[j].Line
	})
}
