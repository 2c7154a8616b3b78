package main

import (
	"os"
	"testing"

	"nsexec/internal/testutil"
)

// The memory probe finds the started process and its first child while CMD
// runs below, with unshare's PID 1 being CMD itself.
func TestMeasureMemoryFindsPID1(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "unshare")
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmds := commandsOf(Case{Ours: []string{"unshare", "-p", "--fork", "--mount-proc", "sleep", "0.5"}}, "")
	m := measureMemory(cmds, "sleep", devnull)[0]
	if m.failed != "" {
		t.Fatal(m.failed)
	}
	if m.parent.comm != "unshare" || m.pid1.comm != "sleep" {
		t.Errorf("parent %q, PID 1 %q; want unshare, sleep", m.parent.comm, m.pid1.comm)
	}
	for _, p := range []procMem{m.parent, m.pid1} {
		if p.rss <= 0 || p.pss <= 0 || p.pss > p.rss {
			t.Errorf("%s: RSS %d kB, PSS %d kB", p.comm, p.rss, p.pss)
		}
	}
	// A command that ends before CMD runs is reported, not waited for.
	cmds = commandsOf(Case{Ours: []string{"true"}}, "")
	if m := measureMemory(cmds, "sleep", devnull)[0]; m.failed == "" {
		t.Error("no failure for a command that never ran sleep")
	}
}
