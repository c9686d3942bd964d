package sessions

import (
	"crypto/rand"
)

// NewID returns a fresh unguessable identifier: crypto/rand's text of 130
// random bits (26 characters of base32, safe in URLs and names).
func NewID() string {
	return rand.Text()
}
