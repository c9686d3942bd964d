package sessions

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipKeepsTextStorable(t *testing.T) {
	for _, in := range []string{
		"plain",
		"nul\x00bytes\x00",
		"bad \xff\xfe utf-8",
		strings.Repeat("é", 3000), // 6000 bytes: the cut falls inside a character
	} {
		out := Clip(in, 4096)
		if !utf8.ValidString(out) || strings.ContainsRune(out, 0) || len(out) > 4096+len("…") {
			t.Errorf("Clip(%.20q) = %.40q (len %d): not storable", in, out, len(out))
		}
	}
	if got := Clip("héllo", 2); got != "h…" {
		t.Fatalf("Clip cut a character in two: %q", got)
	}
	if got := Clip("short", 10); got != "short" {
		t.Errorf("short text changed: %q", got)
	}
}
