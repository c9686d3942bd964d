package sessions

import (
	"strings"
	"unicode/utf8"
)

// Clip makes s safe to store and show: valid UTF-8 without NUL bytes (text
// from a learner's node can hold anything), cut to at most n bytes on a
// character boundary, with "…" after a cut.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
