package sessions

import "time"

// DeviceLink is a link a learner made to continue on another browser:
// whoever opens it becomes the same learner (UserID), with their seats,
// sessions and progress. The link itself holds a random token; only its
// hash is kept.
type DeviceLink struct {
	UserID string
	// SessionID is the session whose page made the link, where it lands
	// while that session lives; empty once the session is gone.
	SessionID  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero while the owner has not stopped it
	Uses       int
	LastUsedAt time.Time // zero before the first use

	// What the link opens, for the page that asks before using it.
	// SessionLive says whether SessionID is still running; Name and
	// Classroom are the learner's seat and its classroom when the session
	// is a classroom's, empty otherwise.
	SessionLive bool
	Lab         string
	Name        string
	Classroom   string
}

// Usable reports whether the link may still be opened at now.
func (l *DeviceLink) Usable(now time.Time) bool {
	return l.RevokedAt.IsZero() && now.Before(l.ExpiresAt)
}
