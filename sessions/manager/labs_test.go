package manager

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncateKeepsOutputStorable(t *testing.T) {
	for _, in := range []string{
		"plain",
		"nul\x00bytes\x00",
		"bad \xff\xfe utf-8",
		strings.Repeat("é", 3000), // 6000 bytes: the cut falls inside a character
	} {
		out := truncate(in, 4096)
		if !utf8.ValidString(out) || strings.ContainsRune(out, 0) || len(out) > 4096+len("…") {
			t.Errorf("truncate(%.20q) = %.40q (len %d): not storable", in, out, len(out))
		}
	}
	if got := truncate("short", 10); got != "short" {
		t.Errorf("short text changed: %q", got)
	}
}
