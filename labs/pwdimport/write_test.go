package pwdimport

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	root := filepath.Join(t.TempDir(), "labs")
	r, err := Convert([]byte("---\ntitle: One\n---\ntext\n"), Options{Slug: "one"})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := Write(root, r, false)
	if err != nil || dir != filepath.Join(root, "one") {
		t.Fatalf("Write = %q, %v", dir, err)
	}
	if _, err := Write(root, r, false); !errors.Is(err, ErrExists) {
		t.Fatalf("a second Write: err = %v, want ErrExists", err)
	}
	// --force replaces the folder as a whole, stray files included.
	os.WriteFile(filepath.Join(dir, "fr.md"), []byte("x"), 0o644)
	if _, err := Write(root, r, true); err != nil {
		t.Fatalf("Write with force: %v", err)
	}
	entries, _ := os.ReadDir(root)
	files, _ := os.ReadDir(dir)
	if len(entries) != 1 || len(files) != 2 {
		t.Errorf("after force: %d entries in the labs folder and %d files in the lab, want 1 and 2", len(entries), len(files))
	}
}
