package sessions

import (
	"crypto/rand"
	"encoding/base64"
)

// NewID returns a fresh unguessable identifier: 192 random bits in URL-safe
// base64 (32 characters).
func NewID() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sessions: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
