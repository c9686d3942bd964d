package sessions

import "time"

// Kinds of what a classroom's instructor does to the class, recorded in
// the event log beside the learners' progress.
const (
	ActionExtend       = "extend"
	ActionMessage      = "message"
	ActionResetNode    = "reset_node"
	ActionResetSession = "reset_session"
	ActionPause        = "pause"
	ActionResume       = "resume"
)

// Action is one thing an instructor did to a class or to one learner.
type Action struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	// Learner names the learner's seat (Member.ID) and Name their display
	// name; both are empty for an action on the whole class.
	Learner   string    `json:"learner,omitempty"`
	Name      string    `json:"name,omitempty"`
	SessionID string    `json:"session_id,omitempty"`
	Node      string    `json:"node,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	At        time.Time `json:"at"`
}

// ClassMessage is a message from the instructor to every learner of a
// class: plain text, shown on their pages until each dismisses it.
type ClassMessage struct {
	ID   int64     `json:"id"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}
