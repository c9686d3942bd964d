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
}

// CheckResult is the outcome of running a section's check on the nodes.
type CheckResult struct {
	Passed bool   `json:"passed"`
	Output string `json:"output"`
}
