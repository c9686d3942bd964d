package server

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/labplay/playground/sessions"
)

// A port's host name leads back to its session once lowered, as host names
// are: for base32 ids (sessions.NewID) and for the base64 ids of sessions
// started before them, whose labels carried the id's bytes in hex.
func TestPortLabelRoundTrip(t *testing.T) {
	t.Parallel()
	for _, id := range []string{sessions.NewID(), sessions.NewID()} {
		label := portLabel(id, "node2", 8080)
		got, node, port, ok := parsePortLabel(strings.ToLower(label))
		if !ok || got != id || node != "node2" || port != "8080" || len(label) > 63 {
			t.Errorf("portLabel(%q) = %q, parsed back as %q %q %q %v", id, label, got, node, port, ok)
		}
	}
	b := make([]byte, 24)
	for i := range b {
		b[i] = byte(i * 11)
	}
	oldID, oldLabel := base64.RawURLEncoding.EncodeToString(b), "node1-9000-"+hex.EncodeToString(b)
	if got, node, port, ok := parsePortLabel(oldLabel); !ok || got != oldID || node != "node1" || port != "9000" {
		t.Errorf("the label of an older session %q parsed as %q %q %q %v, want %q", oldLabel, got, node, port, ok, oldID)
	}
	for _, bad := range []string{"node1", "node1-9000", "node1-9000-"} {
		if _, _, _, ok := parsePortLabel(bad); ok {
			t.Errorf("parsePortLabel(%q) succeeded", bad)
		}
	}
}
