package initproc

import (
	"strings"
	"testing"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

func TestEarlyBody(t *testing.T) {
	tests := []struct {
		e    *Early
		want string
	}{
		{NewEarly(), "end"},
		{&Early{NS: []EarlyNS{{spec.User, 4}, {spec.Net, 5}, {spec.Mount, 6}}, Root: 7, Cwd: 8, Proc: 11,
			Groups: []uint32{0, 27}, SetGroups: true, Cgroups: []int{9, 10}},
			"early_cgroup=9 10|early_groups=0 27|early_proc=11|early_ns=268435456 4|early_ns=1073741824 5|" +
				"early_ns=131072 6|early_root=7|early_cwd=8|end"},
		{&Early{NS: []EarlyNS{{spec.User, 4}}, Root: -1, Cwd: -1, Proc: -1, Unshare: 0x20020000,
			TimeOffsets: &[2]int64{-5, 7}, Ack: true},
			"early_ns=268435456 4|early_unshare=537001984|early_timens=-5 7|early_ack|end"},
		{&Early{Root: -1, Cwd: -1, Proc: -1, SetGroups: true}, "early_groups=|end"},
	}
	for _, tt := range tests {
		if got := strings.Join(records(t, tt.e.Body()), "|"); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
	if !NewEarly().Empty() || (&Early{Root: -1, Cwd: -1, Proc: -1, Ack: true}).Empty() {
		t.Error("Empty")
	}
}

func TestJoinRecords(t *testing.T) {
	s := plan.New(spec.New())
	s.Args = []string{"sh"}
	s.Joined = &plan.Joined{Kinds: []spec.Namespace{spec.Net}, Identity: &plan.Identity{
		UID: 1000, GID: 100, CapPrm: 0xff, CapEff: 0xf, CapBnd: 0x1ff, NoNewPrivs: true,
		Env: []string{"PATH=/bin", "A=b=c"},
	}}
	recs := records(t, Config(s, 1))
	for _, want := range []string{"join_ident", "join_env=PATH=/bin", "join_env=A=b=c", "join_uid=1000", "join_gid=100", "join_caps=0 255 15", "join_bnd=511", "join_nnp"} {
		found := false
		for _, r := range recs {
			found = found || r == want
		}
		if !found {
			t.Errorf("no record %q in %q", want, recs)
		}
	}
	// --uid given: the target's user and capabilities are not taken.
	uid := uint32(0)
	s.Process.UID = &uid
	for _, r := range records(t, Config(s, 1)) {
		if strings.HasPrefix(r, "join_uid=") || strings.HasPrefix(r, "join_caps=") {
			t.Errorf("record %q with --uid", r)
		}
	}
	// A time namespace made before the config is not asked for again.
	s = plan.New(spec.New())
	s.Args = []string{"sh"}
	s.New[spec.Time], s.MonotonicOffset = true, 5
	s.Join.Persist = map[spec.Namespace]string{spec.Time: "/t"}
	if strings.Contains(strings.Join(records(t, Config(s, 1)), "|"), "timens=") {
		t.Error("timens record for a time namespace join.c creates")
	}
}
