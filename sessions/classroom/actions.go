package classroom

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
	"github.com/labplay/playground/sessions/store"
)

// What a classroom's instructor does to the class: extend its learners'
// sessions, send it a message, give a learner fresh nodes, pause and resume
// it. Each action is the classroom's own instructor's only (anyone else
// gets ENOTFOUND, as for Get) and is written to the event log, which
// announces it to the dashboards and to the learners' pages.

// Limits of the instructor's actions.
const (
	// MaxMessageLength is the longest message to a class, in characters:
	// a few sentences, which a page shows whole.
	MaxMessageLength = 500
	// MaxExtendMinutes is the most one extension adds; the session's own
	// limit (manager.Config.MaxLifetime) may stop it sooner.
	MaxExtendMinutes = 240
	// MessagesShown is how many undismissed messages a learner's page
	// shows, the latest ones.
	MessagesShown = 5
	// actionParallel is how many sessions a class-wide pause or resume
	// works on at once.
	actionParallel = 4
)

// Pauser pauses and resumes a learner's session (sessions/manager, once it
// can). A classroom pauses and resumes every live session of its seats.
type Pauser interface {
	Pause(ctx context.Context, userID, id string) (*sessions.Session, error)
	Resume(ctx context.Context, userID, id string) (*sessions.Session, error)
}

// ErrNoPause answers a class pause or resume while sessions cannot pause.
var ErrNoPause = errors.New("classroom: sessions cannot be paused here yet")

// SetPauser lets the classroom pause and resume its sessions with p.
func (s *Service) SetPauser(p Pauser) { s.pauser = p }

// CanPause reports whether the classroom can pause its sessions.
func (s *Service) CanPause() bool { return s.pauser != nil }

// Outcome is what an action on the whole class did to one learner.
type Outcome struct {
	Learner   string    `json:"learner"`
	Name      string    `json:"name"`
	SessionID string    `json:"session_id"`
	Done      bool      `json:"done"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Capped says the session's longest lifetime stopped an extension
	// short of what was asked (or, with Done false, stopped it altogether).
	Capped bool `json:"capped,omitempty"`
	// Message says why a learner's session was not changed, or how an
	// extension was cut short.
	Message string `json:"message,omitempty"`
}

// seat is a learner of a classroom with the live session of their seat.
type seat struct {
	member  *sessions.Member
	session *sessions.Session
}

// seats returns the learners of the instructor's classroom that have a
// live session: the one with seat id learnerID, or all when it is "". A
// learnerID of no seat of this classroom is ENOTFOUND; one without a live
// session ECONFLICT.
func (s *Service) seats(ctx context.Context, c *sessions.Classroom, learnerID string) ([]seat, error) {
	members, err := s.store.Members(ctx, c.ID, nil)
	if err != nil {
		return nil, err
	}
	var out []seat
	for _, m := range members {
		if learnerID != "" && m.ID != learnerID {
			continue
		}
		if m.SessionID == "" || m.SessionStatus == sessions.StatusEnded {
			if learnerID != "" {
				return nil, fault.Errorf(fault.ECONFLICT, "%s has no live session.", m.Name)
			}
			continue
		}
		sess, err := s.mgr.ScopeSession(ctx, m.SessionID)
		if err != nil {
			return nil, err
		}
		if sess.Scope != c.ID || sess.UserID != m.UserID || !sess.Live() {
			if learnerID != "" {
				return nil, fault.Errorf(fault.ECONFLICT, "%s has no live session.", m.Name)
			}
			continue
		}
		out = append(out, seat{member: m, session: sess})
	}
	if learnerID != "" && len(out) == 0 {
		return nil, fault.Errorf(fault.ENOTFOUND, "No such learner in this class.")
	}
	return out, nil
}

// openClassroom returns the instructor's classroom when it is open.
func (s *Service) openClassroom(ctx context.Context, instructorID, id string) (*sessions.Classroom, error) {
	c, err := s.Get(ctx, instructorID, id)
	if err != nil {
		return nil, err
	}
	if !c.Open() {
		return nil, fault.Errorf(fault.ECONFLICT, "This classroom is closed.")
	}
	return c, nil
}

// record writes an action to the event log; a failure is logged, since
// the action itself is done.
func (s *Service) record(ctx context.Context, c *sessions.Classroom, instructorID string, st *seat, kind, node, detail string) {
	a := store.ActionRecord{Scope: c.ID, Lab: c.Lab, Kind: kind, Actor: instructorID, Node: node, Detail: detail}
	if st != nil {
		a.UserID, a.SessionID = st.member.UserID, st.session.ID
	}
	if err := s.store.RecordAction(context.WithoutCancel(ctx), a); err != nil {
		s.log.Warn("an instructor's action was not recorded", "classroom", c.ID, "kind", kind, "err", err)
	}
}

// Extend adds minutes to the live session of one learner (the seat id
// learnerID) or, with learnerID "", of every learner of the instructor's
// open classroom. Each session stops at its longest lifetime; the outcome
// says, per learner, when that cut the extension short or refused it.
func (s *Service) Extend(ctx context.Context, instructorID, classID, learnerID string, minutes int) ([]Outcome, error) {
	if minutes < 1 || minutes > MaxExtendMinutes {
		return nil, fault.Errorf(fault.EINVALID, "Extend by 1 to %d minutes.", MaxExtendMinutes)
	}
	c, err := s.openClassroom(ctx, instructorID, classID)
	if err != nil {
		return nil, err
	}
	seats, err := s.seats(ctx, c, learnerID)
	if err != nil {
		return nil, err
	}
	out := make([]Outcome, 0, len(seats))
	for _, st := range seats {
		o := Outcome{Learner: st.member.ID, Name: st.member.Name, SessionID: st.session.ID, ExpiresAt: st.session.ExpiresAt}
		before := st.session.ExpiresAt
		sess, capped, err := s.mgr.ExtendScoped(ctx, st.session, time.Duration(minutes)*time.Minute)
		o.Capped = capped
		switch {
		case err != nil && fault.ErrorCode(err) == fault.EINTERNAL:
			return nil, err
		case err != nil:
			o.Message = fault.ErrorMessage(err)
		default:
			o.Done, o.ExpiresAt = true, sess.ExpiresAt
			added := sess.ExpiresAt.Sub(before).Round(time.Minute)
			detail := fmt.Sprintf("+%d min, until %s UTC", int(added.Minutes()), sess.ExpiresAt.UTC().Format("15:04"))
			if capped {
				o.Message = fmt.Sprintf("Only %d of %d minutes: a session lasts at most until %s UTC.",
					int(added.Minutes()), minutes, sess.ExpiresAt.UTC().Format("15:04"))
				detail += " (its longest)"
			}
			s.record(ctx, c, instructorID, &st, sessions.ActionExtend, "", detail)
		}
		out = append(out, o)
	}
	s.log.Info("class extended", "classroom", c.ID, "learner", learnerID, "minutes", minutes, "sessions", len(out))
	return out, nil
}

// Message sends a message to every learner of the instructor's open
// classroom: kept, so that a page opened later shows it too, until each
// learner dismisses it. It is plain text of 1 to MaxMessageLength
// characters; line breaks are kept.
func (s *Service) Message(ctx context.Context, instructorID, classID, text string) (*sessions.ClassMessage, error) {
	text, err := cleanMessage(text)
	if err != nil {
		return nil, err
	}
	c, err := s.openClassroom(ctx, instructorID, classID)
	if err != nil {
		return nil, err
	}
	m, err := s.store.AddMessage(ctx, c, instructorID, text)
	if err != nil {
		return nil, err
	}
	s.log.Info("message sent to a class", "classroom", c.ID, "message", m.ID)
	return m, nil
}

// cleanMessage trims a message, keeps its line breaks (at most two in a
// row) and refuses what cannot be shown as text.
func cleanMessage(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", fault.Errorf(fault.EINVALID, "The message is not valid text.")
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	text = strings.TrimSpace(strings.Join(lines, "\n"))
	for strings.Contains(text, "\n\n\n") {
		text = strings.ReplaceAll(text, "\n\n\n", "\n\n")
	}
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", fault.Errorf(fault.EINVALID, "The message is empty.")
	case n > MaxMessageLength:
		return "", fault.Errorf(fault.EINVALID, "A message is at most %d characters long (this one has %d).", MaxMessageLength, n)
	}
	for _, r := range text {
		if r != '\n' && !unicode.IsPrint(r) {
			return "", fault.Errorf(fault.EINVALID, "The message contains characters that cannot be shown.")
		}
	}
	return text, nil
}

// Reset gives one learner of the instructor's open classroom fresh nodes:
// the node named node (same name and address, an empty disk), or all of
// them when node is "". Their progress stays. It returns once the new
// nodes answer.
func (s *Service) Reset(ctx context.Context, instructorID, classID, learnerID, node string) (*sessions.Session, error) {
	if learnerID == "" {
		return nil, fault.Errorf(fault.EINVALID, "Say whose session to reset.")
	}
	c, err := s.openClassroom(ctx, instructorID, classID)
	if err != nil {
		return nil, err
	}
	seats, err := s.seats(ctx, c, learnerID)
	if err != nil {
		return nil, err
	}
	st := seats[0]
	var sess *sessions.Session
	kind := sessions.ActionResetSession
	if node == "" {
		sess, err = s.mgr.ResetSession(ctx, st.session)
	} else {
		kind = sessions.ActionResetNode
		sess, err = s.mgr.ResetNode(ctx, st.session, node)
	}
	if err != nil {
		return nil, err
	}
	s.record(ctx, c, instructorID, &st, kind, node, "")
	s.log.Info("learner's nodes reset", "classroom", c.ID, "session", sess.ID, "node", node)
	return sess, nil
}

// Pause pauses, or with resume resumes, the live session of every learner
// of the instructor's open classroom, a few at a time. It answers
// ErrNoPause while sessions cannot pause.
func (s *Service) Pause(ctx context.Context, instructorID, classID string, resume bool) ([]Outcome, error) {
	c, err := s.openClassroom(ctx, instructorID, classID)
	if err != nil {
		return nil, err
	}
	if s.pauser == nil {
		return nil, ErrNoPause
	}
	seats, err := s.seats(ctx, c, "")
	if err != nil {
		return nil, err
	}
	act, kind := s.pauser.Pause, sessions.ActionPause
	if resume {
		act, kind = s.pauser.Resume, sessions.ActionResume
	}
	// The work outlives an impatient client, as closing does.
	ctx = context.WithoutCancel(ctx)
	out := make([]Outcome, len(seats))
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(actionParallel, len(seats)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				st := seats[i]
				o := Outcome{Learner: st.member.ID, Name: st.member.Name, SessionID: st.session.ID}
				if _, err := act(ctx, st.session.UserID, st.session.ID); err != nil {
					o.Message = fault.ErrorMessage(err)
				} else {
					o.Done = true
				}
				out[i] = o
			}
		}()
	}
	for i := range seats {
		work <- i
	}
	close(work)
	wg.Wait()
	done := 0
	for _, o := range out {
		if o.Done {
			done++
		}
	}
	s.record(ctx, c, instructorID, nil, kind, "", fmt.Sprintf("%d of %d sessions", done, len(out)))
	s.log.Info("class "+kind+"d", "classroom", c.ID, "sessions", done, "of", len(out))
	return out, nil
}

// Actions returns the latest actions of a classroom's instructor, newest
// first, at most limit.
func (s *Service) Actions(ctx context.Context, c *sessions.Classroom, limit int) ([]sessions.Action, error) {
	return s.store.Actions(ctx, c.ID, limit)
}

// LearnerNews is what a learner's page shows of their class's instructor:
// the messages they have not dismissed and the latest resets of their
// session's nodes.
type LearnerNews struct {
	Messages []sessions.ClassMessage `json:"messages"`
	Resets   []sessions.Action       `json:"resets"`
}

// News returns what the instructor of a session's classroom sent its
// learner. The session is one the learner was given by the manager's Get;
// one of no classroom has no news.
func (s *Service) News(ctx context.Context, sess *sessions.Session) (*LearnerNews, error) {
	n := &LearnerNews{Messages: []sessions.ClassMessage{}, Resets: []sessions.Action{}}
	if sess.Scope == "" {
		return n, nil
	}
	var err error
	if n.Messages, err = s.store.Messages(ctx, sess.Scope, sess.UserID, MessagesShown); err != nil {
		return nil, err
	}
	if n.Resets, err = s.store.SessionResets(ctx, sess.ID, 10); err != nil {
		return nil, err
	}
	return n, nil
}

// Dismiss hides a message of a session's classroom from its learner's
// pages. The session is one the learner was given by the manager's Get.
func (s *Service) Dismiss(ctx context.Context, sess *sessions.Session, messageID int64) error {
	if sess.Scope == "" {
		return fault.Errorf(fault.ENOTFOUND, "No such message.")
	}
	return s.store.DismissMessage(ctx, sess.Scope, sess.UserID, messageID)
}
