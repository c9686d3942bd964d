package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labplay/playground/labs"
	"github.com/labplay/playground/labs/pwdimport"
)

// kcScenarios is the folder of the Killercoda importer's sample scenarios.
const kcScenarios = "../../labs/kcimport/testdata/"

func TestLabImportKillercoda(t *testing.T) {
	ctx := context.Background()
	envDir := filepath.Join(t.TempDir(), "runtime-labs")
	getenv := func(k string) string {
		if k == "PLAYGROUND_LABS_DIR" {
			return envDir
		}
		return ""
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := importKillercoda(ctx, args, &out, getenv)
		return out.String(), err
	}

	out, err := run(kcScenarios + "first-steps")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	dir := filepath.Join(envDir, "first-steps")
	for _, want := range []string{
		`converted to the lab "first-steps": 5 sections, 1 nodes`,
		"What did not carry over as it was, by file of the scenario",
		"  step3/text.md:5: {{exec interrupt}} sends Ctrl-C first in Killercoda",
		"The lab is in " + dir + " and lints clean.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errs := labs.Lint(os.DirFS(dir), "."); len(errs) > 0 {
		t.Fatalf("the imported lab does not lint: %v", errs)
	}
	if _, err := run(kcScenarios + "first-steps"); !errors.Is(err, pwdimport.ErrExists) {
		t.Fatalf("second import: err = %v, want the folder refused", err)
	}
	if out, err := run(kcScenarios+"first-steps", "--force", "--slug", "kc-basics", "--out", t.TempDir()); err != nil || !strings.Contains(out, `"kc-basics"`) {
		t.Fatalf("import --force --slug --out: %v\n%s", err, out)
	}

	// Missing files are notes; a Kubernetes backend is refused.
	out, err = run(kcScenarios + "missing-files")
	if err != nil || !strings.Contains(out, "step1/verify.sh: index.json names this verify script of the step 1, but the folder lacks it") {
		t.Fatalf("missing files: %v\n%s", err, out)
	}
	if _, err := run(kcScenarios + "k8s-pods"); err == nil || !strings.Contains(err.Error(), "Kubernetes backend") {
		t.Fatalf("k8s: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(envDir, "k8s-pods")); err == nil {
		t.Fatal("a refused scenario left a lab")
	}
}
