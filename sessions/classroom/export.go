package classroom

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVHeader is the first line of a classroom's CSV export.
var CSVHeader = []string{"learner", "joined_at", "last_activity_at", "session_status",
	"section", "section_title", "status", "attempts", "first_attempt_at", "last_attempt_at", "completed_at", "hint", "quiz"}

// WriteCSV writes one row per learner and section, in the order of the
// learners and of the lab, after CSVHeader; each section's row is followed
// by one row per quiz of the section, which names the quiz in the last
// column and gives its status and the answers it took (up to the first
// right one) as attempts, its other cells of times and hint empty. Times are RFC 3339 in UTC, empty
// when they never happened. Cells that a spreadsheet would take for a
// formula are quoted with a leading apostrophe.
func WriteCSV(w io.Writer, sections []SectionInfo, learners []*Learner) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	titles := make(map[string]string, len(sections))
	for _, s := range sections {
		titles[s.ID] = s.Title
	}
	for _, l := range learners {
		for _, s := range l.Sections {
			row := []string{safeCell(l.Name), stamp(l.JoinedAt), stamp(l.LastActivityAt), l.SessionStatus,
				s.ID, safeCell(titles[s.ID]), s.Status, strconv.Itoa(s.Attempts),
				stamp(s.FirstSeenAt), stamp(s.UpdatedAt), stamp(s.CompletedAt), safeCell(s.Hint), ""}
			if err := cw.Write(row); err != nil {
				return err
			}
			for _, q := range s.Quizzes {
				row := []string{safeCell(l.Name), stamp(l.JoinedAt), stamp(l.LastActivityAt), l.SessionStatus,
					s.ID, safeCell(titles[s.ID]), q.Status, strconv.Itoa(q.Attempts), "", "", "", "", q.ID}
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// stamp formats a time for the export, or "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// safeCell defuses text that spreadsheets would evaluate as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
