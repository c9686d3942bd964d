package labs

import "regexp"

// MaxSlugLen is the longest a slug may be, in bytes.
const MaxSlugLen = 64

// slugPattern is the slug rule: a-z, 0-9 and -, starting with a letter or
// digit, at most MaxSlugLen characters.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidSlug reports whether s follows the rule of lab slugs and section
// ids: 1 to MaxSlugLen characters among a-z, 0-9 and -, starting with a
// letter or digit.
func ValidSlug(s string) bool {
	return slugPattern.MatchString(s)
}
