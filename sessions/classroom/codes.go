package classroom

import (
	"crypto/rand"
	"strings"
)

// CodeAlphabet holds the characters of classroom codes: digits and capital
// letters without 0, O, 1, I and L, which are easily mistaken for each other
// when read aloud or off a projector.
const CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLength is the number of characters of a classroom code. With 31
// characters that is close to 900 million codes.
const CodeLength = 6

// NewCode returns a random classroom code.
func NewCode() string {
	b := make([]byte, CodeLength)
	for i := range b {
		b[i] = CodeAlphabet[randomIndex(len(CodeAlphabet))]
	}
	return string(b)
}

// randomIndex returns a uniform random number in [0, n), n < 256, by
// rejecting the bytes that would bias the result.
func randomIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		rand.Read(b[:]) // it never fails (crypto/rand)
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// NormalizeCode turns what a learner typed into a code: letters are made
// capital, and spaces and dashes (as in "ABC-DEF") are dropped.
func NormalizeCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t', '.', '_':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ValidCode reports whether s has the shape of a classroom code.
func ValidCode(s string) bool {
	if len(s) != CodeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(CodeAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
