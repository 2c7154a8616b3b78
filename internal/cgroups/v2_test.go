package cgroups_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsexec/internal/cgroups"
	"nsexec/internal/testutil"
)

// v2Root is a cgroup v2 hierarchy to test the v2 code on: the host's, or
// on a hybrid host the v2 tree beside the v1 controllers (which has no
// controller of its own, but runs device programs, CLONE_INTO_CGROUP,
// cgroup.kill and removal like any).
func v2Root(t *testing.T) string {
	testutil.RequireRoot(t)
	for _, root := range []string{cgroups.Root, cgroups.Root + "/unified"} {
		if v2, err := cgroups.IsV2At(root); err == nil && v2 {
			return root
		}
	}
	t.Skip("skipped: no cgroup v2 hierarchy mounted")
	return ""
}

// A run's cgroup on v2: the init born in it (CLONE_INTO_CGROUP), only the
// default devices, what is left killed (cgroup.kill), and a stale one
// removed.
func TestV2(t *testing.T) {
	root := v2Root(t)
	parent := fmt.Sprintf("nsexec-test-v2-%d", os.Getpid())
	t.Cleanup(func() {
		if err := syscall.Rmdir(filepath.Join(root, parent)); err != nil {
			t.Errorf("remove the parent: %v", err)
		}
	})
	cg, err := cgroups.CreateAt(root, "/"+parent, cgroups.Resources{Devices: cgroups.DefaultDevices})
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Destroy()
	if !cg.IsV2Cgroup() || cg.FD() < 0 {
		t.Fatalf("not a v2 cgroup: %+v", cg)
	}

	probe := testutil.Probe(t)
	cmd := exec.Command(probe, "mknod", t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: cg.FD()}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(string(out)), " "); got != "mknod_block EPERM mknod_char EPERM mknod_null allowed" {
		t.Errorf("devices on v2: %s", got)
	}

	sleeper := exec.Command("sleep", "60")
	sleeper.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: cg.FD()}
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Process.Kill()
	if moved, err := cg.Attach(sleeper.Process.Pid); err != nil || moved {
		t.Errorf("Attach of a process born in the cgroup: moved %v, %v", moved, err)
	}
	dir := cg.Dirs[0]
	if err := cg.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", dir, err)
	}
	done := make(chan error, 1)
	go func() { done <- sleeper.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("the process left in the cgroup was not killed")
	}

	// A cgroup whose nsexec died (its locks gone) is stale.
	stale, err := cgroups.CreateAt(root, "/"+parent, cgroups.Resources{})
	if err != nil {
		t.Fatal(err)
	}
	staleDir := stale.Dirs[0]
	stale.DropLocks()
	live, err := cgroups.CreateAt(root, "/"+parent, cgroups.Resources{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Destroy()
	if _, err := os.Stat(staleDir); !os.IsNotExist(err) {
		t.Errorf("the next run left the stale %s: %v", staleDir, err)
	}
	if n, err := cgroups.CleanupAt(root, "/"+parent); err != nil || n != 0 {
		t.Errorf("cleanup removed %d (%v): a live run's cgroup is not stale", n, err)
	}
	if _, err := os.Stat(live.Dirs[0]); err != nil {
		t.Errorf("the live cgroup: %v", err)
	}
}
