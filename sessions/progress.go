package sessions

import "time"

// Section statuses in a learner's progress.
const (
	SectionPending = "pending"
	SectionDone    = "done"
	SectionFailed  = "failed"
)

// SectionProgress is a learner's state in one section of a lab.
type SectionProgress struct {
	Section     string    `json:"id"`
	Title       string    `json:"title,omitempty"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	FirstSeenAt time.Time `json:"first_seen_at,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	Output      string    `json:"output"`
	// Quizzes is the state of the section's quizzes, in order (none when
	// it has none).
	Quizzes []QuizProgress `json:"quizzes,omitempty"`
}

// CheckResult is the outcome of running a section's check on the nodes.
type CheckResult struct {
	Passed bool   `json:"passed"`
	Output string `json:"output"`
	// QuizzesLeft counts the section's quizzes not yet answered right: a
	// section whose checks pass is done only when it is 0.
	QuizzesLeft int `json:"quizzes_left,omitempty"`
}

// InSectionOrder returns one entry per section id, in that order, taken from
// rows; sections without a row are pending.
func InSectionOrder(rows []SectionProgress, sectionIDs []string) []SectionProgress {
	bySection := make(map[string]SectionProgress, len(rows))
	for _, p := range rows {
		bySection[p.Section] = p
	}
	out := make([]SectionProgress, len(sectionIDs))
	for i, id := range sectionIDs {
		p, ok := bySection[id]
		if !ok {
			p = SectionProgress{Section: id, Status: SectionPending}
		}
		out[i] = p
	}
	return out
}

// SectionStart is what opening a section set off: the commands the page
// types into the terminals (the section's terminal setups, the first time
// only), and, when the caller waited for them, how each hidden setup ended.
type SectionStart struct {
	Terminal []NodeCommand `json:"terminal"`
	Setups   []SetupResult `json:"setups,omitempty"`
}

// NodeCommand is a command to type into a node's terminal.
type NodeCommand struct {
	Node    string `json:"node"`
	Command string `json:"command"`
}

// SetupResult says how one hidden setup ended; its output stays in the
// server's log.
type SetupResult struct {
	Section string `json:"section"`
	Node    string `json:"node"`
	Passed  bool   `json:"passed"`
}
