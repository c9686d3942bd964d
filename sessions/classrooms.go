package sessions

import "time"

// Classroom statuses.
const (
	ClassroomOpen   = "open"
	ClassroomClosed = "closed"
)

// Classroom is a class run by an instructor: learners join it with its code
// and each gets a session of its lab, with progress kept under its id (the
// session's Scope).
type Classroom struct {
	ID             string
	InstructorID   string
	Code           string
	Name           string
	Lab            string
	Lang           string
	SessionMinutes int
	Seats          int // 0 means no limit
	Status         string
	CreatedAt      time.Time
	ClosedAt       time.Time
	// Members is how many learners have joined (filled by the list queries).
	Members int
}

// Open reports whether learners may still join and work in the classroom.
func (c *Classroom) Open() bool { return c.Status == ClassroomOpen }

// Member is a learner's seat in a classroom.
type Member struct {
	// ID names the seat on dashboards; it reveals nothing about the learner.
	ID          string
	ClassroomID string
	UserID      string
	Name        string
	// SessionID is the seat's latest session, or empty before the first one.
	SessionID string
	// SessionStatus is that session's status, or empty.
	SessionStatus string
	// SessionExpiresAt is when that session ends, or zero.
	SessionExpiresAt time.Time
	JoinedAt         time.Time
	LastActivityAt   time.Time
}

// Instructor is an account that runs classrooms.
type Instructor struct {
	ID           string
	Email        string
	PasswordHash string
	CreatedAt    time.Time
}
