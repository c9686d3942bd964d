package pwdimport

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/labplay/playground/labs"
)

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

// CheckSlug reports whether slug is a valid lab slug (labs.ValidSlug).
func CheckSlug(slug string) error {
	if !labs.ValidSlug(slug) {
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

// slugify turns text into a slug (labs.ValidSlug), cut at a hyphen when
// it is too long and a hyphen falls in its second half: accented letters
// lose their accents, apostrophes go, other characters become hyphens. It
// returns "" when nothing is left.
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
	if len(out) > labs.MaxSlugLen {
		cut := strings.LastIndexByte(out[:labs.MaxSlugLen+1], '-')
		if cut < labs.MaxSlugLen/2 {
			cut = labs.MaxSlugLen
		}
		out = strings.TrimRight(out[:cut], "-")
	}
	return out
}
