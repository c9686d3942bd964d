package labtest

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// What the table says of a section's checks.
const (
	checkNone    = "-"       // the section has no check, or it was not reached
	checkFailed  = "failed"  // as it should before the section's blocks
	checkPassed  = "passed"  // as it should after them
	checkEarly   = "PASSED"  // a bad check: it passes before the blocks
	checkStill   = "FAILED"  // the section did not do what its check wants
	checkAck     = "ack"     // no check: acknowledged, as Mark as done does
	checkByHand  = "by hand" // a check but no block: the learner does it
	checkSkipped = "not run" // the blocks failed, so the check was not run
	checkError   = "error"   // the server could not run the check
	checkStopped = "stopped" // the run was interrupted
)

// Report is what a run of a lab found, one LangRun per language.
type Report struct {
	Slug  string
	Dir   string   // the lab folder given, or empty for a slug
	Notes []string // remarks on the whole run, such as a folder the server serves another version of
	Runs  []*LangRun
}

// LangRun is the run of the lab in one language, in a session of its own.
type LangRun struct {
	Lang      string
	SessionID string
	URL       string        // the session's page, set when the session is kept
	Cookie    string        // the learner's cookies, which a browser needs to open URL
	Start     time.Duration // how long the session took to start
	Total     time.Duration // the whole run, the session's start included
	Sections  []*SectionResult
	// Failure is what stopped the run before its sections, such as a
	// session that could not start; failures of sections are theirs.
	Failure *Failure
}

// SectionResult is one row of the table: a section and what happened to it.
type SectionResult struct {
	ID       string
	Title    string
	Before   string // what the checks said before the blocks (the check* constants)
	Blocks   int    // the blocks that ran to the end
	Of       int    // the blocks of the section
	After    string // what the checks said after the blocks
	Duration time.Duration
	Note     string   // a remark that is not a failure, such as a section done by hand
	Failure  *Failure // the first thing that went wrong in the section, or nil
}

// Failure says what went wrong in a section (or before the first one): a
// sentence, the check's output when a check is to blame, and the end of the
// terminal of the node concerned.
type Failure struct {
	Lang    string
	Section string // empty when the session could not even start
	Title   string
	Message string
	Output  string // the check's output, or empty
	Node    string // the node whose terminal Tail is, or empty
	Tail    string // the terminal's last lines, ANSI sequences removed
}

// Error gives the whole failure on a few lines: where, what, the check's
// output and the terminal's tail.
func (f *Failure) Error() string {
	var b strings.Builder
	if f.Section == "" {
		fmt.Fprintf(&b, "in %s: %s", f.Lang, f.Message)
	} else {
		fmt.Fprintf(&b, "section %q (%s) in %s: %s", f.Section, f.Title, f.Lang, f.Message)
	}
	if f.Output != "" {
		fmt.Fprintf(&b, "\nthe check says: %s", indent(f.Output))
	}
	if f.Node != "" {
		tail := f.Tail
		if tail == "" {
			tail = "(nothing)"
		}
		fmt.Fprintf(&b, "\nthe end of %s's terminal:\n%s", f.Node, "  "+strings.ReplaceAll(tail, "\n", "\n  "))
	}
	return b.String()
}

// indent indents the lines after the first of s by two spaces.
func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// Failure returns the first failure of the report, in the order of its
// languages and sections, or nil when the lab passed.
func (r *Report) Failure() *Failure {
	for _, run := range r.Runs {
		if run.Failure != nil {
			return run.Failure
		}
		for _, s := range run.Sections {
			if s.Failure != nil {
				return s.Failure
			}
		}
	}
	return nil
}

// WriteTable prints one table per language: a row per section with its
// checks before, the blocks run, its checks after and its seconds, then
// the notes.
func (r *Report) WriteTable(w io.Writer) {
	for _, run := range r.Runs {
		fmt.Fprintf(w, "%s in %s: session %s started in %.1f s, %.1f s in all\n",
			r.Slug, run.Lang, orDash(run.SessionID), run.Start.Seconds(), run.Total.Seconds())
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "  SECTION\tCHECKS BEFORE\tBLOCKS RUN\tCHECKS AFTER\tSECONDS")
		for _, s := range run.Sections {
			blocks := "0"
			if s.Of > 0 {
				blocks = fmt.Sprintf("%d/%d", s.Blocks, s.Of)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.1f\n", s.ID, s.Before, blocks, s.After, s.Duration.Seconds())
		}
		tw.Flush()
		for _, s := range run.Sections {
			if s.Note != "" {
				fmt.Fprintf(w, "  %s: %s\n", s.ID, s.Note)
			}
		}
		if run.URL != "" {
			fmt.Fprintf(w, "  the session is kept: %s\n", run.URL)
			fmt.Fprintf(w, "  it is the session of the learner with the cookie %s: set it for the site in a browser to open the page;\n", run.Cookie)
			fmt.Fprintf(w, "  it ends when it expires, or with curl -X DELETE -H 'Cookie: %s' %s\n", run.Cookie,
				strings.Replace(run.URL, "/s/", "/api/sessions/", 1))
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// orDash returns s, or "-" when s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
