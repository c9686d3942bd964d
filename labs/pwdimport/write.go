package pwdimport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ErrExists is returned by Write when the lab's folder exists already and
// force is not set.
var ErrExists = errors.New("the lab's folder exists already")

// Write writes the lab r into root/<slug>/ and returns that folder. An
// existing folder is refused with ErrExists unless force is set; then it
// is replaced as a whole. The files are written to a temporary folder in
// root first, so that a reader of root never sees half a lab.
func Write(root string, r *Result, force bool) (string, error) {
	dir := filepath.Join(root, r.Slug)
	if _, err := os.Lstat(dir); err == nil && !force {
		return dir, fmt.Errorf("%s: %w; pass --force to replace it", dir, ErrExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return dir, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return dir, err
	}
	tmp, err := os.MkdirTemp(root, ".import-"+r.Slug+"-")
	if err != nil {
		return dir, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return dir, err
	}
	names := make([]string, 0, len(r.Files))
	for name := range r.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(tmp, name), r.Files[name], 0o644); err != nil {
			return dir, err
		}
	}
	if force {
		if err := os.RemoveAll(dir); err != nil {
			return dir, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return dir, err
	}
	return dir, nil
}
