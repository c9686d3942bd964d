// Package classroom holds the rules of classrooms: instructor accounts and
// their logins, creating and closing a classroom, learners joining it with
// its code, and the progress report an instructor sees.
//
// It ties the lab catalogue, the session manager (each learner gets a
// session of the classroom's lab, scoped to the classroom, which only the
// classroom's instructor may watch) and the store together; the HTTP layer
// only translates. Instructor accounts (Accounts) need the store alone.
package classroom

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
	"github.com/labplay/playground/sessions/store"
)

// Limits of a classroom.
const (
	MaxNameLength         = 100
	DefaultSessionMinutes = 120
	MinSessionMinutes     = 10
	MaxSessionMinutes     = 12 * 60
	MaxSeats              = 500
)

// Sessions is what classrooms ask of the session manager
// (sessions/manager satisfies it).
type Sessions interface {
	// Create starts a session; a full host answers EFULL.
	Create(ctx context.Context, req manager.NewSession) (*sessions.Session, error)
	// Delete ends one of a user's sessions.
	Delete(ctx context.Context, userID, id string) error
	// EndScope ends every live session of a scope and says how many.
	EndScope(ctx context.Context, scope, reason string) (int, error)
	// ScopeSession returns a session of any scope, whoever owns it, or
	// ENOTFOUND.
	ScopeSession(ctx context.Context, id string) (*sessions.Session, error)
	// ExtendScoped, ResetNode and ResetSession act on a session that
	// ScopeSession returned, for its classroom's instructor (actions.go).
	ExtendScoped(ctx context.Context, s *sessions.Session, by time.Duration) (*sessions.Session, bool, error)
	ResetNode(ctx context.Context, s *sessions.Session, node string) (*sessions.Session, error)
	ResetSession(ctx context.Context, s *sessions.Session) (*sessions.Session, error)
}

// Service applies the rules of classrooms, and those of instructor
// accounts (Accounts, which it embeds). It is safe for concurrent use.
type Service struct {
	*Accounts
	mgr   Sessions
	store *store.Store
	labs  *labs.Catalog
	log   *slog.Logger
	// pauser pauses and resumes sessions for a whole class; nil until
	// the manager can (SetPauser).
	pauser Pauser
}

// New returns a Service that starts sessions with mgr and keeps its records
// in st.
func New(mgr Sessions, st *store.Store, catalog *labs.Catalog, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{Accounts: NewAccounts(st), mgr: mgr, store: st, labs: catalog, log: log}
}

// NewClassroom describes a classroom to create.
type NewClassroom struct {
	Name           string
	Lab            string
	Lang           string
	SessionMinutes int // 0 means DefaultSessionMinutes
	Seats          int // 0 means no limit
}

// Create opens a classroom for an instructor, with a fresh code.
func (s *Service) Create(ctx context.Context, instructorID string, req NewClassroom) (*sessions.Classroom, error) {
	name, err := cleanText(req.Name, MaxNameLength, "The class name")
	if err != nil {
		return nil, err
	}
	if req.Lab == "" {
		return nil, fault.Errorf(fault.EINVALID, "Choose the lab of the class.")
	}
	lab, err := s.labs.Get(req.Lab)
	if err != nil {
		return nil, fault.Errorf(fault.EINVALID, "There is no lab named %q.", req.Lab)
	}
	lang, err := lab.Lang(req.Lang)
	if err != nil {
		return nil, err
	}
	minutes := req.SessionMinutes
	if minutes == 0 {
		minutes = DefaultSessionMinutes
	}
	if minutes < MinSessionMinutes || minutes > MaxSessionMinutes {
		return nil, fault.Errorf(fault.EINVALID, "The session length must be between %d and %d minutes.",
			MinSessionMinutes, MaxSessionMinutes)
	}
	if req.Seats < 0 || req.Seats > MaxSeats {
		return nil, fault.Errorf(fault.EINVALID, "The number of seats must be between 1 and %d, or 0 for no limit.", MaxSeats)
	}
	c := &sessions.Classroom{ID: sessions.NewID(), InstructorID: instructorID, Name: name, Lab: lab.Slug, Lang: lang,
		SessionMinutes: minutes, Seats: req.Seats}
	if err := s.store.CreateClassroom(ctx, c, NewCode); err != nil {
		return nil, err
	}
	s.log.Info("classroom created", "classroom", c.ID, "code", c.Code, "lab", c.Lab, "seats", c.Seats)
	return c, nil
}

// List returns an instructor's classrooms, newest first.
func (s *Service) List(ctx context.Context, instructorID string) ([]*sessions.Classroom, error) {
	return s.store.InstructorClassrooms(ctx, instructorID)
}

// Get returns one of the instructor's classrooms. Another instructor's
// classroom, or an unknown one, answers ENOTFOUND, so ids cannot be probed.
func (s *Service) Get(ctx context.Context, instructorID, id string) (*sessions.Classroom, error) {
	if !sessions.ValidID(id) {
		return nil, fault.Errorf(fault.ENOTFOUND, "Classroom not found.")
	}
	c, err := s.store.Classroom(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.InstructorID != instructorID {
		return nil, fault.Errorf(fault.ENOTFOUND, "Classroom not found.")
	}
	return c, nil
}

// Close closes one of the instructor's classrooms: nobody joins any more,
// and every learner's session ends; their progress stays. Closing a closed
// classroom ends whatever session is still live. It returns the classroom
// as it is now and how many sessions were ended.
func (s *Service) Close(ctx context.Context, instructorID, id string) (*sessions.Classroom, int, error) {
	c, err := s.Get(ctx, instructorID, id)
	if err != nil {
		return nil, 0, err
	}
	if _, err := s.store.CloseClassroom(ctx, c.ID); err != nil {
		return nil, 0, err
	}
	// Ending sessions outlives an impatient client: a closed class must not
	// keep nodes running.
	ended, err := s.mgr.EndScope(context.WithoutCancel(ctx), c.ID, "classroom closed")
	if err != nil {
		s.log.Warn("classroom closed, but some sessions did not end", "classroom", c.ID, "err", err)
	}
	s.log.Info("classroom closed", "classroom", c.ID, "sessions_ended", ended)
	c, err = s.store.Classroom(ctx, c.ID)
	return c, ended, err
}

// Watch returns a learner's session for the instructor of its classroom,
// who may watch its terminals and ports. Anyone else, an unknown session
// or one of no classroom answers ENOTFOUND.
func (s *Service) Watch(ctx context.Context, instructorID, sessionID string) (*sessions.Session, error) {
	sess, err := s.mgr.ScopeSession(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, instructorID, sess.Scope); err != nil {
		return nil, fault.Errorf(fault.ENOTFOUND, "Session not found.")
	}
	return sess, nil
}

// cleanText trims s, folds runs of white space into one space and checks
// that it is 1 to max characters of printable text. what names the field
// in messages ("The class name").
func cleanText(s string, max int, what string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", fault.Errorf(fault.EINVALID, "%s is empty.", what)
	}
	if !utf8.ValidString(s) {
		return "", fault.Errorf(fault.EINVALID, "%s is not valid text.", what)
	}
	if utf8.RuneCountInString(s) > max {
		return "", fault.Errorf(fault.EINVALID, "%s must be at most %d characters long.", what, max)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return "", fault.Errorf(fault.EINVALID, "%s contains characters that cannot be shown.", what)
		}
	}
	return s, nil
}
