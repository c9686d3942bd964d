package labs

import (
	"slices"
	"time"
)

// Limits on the timeout of a setup script, which may install or start
// something and so gets longer than a check.
const (
	DefaultSetupTimeout = time.Minute
	MaxSetupTimeout     = 10 * time.Minute
)

// Setup prepares a section before the learner works on it. It is written
// in lab.md as
//
//	```setup SECTION NODE [timeout=2m]
//	```setup SECTION NODE terminal
//
// A hidden setup (the first form) runs with sh on Node, as the node's root,
// the first time the section is opened in a session; its output is logged
// by the server and never shown. A terminal setup (with the word terminal)
// is typed into Node's terminal instead, once, where the learner sees it run.
// Hidden setups are never sent to clients; terminal setups only when they
// are to be typed. See the manager's StartSection for when setups run.
type Setup struct {
	Section  string
	Node     string
	Script   string
	Timeout  time.Duration // hidden setups only
	Terminal bool

	line int // line of the block in lab.md
}

// Setups returns the setups of a section, in the order of lab.md.
func (l *Lab) Setups(sectionID string) []Setup {
	return slices.Clone(l.setups[sectionID])
}
