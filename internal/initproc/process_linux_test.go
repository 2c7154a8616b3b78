package initproc_test

// End-to-end tests of what CMD runs as: --chdir, --env, --clear-env,
// --uid, --gid, --groups, as root and rootless.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"nsexec/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestChdir(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.BusyboxRootfs(t)
	os.MkdirAll(filepath.Join(r, "work", "dir"), 0o755)
	// A symlink out of the rootfs is followed inside it: the cwd stays in.
	os.Symlink("../../../../../../..", filepath.Join(r, "out"))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--rootfs", r}, "/"},
		{[]string{"--rootfs", r, "--chdir", "/work/dir"}, "/work/dir"},
		{[]string{"--rootfs", r, "--chdir", "/out"}, "/"},
		{[]string{"--chdir", "/tmp"}, "/tmp"},
	}
	for _, tt := range tests {
		// busybox's pwd -P asks the kernel, not $PWD.
		res := testutil.Run(t, append(append([]string{"-p", "-m"}, tt.args...), "sh", "-c", "pwd -P")...).MustSucceed(t)
		if got := strings.TrimSpace(res.Stdout); got != tt.want {
			t.Errorf("%v: cwd %q, want %q", tt.args, got, tt.want)
		}
	}
	res := testutil.Run(t, "--chdir", "/nonexistent", "true")
	if res.Code != 125 || !strings.HasPrefix(res.Stderr, "nsexec: --chdir /nonexistent: No such file or directory") {
		t.Errorf("missing dir: exit %d, %q", res.Code, res.Stderr)
	}
	res = testutil.Run(t, "--chdir", "relative", "true")
	if res.Code != 125 || !strings.Contains(res.Stderr, "must be an absolute path") {
		t.Errorf("relative dir: exit %d, %q", res.Code, res.Stderr)
	}
}

func TestEnv(t *testing.T) {
	testutil.RequireRoot(t)
	cmd := testutil.Command(t, "--clear-env", "--env", "A=1", "--env", "B=x=y", "--env", "A=2", "/usr/bin/env")
	res := testutil.RunCmd(t, cmd).MustSucceed(t)
	if got, want := res.Lines(), []string{"A=2", "B=x=y"}; !slices.Equal(got, want) {
		t.Errorf("--clear-env: environment %q, want %q", got, want)
	}
	cmd = testutil.Command(t, "--env", "NSEXEC_TEST_ADDED=1", "/usr/bin/env")
	cmd.Env = []string{"KEPT=yes", "PATH=/usr/bin:/bin"}
	res = testutil.RunCmd(t, cmd).MustSucceed(t)
	for _, want := range []string{"KEPT=yes", "NSEXEC_TEST_ADDED=1"} {
		if !slices.Contains(res.Lines(), want) {
			t.Errorf("environment lacks %s: %q", want, res.Lines())
		}
	}
	if strings.Contains(res.Stdout, "_NSEXEC_INIT") {
		t.Errorf("nsexec's own variable reached CMD: %q", res.Stdout)
	}
	// PATH from --env is the one CMD is looked up in.
	r := testutil.BusyboxRootfs(t)
	res = testutil.Run(t, "-p", "--rootfs", r, "--clear-env", "--env", "PATH=/bin", "sh", "-c", "echo $PATH").MustSucceed(t)
	if strings.TrimSpace(res.Stdout) != "/bin" {
		t.Errorf("PATH inside: %q", res.Stdout)
	}
	res = testutil.Run(t, "--env", "NOEQUALS", "true")
	if res.Code != 125 || !strings.Contains(res.Stderr, `--env "NOEQUALS": want KEY=VALUE`) {
		t.Errorf("bad --env: exit %d, %q", res.Code, res.Stderr)
	}
}

func TestIDs(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.BusyboxRootfs(t)
	res := testutil.Run(t, "-p", "--rootfs", r, "--uid", "1000", "--gid", "1001", "--groups", "5,7", "sh", "-c",
		"id -u; id -g; id -G; cat /proc/self/status | grep -E '^(Uid|Gid|CapEff)'").MustSucceed(t)
	lines := res.Lines()
	if lines[0] != "1000" || lines[1] != "1001" || lines[2] != "1001 5 7" {
		t.Errorf("ids inside: %q", lines)
	}
	if !slices.Contains(lines, "Uid:\t1000\t1000\t1000\t1000") || !slices.Contains(lines, "Gid:\t1001\t1001\t1001\t1001") {
		t.Errorf("real, effective, saved and fs IDs not all switched: %q", lines)
	}
	// Without --groups, a new uid drops root's supplementary groups.
	res = testutil.Run(t, "--uid", "1000", "--gid", "1000", "sh", "-c", "id -G").MustSucceed(t)
	if strings.TrimSpace(res.Stdout) != "1000" {
		t.Errorf("supplementary groups kept: %q", res.Stdout)
	}
	res = testutil.Run(t, "--uid", "x", "true")
	if res.Code != 125 || !strings.Contains(res.Stderr, `--uid "x": want a numeric ID`) {
		t.Errorf("bad --uid: exit %d, %q", res.Code, res.Stderr)
	}
}

// Rootless: only the caller is mapped (to root): IDs that are not mapped are
// refused with a hint, and root inside works.
func TestIDsRootless(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.BusyboxRootfs(t)
	testutil.Chown(t, r, testutil.Nobody, testutil.Nobody)
	res := testutil.RunAs(t, testutil.Nobody, "-U", "-p", "--rootfs", r, "--uid", "0", "--gid", "0", "--chdir", "/tmp", "sh", "-c", "id -u; pwd").MustSucceed(t)
	if got := res.Lines(); !slices.Equal(got, []string{"0", "/tmp"}) {
		t.Errorf("inside: %q", got)
	}
	res = testutil.RunAs(t, testutil.Nobody, "-U", "-p", "--rootfs", r, "--uid", "1000", "true")
	if res.Code != 125 || !strings.HasPrefix(res.Stderr, "nsexec: set uid 1000: Invalid argument (not mapped in the user namespace") {
		t.Errorf("unmapped uid: exit %d, %q", res.Code, res.Stderr)
	}
	res = testutil.RunAs(t, testutil.Nobody, "-U", "-p", "--rootfs", r, "--groups", "0", "true")
	if res.Code != 125 || !strings.Contains(res.Stderr, "setgroups is denied") {
		t.Errorf("groups in a user namespace: exit %d, %q", res.Code, res.Stderr)
	}
}
