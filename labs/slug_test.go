package labs

import (
	"strings"
	"testing"
)

func TestValidSlug(t *testing.T) {
	for _, ok := range []string{"a", "docker-101", "0-day", "a-", strings.Repeat("a", MaxSlugLen)} {
		if !ValidSlug(ok) {
			t.Errorf("ValidSlug(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "-a", "A", "a_b", "a b", "é", strings.Repeat("a", MaxSlugLen+1)} {
		if ValidSlug(bad) {
			t.Errorf("ValidSlug(%q) = true", bad)
		}
	}
}
