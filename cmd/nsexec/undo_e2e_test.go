package main

import (
	"os/exec"
	"strconv"
	"testing"
	"time"

	"nsexec/internal/container"
	"nsexec/internal/state"
	"nsexec/internal/testutil"
)

// Issue 10: a run's host parts record what undoing them takes, so that a
// process other than its nsexec (a later delete) undoes it: here the test
// itself, after the supervising nsexec was SIGKILLed and could undo
// nothing. The cgroup is removed, and the process left in it killed.
func TestUndoFromAnotherProcess(t *testing.T) {
	testutil.RequireRoot(t)
	parent := testutil.CgroupParent(t)
	name := unique("nsxu")
	marker := unique("nsxundo")
	cmd := testutil.Command(t, "--name", name, "--pids-limit", "50", "--cgroup-parent", parent,
		"sh", "-c", "sh -c 'sleep 60; : "+marker+"' & echo ready; wait")
	startReady(t, cmd)
	t.Cleanup(func() {
		for _, p := range testutil.ProcessesWith(marker) {
			if pid, err := strconv.Atoi(p); err == nil {
				exec.Command("kill", "-9", strconv.Itoa(pid)).Run()
			}
		}
	})
	dir, err := state.DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := state.Open(dir).Get(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Undo) != 1 || rec.Undo[0].Kind != "cgroup" {
		t.Fatalf("undo steps %+v, want the cgroup's", rec.Undo)
	}
	testutil.KillNsexec(cmd)
	if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) == 1 }) {
		t.Fatalf("after SIGKILL of nsexec: %v", testutil.ProcessesWith(marker))
	}
	if len(testutil.RunCgroups(t, parent)) == 0 {
		t.Fatal("no cgroup left to undo: the test proves nothing")
	}
	if err := container.UndoRecorded(rec.Undo); err != nil {
		t.Fatal(err)
	}
	if left := testutil.RunCgroups(t, parent); len(left) > 0 {
		t.Errorf("cgroups left: %v", left)
	}
	if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) == 0 }) {
		t.Errorf("processes of the run left: %v", testutil.ProcessesWith(marker))
	}
	// The record itself is stale now: the next lookup deletes it.
	if _, err := state.Open(dir).Get(name); err != state.ErrNotFound {
		t.Errorf("record of the dead run: %v", err)
	}
	// A recorded step outside a run's cgroup is refused.
	bad := []state.UndoStep{{Kind: "cgroup", Data: []byte(`{"dirs":["/sys/fs/cgroup/pids"]}`)}}
	if err := container.UndoRecorded(bad); err == nil {
		t.Error("undo of a directory that is no run's cgroup was done")
	}
}
