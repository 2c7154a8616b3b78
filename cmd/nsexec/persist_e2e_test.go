package main

// End-to-end tests of issue 4: persisted namespaces.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/testutil"
)

// Issue 4, point 2: a persisted network namespace outlives the run, works
// with ip netns, and --unpersist removes it.
func TestPersistNetns(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "ip")
	name := unique("nsxp")
	file := "/run/netns/" + name
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", name).Run() })
	before := testutil.Mounts(t)

	testutil.Run(t, "--persist-net", file, "ip", "link", "add", "kept0", "type", "bridge").MustSucceed(t)
	if out, _ := exec.Command("ip", "netns", "list").Output(); !strings.Contains(string(out), name) {
		t.Errorf("ip netns list lacks %s:\n%s", name, out)
	}
	out, err := exec.Command("ip", "netns", "exec", name, "ip", "-o", "link").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "kept0") {
		t.Errorf("ip netns exec %s: %v, %s; want the link made in the run", name, err, out)
	}
	// It can be joined by file, and named again (as ip netns attach does).
	again := file + "-again"
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", name+"-again").Run() })
	r := testutil.Run(t, "--join-net", file, "--persist-net", again, "ip", "-o", "link").MustSucceed(t)
	if !strings.Contains(r.Stdout, "kept0") {
		t.Errorf("--join-net %s: %q", file, r.Stdout)
	}
	for _, f := range []string{file, again} {
		testutil.Run(t, "--unpersist", f).MustSucceed(t)
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s left after --unpersist: %v", f, err)
		}
	}
	if r := testutil.Run(t, "--unpersist", file); r.Code != 125 || !strings.Contains(r.Stderr, "no such file") {
		t.Errorf("--unpersist twice: exit %d, %q", r.Code, r.Stderr)
	}
	testutil.NoNewMounts(t, before)

	// A run that fails before CMD runs persists nothing.
	r = testutil.Run(t, "--persist-net", file, "/nonexistent/cmd")
	if r.Code != 127 {
		t.Errorf("exit %d, want 127", r.Code)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("%s left by a failed run: %v", file, err)
	}
	testutil.NoNewMounts(t, before)
}

// Every kind can be persisted, mount and time namespaces too (those need
// care: a private mount; offsets set before the bind), and joined again
// from its file after the run; a PID namespace whose PID 1 has gone takes
// no new process, which is reported as such.
func TestPersistEachKind(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	t.Cleanup(func() { exec.Command("umount", "-R", "-l", dir).Run() })
	kinds := map[string]string{"net": "net", "pid": "pid", "uts": "uts", "mount": "mnt", "ipc": "ipc", "user": "user", "cgroup": "cgroup", "time": "time"}
	args := []string{"--boottime", "500", "-u", "kept"}
	for flag := range kinds {
		args = append(args, "--persist-"+flag, filepath.Join(dir, flag))
	}
	r := testutil.Run(t, append(args, "sh", "-c", "cd /proc/self/ns && for k in *; do echo $k $(readlink $k); done")...).MustSucceed(t)
	inRun := map[string]string{}
	for _, l := range r.Lines() {
		if f := strings.Fields(l); len(f) == 2 {
			inRun[f[0]] = f[1]
		}
	}
	for flag, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			file := filepath.Join(dir, flag)
			var st unix.Stat_t
			if err := unix.Stat(file, &st); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%s:[%d]", kind, st.Ino); inRun[kind] != want {
				t.Errorf("%s holds %s, want the run's %s", file, want, inRun[kind])
			}
			if kind == "pid" {
				r := testutil.Run(t, "--join-pid", file, "true")
				if r.Code != 125 || !strings.Contains(r.Stderr, "the joined PID namespace has no PID 1 any more") {
					t.Errorf("join a PID namespace without PID 1: exit %d, %q", r.Code, r.Stderr)
				}
			} else if _, pid := joined(t, []string{"--join-" + flag, file}, ""); nsLink(t, pid, kind) != inRun[kind] {
				t.Errorf("joined %s, want %s", nsLink(t, pid, kind), inRun[kind])
			}
			testutil.Run(t, "--unpersist", file).MustSucceed(t)
		})
	}
}
