package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsexec/internal/cgroups"
)

// CgroupParent returns a --cgroup-parent of the test's own, and removes it
// when the test ends, failing the test if a run left a cgroup in it.
func CgroupParent(t testing.TB) string {
	t.Helper()
	parent := fmt.Sprintf("nsexec-test-%s-%d", strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()), os.Getpid())
	t.Cleanup(func() {
		if left := RunCgroups(t, parent); len(left) > 0 {
			t.Errorf("cgroups of runs left behind: %v", left)
			for _, d := range left {
				killCgroup(d)
			}
		}
		dirs, _ := cgroups.ParentDirs(parent)
		for _, d := range dirs {
			if err := syscall.Rmdir(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("remove %s: %v", d, err)
			}
		}
	})
	return parent
}

// RunCgroups lists the cgroup directories of runs under parent, in every
// hierarchy.
func RunCgroups(t testing.TB, parent string) []string {
	t.Helper()
	dirs, err := cgroups.ParentDirs(parent)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if e.IsDir() && strings.HasPrefix(e.Name(), "nsexec-") {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	return out
}

// killCgroup empties and removes a cgroup a failed test left.
func killCgroup(dir string) {
	for i := 0; i < 100; i++ {
		data, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		for _, f := range strings.Fields(string(data)) {
			var pid int
			fmt.Sscan(f, &pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if syscall.Rmdir(dir) == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
