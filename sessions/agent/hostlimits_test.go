package agent

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeProc writes a /proc with meminfo and the given sysctls.
func fakeProc(t *testing.T, memKiB int64, sysctls map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "meminfo"), []byte("MemTotal:       "+strconv.FormatInt(memKiB, 10)+" kB\nMemFree: 1 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, v := range sysctls {
		p := SharedLimit{Sysctl: name}.Path(root)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestSharedLimitsSizedToMemory(t *testing.T) {
	t.Parallel()
	// 24 GiB: the keys need one per MiB, inotify instances one per 512 bytes.
	proc := fakeProc(t, 24<<20, map[string]string{
		"kernel.keys.maxkeys":           "200",
		"fs.inotify.max_user_instances": "1000000000",
		"user.max_net_namespaces":       "96367",
		"fs.file-max":                   "garbage",
	})
	if _, err := ReadSharedLimits(proc); err == nil || !strings.Contains(err.Error(), "fs.file-max") {
		t.Fatalf("a setting that is not a number: %v", err)
	}
	os.WriteFile(SharedLimit{Sysctl: "fs.file-max"}.Path(proc), []byte("2466248\n"), 0o644)
	states, err := ReadSharedLimits(proc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]LimitState{}
	for _, s := range states {
		got[s.Sysctl] = s
	}
	if s := got["kernel.keys.maxkeys"]; s.Now != 200 || s.Needed != 24<<10 || !s.Blocking() {
		t.Errorf("maxkeys: %+v, want 200 of 24576 and blocking", s)
	}
	if s := got["fs.inotify.max_user_instances"]; s.Short() {
		t.Errorf("inotify instances above the need count as short: %+v", s)
	}
	if s := got["user.max_net_namespaces"]; !s.Short() || s.Blocking() {
		t.Errorf("net namespaces: %+v, want short but advisory", s)
	}
	if s := got["fs.epoll.max_user_watches"]; s.Now != -1 || s.Short() {
		t.Errorf("a setting the kernel lacks: %+v, want absent and not short", s)
	}
	if short := ShortLimits(states, false); len(short) != 2 || !strings.HasPrefix(short[0], "kernel.keys.maxkeys=200 (needs 24576)") {
		t.Errorf("blocking: %v", short)
	}
	var table strings.Builder
	WriteLimitsTable(&table, states)
	for _, want := range []string{"TOO LOW", "low (advisory)", "absent", "ok"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}

	// Applying raises the short ones, never lowers, and says what to keep.
	states, err = ApplySharedLimits(proc)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"kernel.keys.maxkeys": "24576", "fs.inotify.max_user_instances": "1000000000", "user.max_net_namespaces": "786432"} {
		b, _ := os.ReadFile(SharedLimit{Sysctl: name}.Path(proc))
		if strings.TrimSpace(string(b)) != want {
			t.Errorf("%s after apply = %s, want %s", name, b, want)
		}
	}
	if short := ShortLimits(states, false); len(short) != 0 {
		t.Errorf("still short after apply: %v", short)
	}
	conf := SysctlConf(states)
	if !strings.Contains(conf, "kernel.keys.maxkeys = 24576\n") || !strings.Contains(conf, "fs.inotify.max_user_instances = 1000000000\n") || strings.Contains(conf, "epoll") {
		t.Errorf("sysctl.d file:\n%s", conf)
	}
}

func TestSharedLimitNeededIsBounded(t *testing.T) {
	t.Parallel()
	l := SharedLimit{Sysctl: "fs.inotify.max_user_watches", Cost: 64}
	if got := l.Needed(1 << 40); got != math.MaxInt32 {
		t.Errorf("a 1 TiB host needs %d watches, want the settings' largest value %d", got, math.MaxInt32)
	}
	if got := l.Needed(10); got != 1 {
		t.Errorf("a tiny host needs %d, want 1", got)
	}
}
