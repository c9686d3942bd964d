package classroom

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/labplay/playground/fault"

	"github.com/labplay/playground/sessions"
)

// DeviceLinkLifetime is how long a link to another device works: two
// weeks covers a class that meets weekly, with a missed week between, and
// a link forgotten in a chat or a notebook stops opening anything soon
// after the course ends.
const DeviceLinkLifetime = 14 * 24 * time.Hour

// deviceTokenLen is the length of a device link's token: 32 random bytes
// (256 bits) in unpadded base64url.
const deviceTokenLen = 43

// NewDeviceLink makes a link for a learner to continue on another
// browser, from the page of one of their live sessions, where it lands. It
// returns the token, which is not kept (only its hash is); the learner's
// previous link stops working. Another's session or an ended one answers
// ENOTFOUND.
func (s *Accounts) NewDeviceLink(ctx context.Context, userID, sessionID string) (string, *sessions.DeviceLink, error) {
	var b [32]byte
	rand.Read(b[:]) // it never fails (crypto/rand)
	token := base64.RawURLEncoding.EncodeToString(b[:])
	l, err := s.store.CreateDeviceLink(ctx, userID, sessionID, hashToken(token), time.Now().Add(DeviceLinkLifetime))
	if err != nil {
		return "", nil, err
	}
	return token, l, nil
}

// DeviceLink returns the learner's link that still works, or ENOTFOUND.
func (s *Accounts) DeviceLink(ctx context.Context, userID string) (*sessions.DeviceLink, error) {
	return s.store.LiveDeviceLink(ctx, userID)
}

// StopDeviceLink revokes the learner's link and reports whether they had
// one. Browsers that already opened it stay the learner's.
func (s *Accounts) StopDeviceLink(ctx context.Context, userID string) (bool, error) {
	return s.store.RevokeDeviceLink(ctx, userID)
}

// PeekDeviceLink returns what a token's link opens, without using it. A
// link that was never made, was stopped or has expired answers ENOTFOUND
// with a message saying which.
func (s *Accounts) PeekDeviceLink(ctx context.Context, token string) (*sessions.DeviceLink, error) {
	if len(token) != deviceTokenLen {
		return nil, errNoLink
	}
	l, err := s.store.DeviceLinkByHash(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	return l, refusal(l)
}

// UseDeviceLink uses a token's link: it returns the learner the browser
// becomes, and counts the use. It refuses like PeekDeviceLink.
func (s *Accounts) UseDeviceLink(ctx context.Context, token string) (*sessions.DeviceLink, error) {
	if len(token) != deviceTokenLen {
		return nil, errNoLink
	}
	l, err := s.store.UseDeviceLink(ctx, hashToken(token))
	if err != nil {
		return nil, err
	}
	return l, refusal(l)
}

var errNoLink = fault.Errorf(fault.ENOTFOUND, "This link does not open anything. Check that it was copied whole.")

// refusal says why a link may not be used, or nil when it may.
func refusal(l *sessions.DeviceLink) error {
	switch {
	case !l.RevokedAt.IsZero():
		return fault.Errorf(fault.ENOTFOUND, "This link was stopped by the learner who made it. Ask them for a new one from their session's page.")
	case !l.Usable(time.Now()):
		return fault.Errorf(fault.ENOTFOUND, "This link expired on %s. Make a new one from the session's page on a device where you are still signed in.",
			l.ExpiresAt.UTC().Format("2 January 2006"))
	}
	return nil
}
