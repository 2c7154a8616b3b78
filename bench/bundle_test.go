package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"nsexec/internal/testutil"
)

// The rootfs works on its own: busybox's shell and applets run chrooted in it.
func TestRootfsRunsBusybox(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "busybox")
	dir := t.TempDir()
	if err := buildRootfs(dir); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "id -un; head -1 /etc/passwd; ls -d /proc /dev /sys /tmp; stat -c %a /tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: dir}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("chrooted busybox sh: %v\n%s", err, out)
	}
	want := "root\nroot:x:0:0:root:/root:/bin/sh\n/dev\n/proc\n/sys\n/tmp\n1777\n" // ls sorts
	if string(out) != want {
		t.Errorf("chrooted output:\n%s\nwant:\n%s", out, want)
	}
}

// The bundle runs under runc and crun (crun through its hybrid-cgroup
// wrapper here), with the edit applied, and crun's wrapper leaves the host's
// cgroup mounts alone. runc and crun are bench tools (make bench-deps), not
// test dependencies, so this skips where they are not installed, even in CI.
func TestBundleRunsUnderRuncAndCrun(t *testing.T) {
	testutil.RequireRoot(t)
	mountsBefore := testutil.Mounts(t)
	for _, rt := range []string{"runc", "crun"} {
		t.Run(rt, func(t *testing.T) {
			if _, err := exec.LookPath(rt); err != nil {
				t.Skipf("%s is not installed (make bench-deps installs it)", rt)
			}
			b := newBundle("test-"+rt, "sh", "-c", "echo $(hostname) $(id -u)")
			b.Edit = func(s *specs.Spec) { s.Hostname = "bundle-" + rt }
			cleanup, err := b.Setup()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				cleanup()
				if _, err := os.Stat(b.Dir); !os.IsNotExist(err) {
					t.Errorf("bundle %s left behind", b.Dir)
				}
			})
			argv := b.Runc()
			if rt == "crun" {
				argv = b.Crun()
			}
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
			}
			if got, want := strings.TrimSpace(stdout.String()), "bundle-"+rt+" 0"; got != want {
				t.Errorf("%s printed %q, want %q", rt, got, want)
			}
			if _, err := os.Stat(filepath.Join("/run", rt, b.ID)); !os.IsNotExist(err) {
				t.Errorf("%s state of %s left after the run", rt, b.ID)
			}
		})
	}
	testutil.NoNewMounts(t, mountsBefore)
	if hybridCgroups() && !testutil.Mounts(t)["/sys/fs/cgroup/unified"] {
		t.Error("crun's wrapper unmounted /sys/fs/cgroup/unified on the host")
	}
}
