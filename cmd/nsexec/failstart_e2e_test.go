package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nsexec/internal/testutil"
)

// A run that fails between the clone and CMD's exec, at any step, leaves
// nothing: no process, mount, cgroup, persisted namespace or instance
// record; and says why once, with nsexec's own exit status.
func TestFailedStartLeavesNothing(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	os.Chmod(filepath.Join(root, "root"), 0o700)
	parent := testutil.CgroupParent(t)
	persist := filepath.Join(t.TempDir(), "uts")
	marker := fmt.Sprintf("%d.%d", 3000+os.Getpid()%1000, time.Now().UnixNano()%1000000)
	name := "failstart-" + marker
	base := []string{"--name", name, "-p", "--rootfs", root, "--cgroup-parent", parent, "--memory", "64m",
		"--pids-limit", "32", "--persist-uts", persist, "-u", "h"}
	big := "X=" + strings.Repeat("y", 100<<10) // a config of more than one chunk
	tests := []struct {
		step string
		args []string
		code int
		err  string
	}{
		{"mount plan", []string{"--tmpfs", "/bin/busybox/sub", "sleep", marker}, 125, "nsexec: mount tmpfs on /bin/busybox/sub"},
		{"bind source", []string{"--bind", "/nonexistent-" + marker + ":/mnt", "sleep", marker}, 125, "nsexec: bind /nonexistent-"},
		{"working directory as another user", []string{"--uid", "1000", "--chdir", "/root", "sleep", marker}, 125, "nsexec: --chdir /root"},
		{"working directory", []string{"--env", big, "--chdir", "/nonexistent", "sleep", marker}, 125, "nsexec: --chdir /nonexistent"},
		{"exec", []string{"/nonexistent-" + marker}, 127, "nsexec: exec /nonexistent-"},
		{"not executable", []string{"/etc/passwd"}, 126, "nsexec: exec /etc/passwd"},
	}
	before := testutil.Mounts(t)
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			r := testutil.Run(t, append(append([]string{}, base...), tt.args...)...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.err) || strings.Count(r.Stderr, "nsexec: ") != 1 {
				t.Errorf("exit %d, stderr %q: want %d and one %q", r.Code, r.Stderr, tt.code, tt.err)
			}
			if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) == 0 }) {
				t.Errorf("processes left: %v", testutil.ProcessesWith(marker))
			}
			testutil.NoNewMounts(t, before)
			if left := testutil.RunCgroups(t, parent); len(left) > 0 {
				t.Errorf("cgroups left: %v", left)
			}
			if _, err := os.Lstat(persist); !os.IsNotExist(err) {
				t.Errorf("persisted namespace file left: %v", err)
			}
			if l := testutil.Run(t, "--list"); strings.Contains(l.Stdout, name) {
				t.Errorf("instance record left: %s", l.Stdout)
			}
		})
	}
}
