package spec

import (
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"64m": 64 << 20, "64M": 64 << 20, "64mb": 64 << 20, "1g": 1 << 30, "512k": 512 << 10,
		"100": 100, "100b": 100, "1.5g": 3 << 29, "2t": 2 << 40,
	} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"64q", "", "m", "-1m", "1e400", "64mm", "0x10", "NaNm", "99999999999t"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q): no error", bad)
		}
	}
}

func TestParseCPUs(t *testing.T) {
	for in, want := range map[string]int64{"0.5": 500, "2": 2000, "1.25": 1250, "0.001": 1} {
		if got, err := ParseCPUs(in); err != nil || got != want {
			t.Errorf("ParseCPUs(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"0", "-1", "x", "", "0.0001", "NaN", "1e9"} {
		if _, err := ParseCPUs(bad); err == nil {
			t.Errorf("ParseCPUs(%q): no error", bad)
		}
	}
}

func TestParseRlimit(t *testing.T) {
	for in, want := range map[string]Rlimit{
		"nofile=1024:4096":  {"nofile", 1024, 4096},
		"NOFILE=10":         {"nofile", 10, 10},
		"RLIMIT_CORE=0":     {"core", 0, 0},
		"stack=unlimited":   {"stack", RlimInfinity, RlimInfinity},
		"as=1000:-1":        {"as", 1000, RlimInfinity},
		"nproc=1:infinity":  {"nproc", 1, RlimInfinity},
		"memlock=0:1048576": {"memlock", 0, 1 << 20},
	} {
		if got, err := ParseRlimit(in); err != nil || got != want {
			t.Errorf("ParseRlimit(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for bad, why := range map[string]string{
		"nofile":         "want NAME=SOFT[:HARD]",
		"nofile=":        "want NAME=SOFT[:HARD]",
		"files=10":       `unknown limit "files"`,
		"nofile=10:5":    "soft limit above the hard limit",
		"nofile=ten":     `value "ten"`,
		"nofile=10:":     `value ""`,
		"nofile=10:20:3": `value "20:3"`,
	} {
		if _, err := ParseRlimit(bad); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseRlimit(%q): %v, want an error saying %q", bad, err, why)
		}
	}
}

func TestLimitChecks(t *testing.T) {
	for _, c := range []struct {
		l    Limits
		want string // "" valid
	}{
		{Limits{Memory: 64 << 20, MemorySwap: 128 << 20, CPUs: 500, PidsLimit: 64, CpusetCPUs: "0-1,3"}, ""},
		{Limits{Memory: 64 << 20, MemorySwap: -1}, ""},
		{Limits{PidsLimit: -1, CPUShares: 1024, Devices: "all"}, ""},
		{Limits{Memory: 1 << 20}, "at least 6MiB"},
		{Limits{MemorySwap: 1 << 30}, "limits.memorySwap needs limits.memory"},
		{Limits{MemorySwap: -1}, "limits.memorySwap needs limits.memory"},
		{Limits{Memory: 64 << 20, MemorySwap: 32 << 20}, "cannot be below limits.memory"},
		{Limits{CPUShares: 1}, "want 2 to 262144"},
		{Limits{CPUWeight: 10001}, "want 1 to 10000"},
		{Limits{CPUShares: 100, CPUWeight: 100}, "give one"},
		{Limits{CpusetCPUs: "1-0"}, "limits.cpusetCPUs"},
		{Limits{CpusetCPUs: "a"}, "limits.cpusetCPUs"},
		{Limits{PidsLimit: -2}, "limits.pidsLimit"},
		{Limits{CgroupParent: "a/../b"}, "no . or .."},
		{Limits{Devices: "some"}, `limits.devices "some"`},
	} {
		s := New()
		s.Args = []string{"true"}
		s.Limits = c.l
		err := s.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.l, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want an error saying %q", c.l, err, c.want)
		}
	}
}

// The spec has no defaults of a kind of run: a run with a rootfs, as any,
// gets what its fields say (the front end fills in Docker's).
func TestNoContainerDefaults(t *testing.T) {
	s := New()
	s.Rootfs.Dir = "/some/rootfs"
	s.Args = []string{"true"}
	s.Normalize()
	if s.DefaultDevicesOnly() || s.NeedsCgroup() || len(s.Kinds()) != 0 || s.Security.NoNewPrivs {
		t.Errorf("a spec with a rootfs got defaults: devices %v, cgroup %v, kinds %v", s.DefaultDevicesOnly(), s.NeedsCgroup(), s.Kinds())
	}
	s.Limits.Devices = DevicesDefault
	if !s.DefaultDevicesOnly() || !s.NeedsCgroup() {
		t.Error("the standard devices only, without a cgroup")
	}
}

func TestSecurityChecks(t *testing.T) {
	s := New()
	s.Args = []string{"true"}
	s.Security.CapAdd = []string{"NET_ADMIN", "all"}
	s.Security.CapDrop = []string{"CAP_NOPE"}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `security.capDrop: unknown capability "CAP_NOPE"`) {
		t.Errorf("an unknown capability: %v", err)
	}
	s.Security.CapDrop = nil
	s.Security.Caps = []string{"chown", "CAP_KILL", "ALL"}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	s.Security.Caps = []string{"CAP_FOO"}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `security.caps: unknown capability "CAP_FOO"`) {
		t.Errorf("an unknown capability: %v", err)
	}
}
