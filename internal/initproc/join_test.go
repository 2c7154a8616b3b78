package initproc

import (
	"strings"
	"testing"

	"nsexec/internal/spec"
)

func TestEarlyEnv(t *testing.T) {
	tests := []struct {
		e    Early
		want string
	}{
		{Early{Root: -1, Cwd: -1, Ready: -1, Proc: -1}, "_NSEXEC_JOIN="},
		{Early{NS: []EarlyNS{{spec.User, 4}, {spec.Net, 5}, {spec.Mount, 6}}, Root: 7, Cwd: 8, Ready: -1,
			Groups: []uint32{0, 27}, SetGroups: true, Cgroups: []int{9, 10}, Proc: 11},
			"_NSEXEC_JOIN=groups=0,27 cgroup=9,10 proc=11 ns=user:4 ns=net:5 ns=mnt:6 root=7 cwd=8"},
		{Early{NS: []EarlyNS{{spec.User, 4}}, Root: -1, Cwd: -1, Proc: -1, Unshare: 0x20020000, TimeOffsets: &[2]int64{-5, 7}, Ready: 5},
			"_NSEXEC_JOIN=ns=user:4 unshare=537001984 timens=-5:7 ready=5"},
		{Early{Root: -1, Cwd: -1, Ready: -1, Proc: -1, SetGroups: true}, "_NSEXEC_JOIN=groups="},
	}
	for _, tt := range tests {
		if got := tt.e.Env(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

func TestJoinRecords(t *testing.T) {
	s := spec.New()
	s.Args = []string{"sh"}
	s.Join.Plan = &spec.JoinPlan{Kinds: []spec.Namespace{spec.Net}, Identity: &spec.Identity{
		UID: 1000, GID: 100, CapPrm: 0xff, CapEff: 0xf, CapBnd: 0x1ff, NoNewPrivs: true,
		Env: []string{"PATH=/bin", "A=b=c"},
	}}
	records := strings.Split(string(Config(s, 1)), "\x00")
	for _, want := range []string{"jident=1", "jenv=PATH=/bin", "jenv=A=b=c", "juid=1000", "jgid=100", "jcaps=0:ff:f", "jbnd=1ff", "jnnp=1"} {
		found := false
		for _, r := range records {
			found = found || r == want
		}
		if !found {
			t.Errorf("no record %q in %q", want, records)
		}
	}
	// --uid given: the target's user and capabilities are not taken.
	uid := uint32(0)
	s.Process.UID = &uid
	for _, r := range strings.Split(string(Config(s, 1)), "\x00") {
		if strings.HasPrefix(r, "juid=") || strings.HasPrefix(r, "jcaps=") {
			t.Errorf("record %q with --uid", r)
		}
	}
	// A time namespace made before the config is not asked for again.
	s = spec.New()
	s.Args = []string{"sh"}
	s.New[spec.Time], s.MonotonicOffset = true, 5
	s.Join.Persist = map[spec.Namespace]string{spec.Time: "/t"}
	if strings.Contains(string(Config(s, 1)), "timens=") {
		t.Error("timens record for a time namespace join.c creates")
	}
}
