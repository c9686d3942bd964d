package classroom

import (
	"context"
	"time"

	"github.com/labplay/playground/sessions"
)

// maxHint caps the hint of a failed section in reports.
const maxHint = 1 << 10

// SectionInfo names a section of the classroom's lab, in order.
type SectionInfo struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	HasCheck bool   `json:"has_check"`
}

// Learner is one learner's row in a classroom report.
type Learner struct {
	// ID names the seat; it is stable across the learner's sessions.
	ID   string `json:"id"`
	Name string `json:"name"`
	// SessionID is the learner's latest session ("" before the first).
	SessionID string `json:"session_id"`
	// SessionStatus is that session's status: starting, running, ended, or "".
	SessionStatus string `json:"session_status"`
	// SessionExpiresAt is when that session ends, while it is live.
	SessionExpiresAt time.Time        `json:"session_expires_at,omitzero"`
	JoinedAt         time.Time        `json:"joined_at"`
	LastActivityAt   time.Time        `json:"last_activity_at"`
	Done             int              `json:"done"`
	Sections         []LearnerSection `json:"sections"`

	userID string
}

// LearnerSection is a learner's state in one section.
type LearnerSection struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	FirstSeenAt time.Time `json:"first_seen_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	// Hint is the output of the last failed check, for a failed section.
	Hint string `json:"hint,omitempty"`
	// Quizzes is the state of the section's quizzes (none when it has
	// none): each one's status and the answers it took.
	Quizzes []sessions.QuizProgress `json:"quizzes,omitempty"`
}

// UserID returns the learner's identity, for routing live updates; it is
// never sent to clients.
func (l *Learner) UserID() string { return l.userID }

// Sections returns the sections of the classroom's lab with their titles in
// the classroom's language.
func (s *Service) Sections(c *sessions.Classroom) ([]SectionInfo, error) {
	lab, err := s.labs.Get(c.Lab)
	if err != nil {
		return nil, err
	}
	titles := lab.SectionTitles(c.Lang)
	out := []SectionInfo{}
	for _, sec := range lab.Sections() {
		title := titles[sec.ID]
		if title == "" {
			title = sec.Title
		}
		out = append(out, SectionInfo{ID: sec.ID, Title: title, HasCheck: sec.HasCheck})
	}
	return out, nil
}

// Learners returns the rows of a classroom's learners, in the order they
// joined: the given users' only, or everyone's when userIDs is nil.
func (s *Service) Learners(ctx context.Context, c *sessions.Classroom, userIDs []string) ([]*Learner, error) {
	lab, err := s.labs.Get(c.Lab)
	if err != nil {
		return nil, err
	}
	members, err := s.store.Members(ctx, c.ID, userIDs)
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		return []*Learner{}, nil
	}
	progress, err := s.store.ScopeProgress(ctx, c.ID, c.Lab, userIDs)
	if err != nil {
		return nil, err
	}
	ids := lab.SectionIDs()
	quizzes := map[string][]string{}
	for _, sec := range lab.Sections() {
		quizzes[sec.ID] = sec.Quizzes
	}
	out := make([]*Learner, 0, len(members))
	for _, m := range members {
		out = append(out, learnerRow(m, ids, quizzes, progress[m.UserID]))
	}
	return out, nil
}

// learnerRow puts a member's progress rows in the lab's order, each section
// with its quizzes (quizzes maps a section id to its quiz ids); sections and
// quizzes never attempted are pending.
func learnerRow(m *sessions.Member, sectionIDs []string, quizzes map[string][]string, rows []sessions.SectionProgress) *Learner {
	l := &Learner{ID: m.ID, Name: m.Name, SessionID: m.SessionID, SessionStatus: m.SessionStatus,
		SessionExpiresAt: m.SessionExpiresAt,
		JoinedAt:         m.JoinedAt, LastActivityAt: m.LastActivityAt, userID: m.UserID,
		Sections: make([]LearnerSection, 0, len(sectionIDs))}
	for _, p := range sessions.WithQuizzes(rows, sectionIDs, quizzes) {
		ls := LearnerSection{ID: p.Section, Status: p.Status, Attempts: p.Attempts, FirstSeenAt: p.FirstSeenAt,
			UpdatedAt: p.UpdatedAt, CompletedAt: p.CompletedAt, Quizzes: p.Quizzes}
		if p.Status == sessions.SectionFailed {
			ls.Hint = sessions.Clip(p.Output, maxHint)
		}
		if p.Status == sessions.SectionDone {
			l.Done++
		}
		l.Sections = append(l.Sections, ls)
	}
	return l
}
