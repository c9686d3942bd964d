package pwdimport

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// slugPattern is the rule of lab slugs (labs/meta.go) and of section ids,
// with their limit of 64 characters.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// datePrefix is the date that starts the name of a Jekyll post.
var datePrefix = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}-`)

// SlugFromFile derives a lab slug from the file name of a post: the
// extension and the date of a Jekyll post name go, as in
// 2017-01-01-swarm-mode-intro.md, and the rest is slugified.
func SlugFromFile(name string) (string, error) {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = datePrefix.ReplaceAllString(base, "")
	slug := slugify(base)
	if slug == "" {
		return "", fmt.Errorf("no lab slug can be made from the file name %q: give one with --slug", filepath.Base(name))
	}
	return slug, nil
}

// CheckSlug reports whether slug is a valid lab slug.
func CheckSlug(slug string) error {
	if !slugPattern.MatchString(slug) {
		return fmt.Errorf("slug %q must be 1 to 64 characters among a-z, 0-9 and -, starting with a letter or digit", slug)
	}
	return nil
}

// folds maps the accented Latin letters most often met to ASCII.
var folds = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "ã", "a", "å", "a", "ç", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
	"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "ö", "o", "õ", "o", "ø", "o",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y",
	"æ", "ae", "œ", "oe", "ß", "ss",
)

// slugify turns text into an id of a-z, 0-9 and -, at most 64 characters
// long and cut at a hyphen when it can be: accented letters lose their
// accents, apostrophes go, other characters become hyphens. It returns "" when nothing is
// left.
func slugify(text string) string {
	s := folds.Replace(strings.ToLower(text))
	s = strings.NewReplacer("'", "", "’", "").Replace(s) // "volume's" gives "volumes"
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 64 {
		cut := strings.LastIndexByte(out[:65], '-')
		if cut < 32 {
			cut = 64
		}
		out = strings.TrimRight(out[:cut], "-")
	}
	return out
}
