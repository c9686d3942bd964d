package classroom

import (
	"context"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/manager"
)

// MaxDisplayName is the longest display name a learner may use.
const MaxDisplayName = 40

// startWindow is how long a seat's session start may take before another
// tab may try again.
const startWindow = 3 * time.Minute

// Joined is the outcome of a join.
type Joined struct {
	Classroom *sessions.Classroom
	Member    *sessions.Member
	Session   *sessions.Session
	// Created is set when a new session was started; otherwise the learner
	// went back to the session they had.
	Created bool
}

// Lookup returns the open-or-closed classroom with the given code and the
// caller's seat in it, or nil when they have none. An unknown or malformed
// code answers ENOTFOUND.
func (s *Service) Lookup(ctx context.Context, code, userID string) (*sessions.Classroom, *sessions.Member, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.store.Member(ctx, c.ID, userID)
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		return c, nil, nil
	}
	return c, m, err
}

// Join seats the learner userID in the classroom with the given code under
// name, and returns their session of the classroom's lab. A learner who has
// a seat already goes back to it (the name they chose first is kept): to
// their live session if they have one, else to a new session that carries
// on with their progress. A closed or full classroom, or a name taken by
// someone else, answers ECONFLICT; a full host EFULL.
func (s *Service) Join(ctx context.Context, code, userID, name string) (*Joined, error) {
	c, err := s.byCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, fault.Errorf(fault.ECONFLICT, "This class is closed.")
	}
	if err := s.store.EnsureUser(ctx, userID); err != nil { // a seat needs the user row
		return nil, err
	}
	m, err := s.store.Member(ctx, c.ID, userID)
	switch fault.ErrorCode(err) {
	case "":
	case fault.ENOTFOUND:
		if m, err = s.seat(ctx, c, userID, name); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	if m.SessionID != "" && m.SessionStatus != "" && m.SessionStatus != sessions.StatusEnded {
		sess, err := s.store.Session(ctx, m.SessionID)
		if err != nil {
			return nil, err
		}
		if sess.Live() {
			if err := s.store.TouchMember(ctx, c.ID, userID); err != nil {
				return nil, err
			}
			return &Joined{Classroom: c, Member: m, Session: sess}, nil
		}
	}
	sess, err := s.start(ctx, c, m)
	if err != nil {
		return nil, err
	}
	m.SessionID, m.SessionStatus = sess.ID, sess.Status
	return &Joined{Classroom: c, Member: m, Session: sess, Created: true}, nil
}

// seat gives the learner a new seat.
func (s *Service) seat(ctx context.Context, c *sessions.Classroom, userID, name string) (*sessions.Member, error) {
	name, err := cleanText(name, MaxDisplayName, "Your name")
	if err != nil {
		return nil, err
	}
	m := &sessions.Member{ID: sessions.NewID(), ClassroomID: c.ID, UserID: userID, Name: name}
	if err := s.store.AddMember(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// start starts a session for a seat, unless another request is doing so.
func (s *Service) start(ctx context.Context, c *sessions.Classroom, m *sessions.Member) (*sessions.Session, error) {
	ok, err := s.store.ClaimMemberStart(ctx, c.ID, m.UserID, startWindow)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault.Errorf(fault.ECONFLICT, "Your session is already starting in another tab; wait a moment and try again.")
	}
	sess, err := s.mgr.Create(ctx, manager.NewSession{
		UserID: m.UserID, Lab: c.Lab, Lang: c.Lang, Scope: c.ID,
		Lifetime: time.Duration(c.SessionMinutes) * time.Minute,
	})
	if err != nil {
		s.release(ctx, c, m)
		return nil, err
	}
	if err := s.store.SetMemberSession(ctx, c.ID, m.UserID, sess.ID); err != nil {
		return nil, err
	}
	// The class may have closed while the nodes started: closing ends only
	// the sessions it sees, so this one is ended here.
	now, err := s.store.Classroom(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if !now.Open() {
		if err := s.mgr.Delete(context.WithoutCancel(ctx), m.UserID, sess.ID); err != nil {
			s.log.Warn("could not end a session started as its class closed", "session", sess.ID, "err", err)
		}
		return nil, fault.Errorf(fault.ECONFLICT, "This class is closed.")
	}
	s.log.Info("learner joined a classroom", "classroom", c.ID, "member", m.ID, "session", sess.ID)
	return sess, nil
}

// release gives up a start claim after a failure.
func (s *Service) release(ctx context.Context, c *sessions.Classroom, m *sessions.Member) {
	if err := s.store.ReleaseMemberStart(context.WithoutCancel(ctx), c.ID, m.UserID); err != nil {
		s.log.Warn("could not release a seat's start", "classroom", c.ID, "member", m.ID, "err", err)
	}
}

// byCode finds a classroom by what a learner typed.
func (s *Service) byCode(ctx context.Context, code string) (*sessions.Classroom, error) {
	code = NormalizeCode(code)
	if !ValidCode(code) {
		return nil, fault.Errorf(fault.ENOTFOUND, "No class has this code; check it with your instructor.")
	}
	c, err := s.store.ClassroomByCode(ctx, code)
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		return nil, fault.Errorf(fault.ENOTFOUND, "No class has this code; check it with your instructor.")
	}
	return c, err
}

// CodeFor returns the code of the open class a learner's session belongs
// to, so that its page can take the learner's seat again in one click
// after the session's host went; "" for a session outside any class or
// in a closed one.
func (s *Service) CodeFor(ctx context.Context, sess *sessions.Session) (string, error) {
	if sess.Scope == "" {
		return "", nil
	}
	c, err := s.store.Classroom(ctx, sess.Scope)
	if fault.ErrorCode(err) == fault.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !c.Open() {
		return "", nil
	}
	return c.Code, nil
}
