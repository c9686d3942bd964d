package server

import (
	"context"
	"io"
	"net"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/classroom"
	"github.com/labplay/playground/sessions/manager"
)

// The server's edge: what its handlers ask of the rooms behind it, as
// small interfaces. sessions/manager and sessions/classroom satisfy them;
// a test may give a fake where the real one needs what it cannot have (a
// Docker engine). Who may touch a session is decided behind these
// interfaces, never here: every method that takes a user id answers only
// that user's sessions, and another's, like an unknown one, is ENOTFOUND.
// Errors are in package fault's vocabulary.

// Lifecycle starts, lists, changes and ends a learner's sessions.
type Lifecycle interface {
	// Config returns the manager's limits (per address, per host).
	Config() manager.Config
	// Create starts a session; a full host answers EFULL.
	Create(ctx context.Context, req manager.NewSession) (*sessions.Session, error)
	// Get returns one of the user's sessions.
	Get(ctx context.Context, userID, id string) (*sessions.Session, error)
	// Refresh updates the status of a live session's nodes.
	Refresh(ctx context.Context, s *sessions.Session)
	// List returns the user's live sessions.
	List(ctx context.Context, userID string) ([]*sessions.Session, error)
	// Delete ends one of the user's sessions.
	Delete(ctx context.Context, userID, id string) error
	// Extend adds time to one of the user's sessions.
	Extend(ctx context.Context, userID, id string) (*sessions.Session, error)
	// Pause stops the nodes of one of the user's sessions and keeps their
	// disks; Resume starts them again (a full host answers EFULL).
	Pause(ctx context.Context, userID, id string) (*sessions.Session, error)
	Resume(ctx context.Context, userID, id string) (*sessions.Session, error)
	// AddNode, RemoveNode and RestartNode change the nodes of one of the
	// user's sessions.
	AddNode(ctx context.Context, userID, id string) (*sessions.Session, error)
	RemoveNode(ctx context.Context, userID, id, name string) (*sessions.Session, error)
	RestartNode(ctx context.Context, userID, id, name string) (*sessions.Session, error)
}

// Labwork checks a session's lab and keeps its progress. The session is
// one the caller was given by Get.
type Labwork interface {
	// Progress returns the learner's progress through the session's lab.
	Progress(ctx context.Context, s *sessions.Session, lab *labs.Lab) ([]sessions.SectionProgress, error)
	// ResetProgress starts the learner's progress in the lab over.
	ResetProgress(ctx context.Context, s *sessions.Session) error
	// Check runs a section's checks in the nodes and records the outcome.
	Check(ctx context.Context, s *sessions.Session, lab *labs.Lab, section string, auto bool) (sessions.CheckResult, error)
	// Answer grades and records an answer to a quiz of the lab.
	Answer(ctx context.Context, s *sessions.Session, lab *labs.Lab, quiz string, a labs.Answer) (sessions.QuizResult, error)
	// Resolve returns the node and the command of a run block.
	Resolve(ctx context.Context, s *sessions.Session, lab *labs.Lab, blockID string) (node, command string, err error)
	// StartSection runs a section's setups the first time it is opened in
	// the session, and returns what the page types into the terminals.
	StartSection(ctx context.Context, s *sessions.Session, lab *labs.Lab, section string, wait bool) (sessions.SectionStart, error)
}

// Files moves files between a browser and a node of the user's session.
type Files interface {
	// WriteFile uploads content to path in a node.
	WriteFile(ctx context.Context, userID, id, nodeName, path string, size int64, content io.Reader) (sessions.FileInfo, error)
	// ReadFile describes a file of a node and returns a function that
	// copies it out.
	ReadFile(ctx context.Context, userID, id, nodeName, path string) (sessions.FileInfo, func(io.Writer) error, error)
}

// Ports reaches the nodes' ports and keeps their shared links.
type Ports interface {
	// Ports and PortShares answer for a session the caller was given by
	// Get or by the classroom rules' Watch.
	Ports(ctx context.Context, s *sessions.Session) []manager.NodePorts
	PortShares(ctx context.Context, s *sessions.Session) ([]sessions.PortShare, error)
	// DialPort connects to a port of a container of a sessions.Port.
	DialPort(ctx context.Context, containerID string, port int) (net.Conn, error)
	// SharePort and UnsharePort act on a port of the user's session.
	SharePort(ctx context.Context, userID, id, node, port string) (*sessions.PortShare, error)
	UnsharePort(ctx context.Context, userID, id, node, port string) error
	// SharedPort returns the port a shared link opens.
	SharedPort(ctx context.Context, token string) (sessions.Port, error)
	// PortOf returns a port of any live session, for the holder of a port
	// host's cookie, which the server signed and checked.
	PortOf(ctx context.Context, id, node, port string) (sessions.Port, error)
}

// Terminals attaches to the shells of a session's nodes.
type Terminals interface {
	// Attach attaches to a terminal of a node of a session the caller was
	// given by Get or by the classroom rules' Watch.
	Attach(ctx context.Context, s *sessions.Session, node string, a manager.Attachment) (*manager.Terminal, error)
}

// Seats makes sessions ready before a classroom's learners join.
type Seats interface {
	// ReadySeats asks for n sessions of a classroom to be made ready.
	ReadySeats(ctx context.Context, classroomID string, n int) error
	// SeatsReady says how many are asked for and how many are ready.
	SeatsReady(ctx context.Context, classroomID string) (wanted, ready int, err error)
}

// Readiness says whether the database and the engine answer.
type Readiness interface {
	// Ping returns the database's error and the engine's, or nil.
	Ping(ctx context.Context) (dbErr, engineErr error)
}

// Manager is everything the handlers ask of the session manager.
type Manager interface {
	Lifecycle
	Labwork
	Files
	Ports
	Terminals
	Seats
	Readiness
}

// Classrooms is what the handlers ask of the classroom rules and the
// instructor accounts (sessions/classroom satisfies it). Methods that take
// an instructor id answer only that instructor's classrooms.
type Classrooms interface {
	// Create opens a classroom for the instructor.
	Create(ctx context.Context, instructorID string, req classroom.NewClassroom) (*sessions.Classroom, error)
	// List, Get and Close act on the instructor's own classrooms.
	List(ctx context.Context, instructorID string) ([]*sessions.Classroom, error)
	Get(ctx context.Context, instructorID, id string) (*sessions.Classroom, error)
	Close(ctx context.Context, instructorID, id string) (*sessions.Classroom, int, error)
	// Sections and Learners make a classroom's report.
	Sections(c *sessions.Classroom) ([]classroom.SectionInfo, error)
	Learners(ctx context.Context, c *sessions.Classroom, userIDs []string) ([]*classroom.Learner, error)
	// Lookup and Join are a learner's, with a classroom's code.
	Lookup(ctx context.Context, code, userID string) (*sessions.Classroom, *sessions.Member, error)
	Join(ctx context.Context, code, userID, name string) (*classroom.Joined, error)
	// CodeFor is the code of the open class a learner's session is in.
	CodeFor(ctx context.Context, sess *sessions.Session) (string, error)
	// Watch returns a learner's session for the instructor of its
	// classroom; anyone else gets ENOTFOUND.
	Watch(ctx context.Context, instructorID, sessionID string) (*sessions.Session, error)
	// Login, Authenticate and Logout keep instructors' logins.
	Login(ctx context.Context, email, password string) (string, *sessions.Instructor, error)
	Authenticate(ctx context.Context, token string) (*sessions.Instructor, error)
	Logout(ctx context.Context, token string) error
	// Learners' links to continue on another browser (devices.go).
	DeviceLinks
	// What an instructor does to a class, and what a learner's page
	// shows of it (instructor_actions.go).
	InstructorActions
}

// InstructorActions is what a classroom's instructor does to the class
// (sessions/classroom, actions.go), and what a learner's page is told of
// it. Methods that take an instructor id act only on that instructor's
// open classrooms (others are ENOTFOUND); learnerID is a seat's id as the
// dashboard knows it, "" for every learner.
type InstructorActions interface {
	Extend(ctx context.Context, instructorID, classID, learnerID string, minutes int) ([]classroom.Outcome, error)
	Message(ctx context.Context, instructorID, classID, text string) (*sessions.ClassMessage, error)
	// Reset gives a learner a fresh node, or all fresh nodes with node "".
	Reset(ctx context.Context, instructorID, classID, learnerID, node string) (*sessions.Session, error)
	// Pause pauses, or resumes, the class; classroom.ErrNoPause while
	// sessions cannot pause (CanPause).
	Pause(ctx context.Context, instructorID, classID string, resume bool) ([]classroom.Outcome, error)
	CanPause() bool
	// Actions lists the instructor's latest actions on a classroom.
	Actions(ctx context.Context, c *sessions.Classroom, limit int) ([]sessions.Action, error)
	// News and Dismiss are a learner's, for a session Get returned.
	News(ctx context.Context, s *sessions.Session) (*classroom.LearnerNews, error)
	Dismiss(ctx context.Context, s *sessions.Session, messageID int64) error
}

// The rooms behind the edge satisfy it.
var (
	_ Manager    = (*manager.Manager)(nil)
	_ Classrooms = (*classroom.Service)(nil)
)
