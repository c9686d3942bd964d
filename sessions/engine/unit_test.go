package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labplay/playground/fault"

	"github.com/docker/docker/api/types/container"

	"github.com/labplay/playground/sessions"
)

func TestNames(t *testing.T) {
	t.Parallel()
	id := "0123456789abcdef0123"
	if got, want := NetworkName(id), "pg-0123456789ab"; got != want {
		t.Errorf("NetworkName = %q, want %q", got, want)
	}
	if got, want := ContainerName(id, "node2"), "pg-0123456789ab-node2"; got != want {
		t.Errorf("ContainerName = %q, want %q", got, want)
	}
	if got, want := NetworkName("abc"), "pg-abc"; got != want {
		t.Errorf("NetworkName(short) = %q, want %q", got, want)
	}
}

func TestValidNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s           string
		label, node bool
	}{
		{"node1", true, true},
		{"abc-DEF_1.2", true, false},
		{"", false, false},
		{"-x", true, false},
		{"_l0wCfVyDKDPqGQ4TkLrtgf0gsiPOpbx", true, false}, // a session id as NewID makes them
		{"a b", false, false},
		{"a/b", false, false},
		{"node-", true, false},
		{"Node1", true, false},
		{strings.Repeat("a", 64), true, false},
		{strings.Repeat("a", 129), false, false},
	} {
		if got := validLabelValue(tc.s); got != tc.label {
			t.Errorf("validLabelValue(%q) = %v, want %v", tc.s, got, tc.label)
		}
		if got := validNodeName(tc.s); got != tc.node {
			t.Errorf("validNodeName(%q) = %v, want %v", tc.s, got, tc.node)
		}
	}
	for i := 0; i < 2000; i++ {
		if id := sessions.NewID(); checkSessionID(id) != nil || !validLabelValue(ContainerName(id, "node1")) {
			t.Fatalf("session id %q is refused", id)
		}
	}
	if err := checkNodeNames([]string{"node1", "node1"}); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("repeated names: got %v, want EINVALID", err)
	}
	if err := checkNodeNames(nil); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("no names: got %v, want EINVALID", err)
	}
	if err := checkNodeNames([]string{"node1", "node2", "node3"}); err != nil {
		t.Errorf("good names: %v", err)
	}
}

func TestNodeAddrs(t *testing.T) {
	t.Parallel()
	gw, addrs, err := NodeAddrs(netip.MustParsePrefix("100.64.3.16/28"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if gw != netip.MustParseAddr("100.64.3.17") {
		t.Errorf("gateway = %s", gw)
	}
	want := []string{"100.64.3.18", "100.64.3.19", "100.64.3.20"}
	if fmt.Sprint(addrs) != "["+strings.Join(want, " ")+"]" {
		t.Errorf("addrs = %v, want %v", addrs, want)
	}
	// An unmasked prefix is masked first.
	if gw, _, _ := NodeAddrs(netip.MustParsePrefix("100.64.3.21/28"), 1); gw != netip.MustParseAddr("100.64.3.17") {
		t.Errorf("unmasked gateway = %s", gw)
	}
	for _, tc := range []struct {
		p string
		n int
	}{
		{"100.64.3.0/30", 2}, // 4 addresses: room for one node only
		{"fd00::/64", 3},
		{"100.64.3.0/28", 14},
		{"100.64.3.0/28", 0},
	} {
		if _, _, err := NodeAddrs(netip.MustParsePrefix(tc.p), tc.n); fault.ErrorCode(err) != fault.EINVALID {
			t.Errorf("NodeAddrs(%s, %d): got %v, want EINVALID", tc.p, tc.n, err)
		}
	}
	if _, addrs, err := NodeAddrs(netip.MustParsePrefix("100.64.3.0/28"), 13); err != nil || addrs[12] != netip.MustParseAddr("100.64.3.14") {
		t.Errorf("full /28: %v %v", addrs, err)
	}
	if _, _, err := NodeAddrs(netip.Prefix{}, 3); fault.ErrorCode(err) != fault.EINVALID {
		t.Errorf("zero prefix: got %v, want EINVALID", err)
	}
}

func TestPrivilegeRefusal(t *testing.T) {
	t.Parallel()
	refused := []string{
		`Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: unable to apply caps: operation not permitted: unknown`,
		`failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: unable to apply caps: can't apply capabilities: operation not permitted`,
	}
	for _, msg := range refused {
		if !isPrivilegeRefusal(errors.New(msg)) {
			t.Errorf("not classified as a refusal: %s", msg)
		}
	}
	other := []string{
		`OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "/bin/true": stat /bin/true: no such file or directory: unknown`,
		`Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
		`No such image: playground-node:latest`,
	}
	for _, msg := range other {
		if isPrivilegeRefusal(errors.New(msg)) {
			t.Errorf("wrongly classified as a refusal: %s", msg)
		}
	}
	if isPrivilegeRefusal(nil) {
		t.Error("nil is a refusal")
	}
}

func TestSecurityConfig(t *testing.T) {
	t.Parallel()
	var hc container.HostConfig
	securityConfig(&hc, ModeUnsafePrivileged, "")
	if !hc.Privileged || hc.UsernsMode != "host" || hc.CgroupnsMode != container.CgroupnsModePrivate || len(hc.CapAdd) != 0 || len(hc.SecurityOpt) != 0 {
		t.Errorf("privileged config = %+v", hc)
	}
	hc = container.HostConfig{}
	securityConfig(&hc, ModeRuntime, "sysbox-runc")
	if hc.Runtime != "sysbox-runc" || hc.Privileged || len(hc.CapAdd) != 0 || hc.MaskedPaths != nil || hc.UsernsMode != "" {
		t.Errorf("runtime config = %+v", hc)
	}
	for _, mode := range []NodeMode{ModeUserns, ModeUnsafeCapabilities} {
		hc = container.HostConfig{}
		securityConfig(&hc, mode, "")
		if hc.Privileged {
			t.Errorf("%s: config is privileged", mode)
		}
		// Only the unsafe mode leaves the engine's user namespace; both get
		// a cgroup namespace of their own.
		if wantHost := mode == ModeUnsafeCapabilities; (hc.UsernsMode == "host") != wantHost {
			t.Errorf("%s: userns mode %q", mode, hc.UsernsMode)
		}
		if hc.CgroupnsMode != container.CgroupnsModePrivate {
			t.Errorf("%s: cgroupns mode %q", mode, hc.CgroupnsMode)
		}
		if fmt.Sprint(hc.CapAdd, hc.CapDrop) != "[ALL] [SYS_RESOURCE]" {
			t.Errorf("%s: caps = %v %v", mode, hc.CapAdd, hc.CapDrop)
		}
		for _, want := range []string{`seccomp={"defaultAction":"SCMP_ACT_ALLOW"`, `"keyctl"`, "apparmor=unconfined"} {
			if !strings.Contains(strings.Join(hc.SecurityOpt, " "), want) {
				t.Errorf("%s: security options %v lack %s", mode, hc.SecurityOpt, want)
			}
		}
		// systempaths=unconfined is empty lists that encode as [], not null.
		js, err := json.Marshal(hc)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"MaskedPaths":[]`, `"ReadonlyPaths":[]`} {
			if !strings.Contains(string(js), want) {
				t.Errorf("%s: host config JSON lacks %s", mode, want)
			}
		}
	}
	// The shared defaults must not be aliased into a host config.
	hc.CapAdd[0] = "X"
	if nodeCapAdd[0] != "ALL" {
		t.Error("securityConfig aliases the package defaults")
	}
	if !ModeUserns.Safe() || !ModeRuntime.Safe() || ModeUnsafeCapabilities.Safe() || ModeUnsafePrivileged.Safe() {
		t.Error("Safe() misjudges a mode")
	}
}

func TestRemapsUsers(t *testing.T) {
	t.Parallel()
	for opts, want := range map[string]bool{
		"name=seccomp,profile=default name=userns": true,
		"userns":                       true,
		"name=seccomp,profile=default": false,
		"name=rootless name=cgroupns":  false,
		"":                             false,
	} {
		if got := remapsUsers(strings.Fields(opts)); got != want {
			t.Errorf("remapsUsers(%q) = %v, want %v", opts, got, want)
		}
	}
}

func TestNodeConfig(t *testing.T) {
	t.Parallel()
	e := New(nil, Config{Instance: "t1", AgentArgs: []string{"--registry-mirror", "http://m"}}, nil)
	spec := NodeSpec{Name: "node2", Addr: netip.MustParseAddr("100.64.0.3")}
	cfg, hc, nc := e.nodeConfig("sess1", spec, ModeUserns)
	if cfg.Image != DefaultNodeImage || cfg.Hostname != "node2" {
		t.Errorf("config = %+v", cfg)
	}
	if cfg.Labels[LabelInstance] != "t1" || cfg.Labels[LabelSession] != "sess1" || cfg.Labels[LabelNode] != "node2" {
		t.Errorf("labels = %v", cfg.Labels)
	}
	if len(hc.Mounts) != 1 || hc.Mounts[0].Target != nodeDiskDir || hc.Mounts[0].Source != "pg-sess1-node2-disk" ||
		hc.Mounts[0].VolumeOptions.DriverConfig.Options["device"] != DefaultDiskDir+"/pg-sess1-node2.dev" {
		t.Errorf("disk mount = %+v", hc.Mounts)
	}
	if len(cfg.Volumes) != 0 {
		t.Errorf("volumes beside the disk: %v", cfg.Volumes)
	}
	off := New(nil, Config{Instance: "t1", Disk: DiskOff}, nil)
	cfg2, hc2, _ := off.nodeConfig("sess1", spec, ModeUserns)
	if _, ok := cfg2.Volumes[dockerDataDir]; !ok || len(hc2.Mounts) != 0 {
		t.Errorf("without disks: volumes %v, mounts %v; want a volume on %s", cfg2.Volumes, hc2.Mounts, dockerDataDir)
	}
	if fmt.Sprint(cfg.Cmd) != "[--registry-mirror http://m]" {
		t.Errorf("cmd = %v", cfg.Cmd)
	}
	if hc.Memory != DefaultMemory || hc.MemorySwap != DefaultMemory || *hc.PidsLimit != DefaultPidsLimit || hc.NanoCPUs != DefaultNanoCPUs {
		t.Errorf("resources = %+v", hc.Resources)
	}
	if hc.Init == nil || *hc.Init || hc.RestartPolicy.Name != container.RestartPolicyDisabled {
		t.Errorf("init %v, restart %v", hc.Init, hc.RestartPolicy)
	}
	if hc.CgroupnsMode != container.CgroupnsModePrivate || hc.UsernsMode != "" || hc.Privileged {
		t.Errorf("isolation: cgroupns %q, userns %q, privileged %v", hc.CgroupnsMode, hc.UsernsMode, hc.Privileged)
	}
	if string(hc.NetworkMode) != "pg-sess1" {
		t.Errorf("network mode = %s", hc.NetworkMode)
	}
	ep := nc.EndpointsConfig["pg-sess1"]
	if ep == nil || ep.IPAMConfig.IPv4Address != "100.64.0.3" || fmt.Sprint(ep.Aliases) != "[node2]" {
		t.Errorf("endpoint = %+v", ep)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero config: %v", err)
	}
	for _, c := range []Config{
		{Isolation: "sometimes"},
		{Memory: 1 << 30, NodesMemory: 512 << 20},
		{NodesMemory: -2},
		{Memory: 1 << 20},
		{PidsLimit: 10},
		{NanoCPUs: 1},
		{Instance: "a b"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", c)
		}
	}
}

func TestCappedBuffer(t *testing.T) {
	t.Parallel()
	b := &cappedBuffer{max: 5}
	for _, s := range []string{"ab", "cd", "efg", "h"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if b.String() != "abcde" || !b.truncated {
		t.Errorf("buffer = %q, truncated %v", b.String(), b.truncated)
	}
}

func TestWorkingSet(t *testing.T) {
	t.Parallel()
	v1 := container.MemoryStats{Usage: 100, Stats: map[string]uint64{"total_inactive_file": 30}}
	v2 := container.MemoryStats{Usage: 100, Stats: map[string]uint64{"inactive_file": 40}}
	odd := container.MemoryStats{Usage: 10, Stats: map[string]uint64{"inactive_file": 40}}
	if workingSet(v1) != 70 || workingSet(v2) != 60 || workingSet(odd) != 10 {
		t.Errorf("working sets = %d %d %d", workingSet(v1), workingSet(v2), workingSet(odd))
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	if c := fault.ErrorCode(engineError(context.DeadlineExceeded, "x")); c != fault.EUNAVAILABLE {
		t.Errorf("deadline: %s", c)
	}
	if c := fault.ErrorCode(engineError(errors.New("boom"), "x")); c != fault.EINTERNAL {
		t.Errorf("other: %s", c)
	}
	coded := fault.Errorf(fault.ECONFLICT, "taken")
	if got := firstCoded([]error{nil, errors.New("a"), coded}); got != coded {
		t.Errorf("firstCoded = %v, want the coded error", got)
	}
	if firstCoded([]error{nil, nil}) != nil {
		t.Error("firstCoded of nils is not nil")
	}
}

func TestNodeRuntime(t *testing.T) {
	t.Parallel()
	e := New(nil, Config{Instance: "t1", Runtime: "sysbox-runc"}, nil)
	mode, err := e.Mode(t.Context())
	if err != nil || mode != ModeRuntime {
		t.Errorf("Mode with a runtime = %v, %v; want ModeRuntime without asking the engine", mode, err)
	}
	_, hc, _ := e.nodeConfig("sess1", NodeSpec{Name: "node1", Addr: netip.MustParseAddr("100.64.0.2")}, mode)
	if hc.Runtime != "sysbox-runc" || hc.Privileged || len(hc.CapAdd) != 0 || len(hc.SecurityOpt) != 0 || hc.MaskedPaths != nil {
		t.Errorf("with a runtime, host config = runtime %q privileged %v caps %v secopt %v masked %v",
			hc.Runtime, hc.Privileged, hc.CapAdd, hc.SecurityOpt, hc.MaskedPaths)
	}
	if err := (Config{Egress: "sometimes"}).Validate(); err == nil {
		t.Error("an unknown egress mode was accepted")
	}
}

func TestNodeText(t *testing.T) {
	t.Parallel()
	// NUL bytes, invalid UTF-8 and a flood: one short, valid line remains.
	in := "\n  " + strings.Repeat("\x00\xff\xfeé", 2000) + "  \n"
	got := nodeText(in)
	if len(got) > maxNodeText+len("…") || !utf8.ValidString(got) || strings.ContainsRune(got, 0) {
		t.Fatalf("nodeText kept %d bytes, valid %v", len(got), utf8.ValidString(got))
	}
	if nodeText("  docker: not found\n") != "docker: not found" {
		t.Errorf("short text not kept as it is: %q", nodeText("  docker: not found\n"))
	}
}

func TestEgressName(t *testing.T) {
	t.Parallel()
	for instance, want := range map[string]string{
		"default":                     "default",
		"e2e-68b91aa8":                "e2e-68b91aa8",
		"a-name-longer-than-21-chars": "",
		"with.dot":                    "",
	} {
		got := egressName(instance)
		if want != "" && got != want {
			t.Errorf("egressName(%q) = %q, want %q", instance, got, want)
		}
		if want == "" && (len(got) != 16 || got == instance) {
			t.Errorf("egressName(%q) = %q, want a 16-character digest", instance, got)
		}
	}
}

func TestOwnCgroup(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in, want string
		ok             bool
	}{
		{"v1", "12:pids:/pgc-host2/abc\n9:memory:/pgc-host2/abc\n1:name=systemd:/x\n", "/pgc-host2/abc", true},
		{"v1 joined controllers", "4:cpu,memory:/docker/abc\n", "/docker/abc", true},
		{"v2", "0::/system.slice/docker-abc.scope\n", "/system.slice/docker-abc.scope", true},
		{"hybrid prefers memory", "0::/init.scope\n5:memory:/docker/abc\n", "/docker/abc", true},
		{"neither", "1:name=systemd:/x\n", "", false},
		{"garbage", "no cgroups here", "", false},
	} {
		got, ok := ownCgroup(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: ownCgroup = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
