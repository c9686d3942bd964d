// Package sessions holds the domain of the playground: sessions of one to
// five nodes, the learners who own them, their progress through labs, the
// nodes' ports and their shared links, and classrooms with their members
// and instructors. Errors are spoken in package fault's vocabulary.
//
// The work is done in rooms below this one: engine (the Docker Engine API),
// store (Postgres), agent (the program inside every node), manager (the
// lifecycle that ties engine and store together, and the one door through
// which the server reaches a session) and classroom (the rules of classes).
package sessions

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Session statuses.
const (
	StatusStarting = "starting"
	StatusRunning  = "running"
	// StatusPaused is a session whose nodes are stopped and whose disks,
	// network and progress are kept: resuming starts the same nodes again.
	// Its clock stands still meanwhile (see Session.PausedAt).
	StatusPaused = "paused"
	StatusEnded  = "ended"
)

// Node statuses.
const (
	NodeStarting = "starting"
	NodeRunning  = "running"
	NodeStopped  = "stopped"
)

// NodeNames are the nodes of a session without a lab, in order.
var NodeNames = NodeNamesN(DefaultNodes)

// Node counts of a session: a lab declares its own, from 1 to MaxNodes; a
// session without a lab starts with DefaultNodes and may grow to MaxNodes.
const (
	DefaultNodes = 3
	MaxNodes     = 5
)

// NodeNamesN returns node1 to nodeN.
func NodeNamesN(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = "node" + strconv.Itoa(i+1)
	}
	return names
}

// Session is one learner's set of nodes: one to MaxNodes, as many as its
// lab declares, or DefaultNodes to begin with for a session without a lab.
type Session struct {
	ID       string `json:"id"`
	UserID   string `json:"-"`
	Lab      string `json:"lab"`
	Lang     string `json:"lang"`
	Scope    string `json:"-"` // '' or the classroom the session belongs to
	Instance string `json:"-"` // the deployment whose engine runs the nodes
	// ClientAddr is the address the session was asked from; anonymous
	// sessions (no Scope) are capped per address.
	ClientAddr string `json:"-"`
	Subnet     string `json:"-"`
	// Pool is "" for a learner's session; PoolWarming or PoolReady for one
	// of the warm pool, made before anyone asked, and WarmFor the
	// classroom it was made for ("" for the general pool).
	Pool      string    `json:"-"`
	WarmFor   string    `json:"-"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	EndedAt   time.Time `json:"-"`
	// PausedAt is when a paused session was paused, and PausedUntil when
	// it ends if it is still paused then; both are nil unless it is
	// paused. While it is paused its clock stands still: ExpiresAt less
	// PausedAt is the time it has left, and a resume moves ExpiresAt on by
	// the length of the pause.
	PausedAt    *time.Time `json:"paused_at,omitempty"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	// PausedTotal is how long the session has been paused in all, before
	// its current pause; the longest lifetime counts running time only.
	PausedTotal time.Duration `json:"-"`
	Nodes       []Node        `json:"nodes"`
	// Phase says what a session is busy with, for the page to show:
	// PhaseNodes and PhaseEngines while it starts, PhaseImages while its
	// lab's images are copied in; empty otherwise. It is not stored.
	Phase string `json:"phase,omitempty"`
	// EndedBecause, on an ended session, is why when the learner should be
	// told more than "ended": EndedHostServiced, EndedHostLost or
	// EndedNodeLost.
	EndedBecause string `json:"ended_because,omitempty"`
	// ClassCode is, on a class's session that ended with its host, the
	// class's code, for the learner to take their seat again. It is not
	// stored.
	ClassCode string `json:"class_code,omitempty"`
}

// Why an ended session ended, as the page is told (Session.EndedBecause):
// its host was taken out of service (drained), or lost.
const (
	EndedHostServiced = "host_serviced"
	EndedHostLost     = "host_lost"
	EndedNodeLost     = "node_lost"
)

// End reasons the manager records when a session's host goes; they lead
// the stored reason, and EndedBecause reads them back.
const (
	ReasonHostServiced = "host serviced"
	ReasonHostLost     = "host lost"
	ReasonNodeLost     = "node lost"
)

// ErrNodeLost is the cause of a node that stopped and cannot start again:
// on a cluster, a node whose container stopped (it died, or its host
// restarted before the swarm saw it down) has lost its place on the
// session's network. Its session ends as ReasonNodeLost.
var ErrNodeLost = errors.New("the node stopped and cannot start again")

// EndedBecause maps a stored end reason to what the page is told: one of
// the Ended* constants, or "" for any other reason, which stays private.
func EndedBecause(reason string) string {
	switch {
	case strings.HasPrefix(reason, ReasonHostServiced):
		return EndedHostServiced
	case strings.HasPrefix(reason, ReasonHostLost):
		return EndedHostLost
	case strings.HasPrefix(reason, ReasonNodeLost):
		return EndedNodeLost
	}
	return ""
}

// Phases of a session (Session.Phase).
const (
	PhaseNodes   = "nodes"
	PhaseEngines = "engines"
	PhaseImages  = "images"
	// PhaseWaking is a paused session being resumed: its nodes start.
	PhaseWaking = "waking"
	// PhasePausing is a session whose nodes are being stopped.
	PhasePausing = "pausing"
)

// States of a pool session (Session.Pool).
const (
	PoolWarming = "warming"
	PoolReady   = "ready"
)

// Live reports whether the session has not ended; a paused session is live.
func (s *Session) Live() bool { return s.Status != StatusEnded }

// Paused reports whether the session is paused.
func (s *Session) Paused() bool { return s.Status == StatusPaused }

// Node returns the node with the given name, or nil.
func (s *Session) Node(name string) *Node {
	for i := range s.Nodes {
		if s.Nodes[i].Name == name {
			return &s.Nodes[i]
		}
	}
	return nil
}

// Node is one docker-in-docker container of a session.
type Node struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	Status      string `json:"status"`
	ContainerID string `json:"-"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// ValidID reports whether id has the shape of a session or user ID, so that
// malformed IDs are refused before they reach the database.
func ValidID(id string) bool { return idPattern.MatchString(id) }
