package main

// End-to-end tests of issue 9, holes 6 and 7: a joined command is as
// confined as the instance it joins, and everything the joining side writes
// goes through descriptors opened before it entered the target.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nsexec/internal/testutil"
)

// confinedInstance starts a named container run of the probe rootfs whose
// CMD first records what the probe may do and its cgroups, in /tmp/mine.
func confinedInstance(t *testing.T, extra ...string) (instance, string, string) {
	t.Helper()
	root := probeRootfs(t)
	name := unique("nsxc")
	args := append([]string{"--name", name, "--rootfs", root}, extra...)
	in := startInstance(t, args, "{ /probe forbidden /tmp; cat /proc/self/cgroup; } > /tmp/mine", true)
	return in, name, root
}

// mine is what the instance's CMD recorded about itself.
func mine(t *testing.T, in instance) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/root/tmp/mine", in.main))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Hole 6: a joined command has the instance's seccomp filter, cgroups (so
// its device rules), bounding set and no_new_privs, whether the instance is
// named or given by its init's PID (the init is confined more narrowly
// still, and that is not what CMD takes). On the old code keyctl,
// unshare(CLONE_NEWUSER) and mknod of a block device succeeded.
func TestJoinTakesConfinement(t *testing.T) {
	testutil.RequireRoot(t)
	in, name, _ := confinedInstance(t)
	want := mine(t, in)
	if !strings.Contains(want, "keyctl EPERM") || !strings.Contains(want, "mknod_block EPERM") {
		t.Fatalf("the instance itself is not confined as this test expects:\n%s", want)
	}
	status := func(pid int) []string {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "CapBnd") || strings.HasPrefix(l, "NoNewPrivs") || strings.HasPrefix(l, "Seccomp:") {
				out = append(out, l)
			}
		}
		return out
	}
	for _, target := range []string{name, strconv.Itoa(in.init)} {
		t.Run(target, func(t *testing.T) {
			r := testutil.Run(t, "--join", target, "sh", "-c",
				"{ /probe forbidden /tmp; cat /proc/self/cgroup; }; grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status").MustSucceed(t)
			if got := r.Stdout; !strings.HasPrefix(got, want) {
				t.Errorf("joined command's probe and cgroups:\n%s\nwant the instance's:\n%s", got, want)
			}
			checkLines(t, r.Stdout, status(in.main))
		})
	}
}

// Hole 6, the attack: the instance's CMD, given CAP_SYS_PTRACE, ptraces a
// joined process and makes it call unshare(CLONE_NEWUSER), which its own
// filter refuses. A joined process under the same filter refuses it too.
func TestJoinedProcessNoWayOut(t *testing.T) {
	testutil.RequireRoot(t)
	root := probeRootfs(t)
	name := unique("nsxp")
	script := `(until [ -e /tmp/victim ]; do sleep 0.05; done; sleep 0.3
/probe ptrace-inject $(cat /tmp/victim) unshare-user > /tmp/result.tmp; mv /tmp/result.tmp /tmp/result) &`
	in := startInstance(t, []string{"--name", name, "--rootfs", root, "--cap-add", "SYS_PTRACE"}, script, true)
	victim := testutil.Command(t, "--join", name, "sh", "-c", "echo $$ > /tmp/victim.tmp; mv /tmp/victim.tmp /tmp/victim; exec sleep 10")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { victim.Process.Kill(); victim.Wait() })
	result := fmt.Sprintf("/proc/%d/root/tmp/result", in.main)
	var got []byte
	testutil.WaitFor(10*time.Second, func() bool {
		var err error
		got, err = os.ReadFile(result)
		return err == nil
	})
	if s := strings.TrimSpace(string(got)); s != "injected errno EPERM" {
		t.Errorf("the instance made the joined process call unshare(CLONE_NEWUSER): %q, want \"injected errno EPERM\"", s)
	}
}

// --join --seccomp default builds Docker's profile for the target's
// capabilities (it allows calls by capability), not for nsexec's own:
// for nsexec's, unshare(CLONE_NEWUSER) would be allowed.
func TestJoinSeccompForTargetCaps(t *testing.T) {
	testutil.RequireRoot(t)
	in, name, _ := confinedInstance(t)
	want := mine(t, in)
	r := testutil.Run(t, "--join", name, "--seccomp", "default", "/probe", "forbidden", "/tmp").MustSucceed(t)
	if !strings.HasPrefix(want, r.Stdout) {
		t.Errorf("--join --seccomp default:\n%s\nwant as the instance:\n%s", r.Stdout, want)
	}
}

// A process under a seccomp filter nsexec has no record of (an unnamed
// run's CMD, by PID) is not joined unconfined: the user chooses CMD's
// filter.
func TestJoinUnrecordedFilter(t *testing.T) {
	testutil.RequireRoot(t)
	root := probeRootfs(t)
	in := startInstance(t, []string{"--rootfs", root}, "", true)
	pid := strconv.Itoa(in.main)
	r := testutil.Run(t, "--join", pid, "true")
	if r.Code != 125 || !strings.HasPrefix(r.Stderr, "nsexec: --join "+pid+": process "+pid+" runs under a seccomp filter nsexec has no record of") {
		t.Errorf("--join of an unrecorded filter: exit %d, %q", r.Code, r.Stderr)
	}
	r = testutil.Run(t, "--join", pid, "--seccomp", "default", "grep", "^Seccomp:", "/proc/self/status").MustSucceed(t)
	if r.Stdout != "Seccomp:\t2\n" {
		t.Errorf("--join --seccomp default: %q", r.Stdout)
	}
	testutil.Run(t, "--join", pid, "--seccomp", "unconfined", "true").MustSucceed(t)
}

// Limits cannot be given to a joined command: it is under its target's.
func TestJoinLimitsRefused(t *testing.T) {
	r := testutil.Run(t, "--join", "web", "--memory", "64m", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "--join and cgroup limits") {
		t.Errorf("--join --memory: exit %d, %q", r.Code, r.Stderr)
	}
}

// attacker starts, as uid 65534, a process in a user and mount namespace
// of its own, prepared by script, and returns its PID.
func attacker(t *testing.T, script string) int {
	t.Helper()
	testutil.Require(t, "setpriv", "unshare")
	cmd := exec.Command("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
		"unshare", "-Urm", "sh", "-c", script+"\necho ready\nexec sleep 300")
	cmd.Dir = "/"
	startReady(t, cmd)
	return cmd.Process.Pid // setpriv and unshare exec: one process
}

// victimFile is a root-owned file an attack must not write.
func victimFile(t *testing.T) (string, func() string) {
	t.Helper()
	f, err := os.CreateTemp("", "nsexec-victim-")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("untouched\n")
	f.Close()
	os.Chmod(f.Name(), 0o644)
	t.Cleanup(func() { os.Remove(f.Name()) })
	return f.Name(), func() string { data, _ := os.ReadFile(f.Name()); return string(data) }
}

// Hole 7: an unprivileged user makes /proc/self/timens_offsets, in its own
// mount namespace, a symlink to a root-owned file; root's --join -T then
// wrote the clock offsets into that file. The init now writes them through
// nsexec's own procfs.
func TestJoinTimeOffsetsNotThroughTarget(t *testing.T) {
	testutil.RequireRoot(t)
	victim, content := victimFile(t)
	pid := attacker(t, fmt.Sprintf("mount -t tmpfs forged /proc && mkdir /proc/self && ln -s %s /proc/self/timens_offsets", victim))
	r := testutil.Run(t, "--join", strconv.Itoa(pid), "-T", "--monotonic", "7", "true")
	if got := content(); got != "untouched\n" {
		t.Fatalf("root's --join -T wrote %q into %s through the target's /proc", got, victim)
	}
	if r.Code != 0 {
		t.Errorf("--join -T: exit %d, %s", r.Code, r.Stderr)
	}
}

// Hole 7, cgroups: the run's cgroup files are opened by nsexec in its own
// mount namespace, not by the init in the joined one, where the target's
// owner controls what /sys/fs/cgroup holds.
func TestJoinMountCgroupNotThroughTarget(t *testing.T) {
	testutil.RequireRoot(t)
	pid := attacker(t, "mount -t tmpfs forged /sys/fs/cgroup")
	r := testutil.Run(t, "--join-mount", strconv.Itoa(pid), "--pids-limit", "50", "cat", "/proc/self/cgroup")
	if r.Code != 0 {
		t.Fatalf("--join-mount --pids-limit: exit %d, %s", r.Code, r.Stderr)
	}
	in := false
	for _, l := range r.Lines() {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 && strings.Contains(","+f[1]+",", ",pids,") {
			in = strings.Contains(f[2], "/nsexec-")
		}
	}
	if !in {
		t.Errorf("CMD is not in the run's pids cgroup:\n%s", r.Stdout)
	}
}

// Also checked by issue 9: an unprivileged user cannot --join root's
// instance, by name, by PID or by a namespace file, and nothing of CMD
// runs.
func TestJoinRootInstanceRefusedToOthers(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "setpriv")
	name := unique("nsxroot")
	dir, err := os.MkdirTemp("", "nsexec-persist-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	file := filepath.Join(dir, "uts")
	in := startInstance(t, []string{"--name", name, "-n", "-u", "rootbox", "--persist-uts", file}, "", false)
	t.Cleanup(func() { testutil.Run(t, "--unpersist", file) })
	xdg, err := os.MkdirTemp("", "nsexec-xdg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chown(xdg, testutil.Nobody, testutil.Nobody)
	t.Cleanup(func() { os.RemoveAll(xdg) })
	marker := filepath.Join(xdg, "ran")
	for _, args := range [][]string{
		{"--join", name},
		{"--join", strconv.Itoa(in.init)},
		{"--join", strconv.Itoa(in.main)},
		{"--join-net", strconv.Itoa(in.main)},
		{"--join-uts", file},
		{"--join-net", fmt.Sprintf("/proc/%d/ns/net", in.main)},
	} {
		cmd := testutil.CommandAs(t, testutil.Nobody, append(args, "sh", "-c", "touch "+marker)...)
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+xdg)
		r := testutil.RunCmd(t, cmd)
		if r.Code != 125 || !strings.HasPrefix(r.Stderr, "nsexec: ") {
			t.Errorf("uid 65534 %v: exit %d, %q; want 125 and an error", args, r.Code, r.Stderr)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("uid 65534 %v: CMD ran", args)
		}
	}
}
