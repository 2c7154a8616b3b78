package main

// End-to-end tests of issue 4: joining namespaces (helpers shared with
// persist_e2e_test.go and list_e2e_test.go).

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsexec/internal/procfs"
	"nsexec/internal/testutil"
)

// unique makes names that no other test, nor another run of this one, uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e6)
}

// stopOnCleanup ends a running nsexec the way a user would, with SIGTERM
// (which reaches CMD), so that it removes what it made, its record
// included; SIGKILL after a while. It runs before startReady's clean-up.
func stopOnCleanup(t *testing.T, cmd *exec.Cmd) {
	t.Cleanup(func() {
		if cmd.ProcessState != nil {
			return
		}
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
}

// instance is a running nsexec whose CMD sleeps: a target to join.
type instance struct {
	cmd  *exec.Cmd
	init int // the process nsexec cloned
	main int // CMD's process
}

// startInstance starts nsexec with args; script runs before CMD says
// ready and sleeps. forks says whether the init forks CMD (a PID namespace).
func startInstance(t *testing.T, args []string, script string, forks bool) instance {
	t.Helper()
	cmd := testutil.Command(t, append(args, "sh", "-c", script+"\necho ready\nexec sleep 300")...)
	startReady(t, cmd)
	stopOnCleanup(t, cmd)
	in := instance{cmd: cmd}
	in.init, _ = strconv.Atoi(childOf(t, cmd.Process.Pid))
	in.main = in.init
	if forks {
		in.main, _ = strconv.Atoi(childOf(t, in.init))
	}
	return in
}

func nsLink(t *testing.T, pid int, kind string) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// busyboxRoot makes a tiny root filesystem: busybox and its applets.
func busyboxRoot(t *testing.T) string {
	t.Helper()
	testutil.Require(t, "busybox")
	root := t.TempDir()
	os.Chmod(root, 0o755)
	for _, d := range []string{"bin", "data", "proc"} {
		os.Mkdir(filepath.Join(root, d), 0o755)
	}
	os.Chown(filepath.Join(root, "data"), 1234, 1234)
	bb, _ := exec.LookPath("busybox")
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755)
	for _, app := range []string{"sh", "sleep", "id", "cat", "pwd", "ls", "hostname", "readlink", "grep", "echo", "ps"} {
		os.Symlink("busybox", filepath.Join(root, "bin", app))
	}
	return root
}

// The target of the per-kind tests: every kind but user, each with
// something to see inside (a link, a message queue, a mount, a hostname, a
// clock offset), and CMD chrooted, as uid 1234, with its own environment.
func startRichTarget(t *testing.T, name string) (instance, string) {
	root := busyboxRoot(t)
	script := fmt.Sprintf(`set -e
ip link add ja0 type bridge
ipcmk -Q | tr -dc 0-9 > %[1]s/data/ipc
mount -t tmpfs jt /mnt && echo mounted-inside > /mnt/marker
mount -t proc proc %[1]s/proc
cat /proc/self/cgroup > %[1]s/data/cgroup
export JOINTEST=from-target
exec chroot --userspec=1234:1234 %[1]s /bin/sh -c 'cd /data && echo ready && exec sleep 300'
`, root)
	cmd := testutil.Command(t, "--name", name, "-m", "-p", "-u", "joinhost", "-n", "-i", "-C", "-T", "--boottime", "1000", "sh", "-c", script)
	startReady(t, cmd)
	stopOnCleanup(t, cmd)
	in := instance{cmd: cmd}
	in.init, _ = strconv.Atoi(childOf(t, cmd.Process.Pid))
	in.main, _ = strconv.Atoi(childOf(t, in.init))
	return in, root
}

// joined starts nsexec with args and a CMD that runs script, says ready
// and sleeps; it returns what the script printed and the host PID of the
// sleeping CMD (the deepest descendant: the init may have forked it).
func joined(t *testing.T, args []string, script string) (string, int) {
	t.Helper()
	cmd := testutil.Command(t, append(args, "sh", "-c", script+"\necho ready\nexec sleep 60")...)
	_, out := startReadyOut(t, cmd)
	stopOnCleanup(t, cmd)
	pid := cmd.Process.Pid
	for {
		// Any thread of nsexec (Go) may have forked the init: read them all.
		files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
		var kids []string
		for _, f := range files {
			data, _ := os.ReadFile(f)
			kids = append(kids, strings.Fields(string(data))...)
		}
		if len(kids) == 0 {
			break
		}
		pid, _ = strconv.Atoi(kids[len(kids)-1]) // nsexec's planner, if still there, came first
	}
	return strings.TrimSuffix(strings.TrimSuffix(out, "ready\n"), "\n"), pid
}

// Issue 4, point 1: a run joined to one kind of a running instance is in
// the same namespace (same inode) and sees what the instance sees.
func TestJoinEachKind(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "ipcmk", "ipcs", "chroot")
	target, root := startRichTarget(t, unique("nsxk"))
	pid := strconv.Itoa(target.main)
	read := func(f string) string {
		data, _ := os.ReadFile(filepath.Join(root, "data", f))
		return strings.TrimSpace(string(data))
	}
	hostUptime := uptime(t)

	tests := []struct {
		kind, flag string
		script     string
		check      func(out string, pid int) error
	}{
		{"net", "--join-net", "ip -o link", func(out string, _ int) error {
			if !strings.Contains(out, "ja0") {
				return fmt.Errorf("no link ja0 of the target in %q", out)
			}
			return nil
		}},
		{"uts", "--join-uts", "hostname", func(out string, _ int) error {
			if out != "joinhost" {
				return fmt.Errorf("hostname %q, want joinhost", out)
			}
			return nil
		}},
		{"ipc", "--join-ipc", "ipcs -q", func(out string, _ int) error {
			if id := read("ipc"); id == "" || !strings.Contains(out, " "+id+" ") {
				return fmt.Errorf("the target's queue %q is not in %q", id, out)
			}
			return nil
		}},
		// CMD is in the target's PID namespace, and seen there: the
		// target's own /proc (reached through its init's root) has it.
		{"pid", "--join-pid", "", func(_ string, pid int) error {
			status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			var nspid []string
			for _, l := range strings.Split(string(status), "\n") {
				if f := strings.Fields(l); len(f) > 0 && f[0] == "NSpid:" {
					nspid = f[1:]
				}
			}
			if len(nspid) != 2 {
				return fmt.Errorf("NSpid %q, want two levels", nspid)
			}
			// The same process: the same start time.
			there, err1 := os.ReadFile(fmt.Sprintf("/proc/%d/root/proc/%s/stat", target.init, nspid[1]))
			here, err2 := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			st1, err3 := procfs.ParseStat(there)
			st2, err4 := procfs.ParseStat(here)
			if err := errors.Join(err1, err2, err3, err4); err != nil || st1.Start != st2.Start {
				return fmt.Errorf("PID %s in the target's /proc: %q, %v; want our CMD, %q", nspid[1], there, err, here)
			}
			return nil
		}},
		{"mnt", "--join-mount", "cat /mnt/marker", func(out string, _ int) error {
			if out != "mounted-inside" {
				return fmt.Errorf("/mnt/marker %q, want the target's mount", out)
			}
			return nil
		}},
		{"cgroup", "--join-cgroup", "cat /proc/self/cgroup", func(out string, _ int) error {
			if want := read("cgroup"); out != want {
				return fmt.Errorf("cgroup view %q, want the target's %q", out, want)
			}
			return nil
		}},
		{"time", "--join-time", "cut -d' ' -f1 /proc/uptime", func(out string, _ int) error {
			up, _ := strconv.ParseFloat(out, 64)
			if up < hostUptime+900 {
				return fmt.Errorf("uptime %s, want the target's 1000 s ahead of %.0f", out, hostUptime)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			out, cmdPID := joined(t, []string{tt.flag, pid}, tt.script)
			if got, want := nsLink(t, cmdPID, tt.kind), nsLink(t, target.main, tt.kind); got != want {
				t.Errorf("in %s, want the target's %s", got, want)
			}
			if err := tt.check(out, cmdPID); err != nil {
				t.Error(err)
			}
		})
	}

	// A joined namespace file works as a PID does.
	file := fmt.Sprintf("/proc/%d/ns/uts", target.main)
	if r := testutil.Run(t, "--join-uts", file, "hostname").MustSucceed(t); r.Stdout != "joinhost\n" {
		t.Errorf("--join-uts %s: %q", file, r.Stdout)
	}
}

// Issue 4: --join NAME enters all namespaces, with the instance's root,
// cwd, user, groups, capabilities and environment, as docker exec does; CMD
// is a member of its PID namespace (visible in its ps).
func TestJoinAllByName(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "ipcmk", "chroot")
	name := unique("nsxa")
	target, _ := startRichTarget(t, name)
	r := testutil.Run(t, "--join", name, "/bin/sh", "-c",
		`pwd; id -u; id -g; echo "$JOINTEST"; hostname; ls /; grep CapEff /proc/self/status; echo $$; ps -o pid,args; for k in /proc/self/ns/*; do readlink $k; done`).MustSucceed(t)
	lines := r.Lines()
	want := []string{"/data", "1234", "1234", "from-target", "joinhost"}
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			t.Fatalf("line %d: want %q\n%s", i, w, r.Stdout)
		}
	}
	out := r.Stdout
	if !strings.Contains(out, "bin\ndata\nproc\n") {
		t.Errorf("ls / shows not the instance's root:\n%s", out)
	}
	if !strings.Contains(out, "CapEff:\t0000000000000000") {
		t.Errorf("capabilities not the instance's (none for uid 1234):\n%s", out)
	}
	self := lines[len(want)+4] // after ls (3 lines) and CapEff
	if !strings.Contains(out, "\n    1 nsexec-init") && !strings.Contains(out, "\n1 nsexec-init") {
		t.Errorf("ps does not show the instance's PID 1:\n%s", out)
	}
	if !strings.Contains(out, "\n"+strings.Repeat(" ", max(0, 5-len(self)))+self+" ") {
		t.Errorf("ps does not show CMD itself (pid %s):\n%s", self, out)
	}
	for _, kind := range []string{"cgroup", "ipc", "mnt", "net", "pid", "time", "uts"} {
		if w := kind + ":" + strings.TrimPrefix(nsLink(t, target.main, kind), kind+":"); !strings.Contains(out, w) {
			t.Errorf("not in the instance's %s namespace %s:\n%s", kind, w, out)
		}
	}
	// By PID: the init's PID finds the instance, CMD's PID is taken as it is.
	for _, pid := range []int{target.init, target.main} {
		r := testutil.Run(t, "--join", strconv.Itoa(pid), "/bin/sh", "-c", "pwd; id -u; echo $JOINTEST").MustSucceed(t)
		if r.Stdout != "/data\n1234\nfrom-target\n" {
			t.Errorf("--join %d: %q", pid, r.Stdout)
		}
	}
	// Options of the process win over the instance's, as with docker exec
	// -u -w -e: root in the instance, with its environment and one more.
	r = testutil.Run(t, "--join", name, "--uid", "0", "--gid", "0", "--chdir", "/bin", "--env", "EXTRA=1", "/bin/sh", "-c",
		`echo $(id -u) $(id -g) $(pwd) $JOINTEST $EXTRA; grep CapEff /proc/self/status`).MustSucceed(t)
	if lines := r.Lines(); lines[0] != "0 0 /bin from-target 1" || lines[1] == "CapEff:\t0000000000000000" {
		t.Errorf("--join with --uid 0 --chdir --env: %q, want root with capabilities", lines)
	}
	// Joining can be combined with creating: a new PID namespace.
	r = testutil.Run(t, "--join", name, "-p", "/bin/sh", "-c", "readlink /proc/self/ns/pid /proc/self/ns/net").MustSucceed(t)
	if got := r.Lines(); got[0] == nsLink(t, target.main, "pid") || got[1] != nsLink(t, target.main, "net") {
		t.Errorf("--join -p: %q, want a new pid namespace in the instance's net namespace", got)
	}
}

// Issue 4: a user namespace is joined as well: the instance's ID map.
func TestJoinUserKind(t *testing.T) {
	testutil.RequireRoot(t)
	target := startInstance(t, []string{"-U", "-u", "userhost"}, "", false)
	r := testutil.Run(t, "--join-user", strconv.Itoa(target.main), "sh", "-c", "readlink /proc/self/ns/user; cat /proc/self/uid_map; id -u").MustSucceed(t)
	lines := r.Lines()
	if lines[0] != nsLink(t, target.main, "user") {
		t.Errorf("in %s, want the target's %s", lines[0], nsLink(t, target.main, "user"))
	}
	if f := strings.Fields(lines[1]); len(f) != 3 || f[2] != "1" {
		t.Errorf("uid map %q, want the target's single mapping", lines[1])
	}
}

// The Kubernetes pod: new PID and mount namespaces inside the network
// namespace of a running instance.
func TestJoinPod(t *testing.T) {
	testutil.RequireRoot(t)
	target := startInstance(t, []string{"-n"}, "ip link add pod0 type bridge", false)
	r := testutil.Run(t, "-p", "--join-net", strconv.Itoa(target.main), "sh", "-c", "ip -o link; ps -e -o pid=").MustSucceed(t)
	if !strings.Contains(r.Stdout, "pod0") {
		t.Errorf("not in the pod's network namespace:\n%s", r.Stdout)
	}
	var pids []string
	for _, l := range r.Lines() {
		if !strings.Contains(l, ":") {
			pids = append(pids, strings.TrimSpace(l))
		}
	}
	if len(pids) != 3 || pids[0] != "1" || pids[1] != "2" {
		t.Errorf("ps in the new PID namespace: %q, want the init, sh and ps", pids)
	}
}

// Issue 4, point 3: an instance with a user namespace, started by an
// unprivileged user, is joined by root and by its owner; another
// unprivileged user is refused cleanly.
func TestJoinRootlessInstance(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "setpriv")
	// Not below t.TempDir(): its parent is closed to other users.
	xdg, err := os.MkdirTemp("", "nsexec-xdg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(xdg) })
	os.Chown(xdg, testutil.Nobody, testutil.Nobody)
	as := func(uid int, args ...string) *exec.Cmd {
		id := strconv.Itoa(uid)
		cmd := exec.Command("setpriv", append([]string{"--reuid", id, "--regid", id, "--clear-groups", "--", testutil.Binary(t)}, args...)...)
		cmd.Dir = "/"
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+xdg)
		return cmd
	}
	name := unique("nsxr")
	script := "sh -c 'echo ready; exec sleep 300'"
	owner := as(testutil.Nobody, "--name", name, "-U", "-p", "-u", "rootless", "sh", "-c", script)
	startReady(t, owner)
	stopOnCleanup(t, owner)
	init, _ := strconv.Atoi(childOf(t, owner.Process.Pid))
	main, _ := strconv.Atoi(childOf(t, init))
	userNS := nsLink(t, main, "user")
	probe := []string{"sh", "-c", "id -u; hostname; readlink /proc/self/ns/user /proc/self/ns/pid"}
	want := fmt.Sprintf("0\nrootless\n%s\n%s\n", userNS, nsLink(t, main, "pid"))

	if r := testutil.RunCmd(t, as(testutil.Nobody, append([]string{"--join", name}, probe...)...)); r.Code != 0 || r.Stdout != want {
		t.Errorf("the owner, by name: exit %d, %q, stderr %q; want %q", r.Code, r.Stdout, r.Stderr, want)
	}
	if r := testutil.Run(t, append([]string{"--join", strconv.Itoa(main)}, probe...)...); r.Code != 0 || r.Stdout != want {
		t.Errorf("root, by PID: exit %d, %q, stderr %q; want %q", r.Code, r.Stdout, r.Stderr, want)
	}
	// The owner joins its user namespace and creates a PID namespace in it.
	r := testutil.RunCmd(t, as(testutil.Nobody, "--join-user", strconv.Itoa(main), "-p", "sh", "-c", "id -u; echo $$; readlink /proc/self/ns/user"))
	if r.Code != 0 || r.Stdout != "0\n2\n"+userNS+"\n" {
		t.Errorf("the owner, new PID namespace in its user namespace: exit %d, %q, %q", r.Code, r.Stdout, r.Stderr)
	}

	other := 65533
	marker := unique("nsxmarker")
	r = testutil.RunCmd(t, as(other, "--join", strconv.Itoa(main), "sh", "-c", ": "+marker))
	wantErr := fmt.Sprintf("nsexec: --join %d: open /proc/%d/ns/user: permission denied", main, main)
	if r.Code != 125 || !strings.HasPrefix(r.Stderr, wantErr) || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("another user: exit %d, stderr %q; want 125 and %q", r.Code, r.Stderr, wantErr)
	}
	r = testutil.RunCmd(t, as(other, "--join-user", strconv.Itoa(main), "sh", "-c", ": "+marker))
	if r.Code != 125 || !strings.Contains(r.Stderr, "permission denied") {
		t.Errorf("another user, --join-user: exit %d, stderr %q", r.Code, r.Stderr)
	}
	if left := testutil.ProcessesWith(marker); len(left) != 0 {
		t.Errorf("processes left: %v", left)
	}
}

// --join PID of a process that shares nsexec's namespaces still takes its
// working directory, user and environment, and its root when it is chrooted.
func TestJoinHostProcess(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "chroot")
	root := busyboxRoot(t)
	plain := exec.Command("setpriv", "--reuid", "1234", "--regid", "1234", "--clear-groups", "sleep", "60")
	plain.Dir, plain.Env = "/usr", []string{"PATH=/usr/bin:/bin", "MARK=plain"}
	chrooted := exec.Command("chroot", "--userspec=1234:1234", root, "/bin/sh", "-c", "cd /data && exec sleep 60")
	chrooted.Env = []string{"PATH=/bin", "MARK=chrooted"}
	for _, c := range []*exec.Cmd{plain, chrooted} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	// Let the chrooted one reach its sleep.
	testutil.WaitFor(5*time.Second, func() bool {
		l, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", chrooted.Process.Pid))
		return strings.HasSuffix(l, "/data")
	})
	for _, tt := range []struct {
		pid  int
		want string
	}{
		{plain.Process.Pid, "/usr 1234 plain"},
		{chrooted.Process.Pid, "/data 1234 chrooted bin data proc"}, // ls / of its root
	} {
		script := `echo $(pwd) $(id -u) $MARK`
		if tt.pid == chrooted.Process.Pid {
			script = `echo $(pwd) $(id -u) $MARK $(ls /)`
		}
		r := testutil.Run(t, "--join", strconv.Itoa(tt.pid), "sh", "-c", script).MustSucceed(t)
		if got := strings.TrimSpace(r.Stdout); got != tt.want {
			t.Errorf("--join %d: %q, want %q", tt.pid, got, tt.want)
		}
	}
}
