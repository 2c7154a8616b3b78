package main

// End-to-end tests of issue 2: the built binary, run as a user would.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsexec/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// The founding document's example: hostname, ps and ip inside.
func TestSeedExample(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.Run(t, "-npu", "myhost", "sh", "-c", "hostname; ps -e -o pid=,comm=; ip -o link").MustSucceed(t)
	lines := r.Lines()
	if lines[0] != "myhost" {
		t.Errorf("hostname %q, want myhost", lines[0])
	}
	var pids, links []string
	for _, l := range lines[1:] {
		if strings.Contains(l, ": ") {
			links = append(links, l)
		} else {
			pids = append(pids, strings.TrimSpace(l))
		}
	}
	// init as PID 1, sh as 2, ps: nothing of the host.
	if len(pids) != 3 || !strings.HasPrefix(pids[0], "1 ") || !strings.HasPrefix(pids[1], "2 sh") {
		t.Errorf("ps inside shows %q, want only the init, sh and ps", pids)
	}
	if len(links) != 1 || !strings.Contains(links[0], "lo:") || !strings.Contains(links[0], "UP") {
		t.Errorf("ip link inside shows %q, want only lo, up", links)
	}
}

func TestAsPID1(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.Run(t, "-p", "--as-pid-1", "sh", "-c", "echo $$; echo /proc/[0-9]*").MustSucceed(t)
	if got := r.Lines(); got[0] != "1" || got[1] != "/proc/1" {
		t.Errorf("got %q, want sh as PID 1, alone", got)
	}
}

// Orphans reparented to PID 1 are reaped: no zombie survives.
func TestInitReapsOrphans(t *testing.T) {
	testutil.RequireRoot(t)
	script := `
for i in 1 2 3 4 5; do sh -c 'sleep 0.05 & exit 0'; done
sleep 0.5
for f in /proc/[0-9]*/stat; do read -r pid comm state rest < "$f" && echo "$pid $comm $state"; done`
	r := testutil.Run(t, "-p", "sh", "-c", script).MustSucceed(t)
	for _, l := range r.Lines() {
		if f := strings.Fields(l); len(f) == 3 && f[2] == "Z" {
			t.Errorf("zombie left inside: %s\n%s", l, r.Stdout)
		}
	}
}

// Signals a user sends to nsexec reach CMD, which exits with its own status.
func TestSignalsForwarded(t *testing.T) {
	testutil.RequireRoot(t)
	sigs := map[string]syscall.Signal{
		"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "HUP": syscall.SIGHUP, "QUIT": syscall.SIGQUIT,
		"USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2, "WINCH": syscall.SIGWINCH, "ALRM": syscall.SIGALRM,
	}
	for _, ns := range [][]string{{"-p"}, {"-u", "h"}} {
		for name, sig := range sigs {
			t.Run(strings.Join(ns, "")+"/"+name, func(t *testing.T) {
				t.Parallel()
				script := fmt.Sprintf(`trap 'echo got %s; exit 7' %s; echo ready; while :; do sleep 0.01; done`, name, name)
				cmd := testutil.Command(t, append(ns, "sh", "-c", script)...)
				out := startReady(t, cmd)
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				code := waitCode(t, cmd)
				if code != 7 || !strings.Contains(out(), "got "+name) {
					t.Errorf("exit %d, output %q; want CMD to trap %s and exit 7", code, out(), name)
				}
			})
		}
	}
}

// A CMD killed by signal N makes nsexec exit 128+N.
func TestExitStatus(t *testing.T) {
	testutil.RequireRoot(t)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"-p", "sh", "-c", "exit 42"}, 42},
		{[]string{"-p", "sh", "-c", "kill -KILL $$"}, 137},
		{[]string{"-p", "sh", "-c", "kill -TERM $$"}, 143},
		{[]string{"-p", "--as-pid-1", "sh", "-c", "exit 3"}, 3},
		{[]string{"-n", "sh", "-c", "kill -SEGV $$"}, 139},
		{[]string{"-n", "false"}, 1},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			if r := testutil.Run(t, tt.args...); r.Code != tt.want {
				t.Errorf("exit %d, want %d (stderr %q)", r.Code, tt.want, r.Stderr)
			}
		})
	}
	// Not forwarded, and nothing inside handles it: SIGTERM kills CMD.
	cmd := testutil.Command(t, "-p", "sh", "-c", "echo ready; exec sleep 100")
	startReady(t, cmd)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitCode(t, cmd); code != 143 {
		t.Errorf("SIGTERM to nsexec running sleep: exit %d, want 143", code)
	}
}

// Each kind is isolated: what changes inside is not seen on the host.
func TestIsolation(t *testing.T) {
	testutil.RequireRoot(t)
	hostname, _ := os.Hostname()

	t.Run("uts", func(t *testing.T) {
		r := testutil.Run(t, "-u", "inside", "sh", "-c", "hostname changed; hostname").MustSucceed(t)
		if r.Stdout != "changed\n" {
			t.Errorf("inside: %q", r.Stdout)
		}
		if now, _ := os.Hostname(); now != hostname {
			t.Errorf("host's hostname changed to %q", now)
		}
	})
	t.Run("mnt", func(t *testing.T) {
		dir := t.TempDir()
		before := testutil.Mounts(t)
		r := testutil.Run(t, "-m", "sh", "-c", "mount -t tmpfs none "+dir+" && touch "+dir+"/inside && ls "+dir).MustSucceed(t)
		if r.Stdout != "inside\n" {
			t.Errorf("inside: %q", r.Stdout)
		}
		testutil.NoNewMounts(t, before)
		if _, err := os.Stat(filepath.Join(dir, "inside")); err == nil {
			t.Error("the file written on the tmpfs inside is on the host")
		}
	})
	t.Run("ipc", func(t *testing.T) {
		testutil.Require(t, "ipcmk", "ipcs")
		// A queue of the host's is not seen inside...
		out, err := exec.Command("ipcmk", "-Q").Output()
		if err != nil {
			t.Fatal(err)
		}
		hostQueue := strings.TrimSpace(string(out[bytes.LastIndexByte(out, ':')+1:]))
		t.Cleanup(func() { exec.Command("ipcrm", "-q", hostQueue).Run() })
		// ...and the one made inside is the only one there, not on the host.
		r := testutil.Run(t, "-i", "sh", "-c", "ipcmk -Q >/dev/null && ipcs -q | awk '/^0x/ {print $1}'").MustSucceed(t)
		keys := r.Lines()
		if len(keys) != 1 || keys[0] == "" {
			t.Fatalf("queues inside: %q, want only the one made there", keys)
		}
		out, _ = exec.Command("ipcs", "-q").Output()
		if strings.Contains(string(out), keys[0]) {
			t.Errorf("the queue made inside (key %s) is on the host:\n%s", keys[0], out)
		}
	})
	t.Run("net", func(t *testing.T) {
		name := fmt.Sprintf("nsxd%d", os.Getpid()%100000)
		r := testutil.Run(t, "-n", "sh", "-c", "ip link add "+name+" type bridge && ip -o link | wc -l").MustSucceed(t)
		if strings.TrimSpace(r.Stdout) != "2" {
			t.Errorf("inside: %q, want lo and the dummy", r.Stdout)
		}
		if err := exec.Command("ip", "link", "show", name).Run(); err == nil {
			exec.Command("ip", "link", "del", name).Run()
			t.Error("the link made inside is on the host")
		}
	})
	t.Run("pid", func(t *testing.T) {
		r := testutil.Run(t, "-p", "sh", "-c", "echo $$; echo /proc/[0-9]*").MustSucceed(t)
		if l := r.Lines(); l[0] != "2" || l[1] != "/proc/1 /proc/2" {
			t.Errorf("inside: %q; want sh as PID 2 beside the init, and nothing else", l)
		}
	})
	t.Run("cgroup", func(t *testing.T) {
		r := testutil.Run(t, "-C", "cat", "/proc/self/cgroup").MustSucceed(t)
		for _, l := range r.Lines() {
			if !strings.HasSuffix(l, ":/") {
				t.Errorf("inside, cgroup %q is not the root", l)
			}
		}
		host, _ := os.ReadFile("/proc/self/cgroup")
		if len(host) == 0 {
			t.Fatal("no /proc/self/cgroup on the host")
		}
	})
	t.Run("time", func(t *testing.T) {
		r := testutil.Run(t, "--boottime", "864000", "--monotonic", "86400", "sh", "-c",
			"cut -d' ' -f1 /proc/uptime; cat /proc/self/timens_offsets").MustSucceed(t)
		up, _ := strconv.ParseFloat(r.Lines()[0], 64)
		hostUp := uptime(t)
		if up < hostUp+864000-60 || up > hostUp+864000+60 {
			t.Errorf("uptime inside %.0f, host %.0f: want the host's + 864000", up, hostUp)
		}
		if f := strings.Fields(r.Lines()[1]); len(f) < 2 || f[0] != "monotonic" || f[1] != "86400" {
			t.Errorf("offsets inside: %q", r.Stdout)
		}
		if own, _ := os.ReadFile("/proc/self/timens_offsets"); strings.Fields(string(own))[1] != "0" {
			t.Errorf("host offsets changed: %q", own)
		}
	})
	t.Run("user", func(t *testing.T) {
		cmd := testutil.Command(t, "-U", "sh", "-c", "id -u; cat /proc/self/uid_map; echo ready; exec sleep 100")
		_, out := startReadyOut(t, cmd)
		if l := strings.Fields(out); len(l) < 4 || l[0] != "0" || l[1] != "0" || l[2] != "0" || l[3] != "1" {
			t.Errorf("inside: %q, want uid 0 mapped to 0 (the caller), one ID", out)
		}
		child := childOf(t, cmd.Process.Pid)
		own, _ := os.Readlink("/proc/self/ns/user")
		theirs, _ := os.Readlink("/proc/" + child + "/ns/user")
		if own == theirs || theirs == "" {
			t.Errorf("user namespace inside %q is the host's %q", theirs, own)
		}
	})
}

// An unprivileged user gets every kind through a user namespace.
func TestRootless(t *testing.T) {
	testutil.RequireRoot(t) // to become the unprivileged user
	r := testutil.RunAs(t, testutil.Nobody, "-U", "-p", "-m", "-u", "h", "-n", "id", "-u").MustSucceed(t)
	if r.Stdout != "0\n" {
		t.Errorf("id -u: %q, want 0", r.Stdout)
	}
	for _, args := range [][]string{
		{"-U", "-i", "ipcs", "-q"},
		{"-U", "-C", "cat", "/proc/self/cgroup"},
		{"-U", "-T", "--monotonic", "100", "cat", "/proc/self/timens_offsets"},
		{"-U", "-n", "ip", "-o", "link"},
		{"-U", "-u", "rootless", "hostname"},
		{"-U", "-p", "sh", "-c", "echo $$"},
		{"-U", "-m", "sh", "-c", "mount -t tmpfs none /tmp && echo mounted"},
		{"-a", "-u", "all", "sh", "-c", "id -u; hostname; echo $$"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			testutil.RunAs(t, testutil.Nobody, args...).MustSucceed(t)
		})
	}
	// Without -U, no permission: a clear error that suggests -U.
	r = testutil.RunAs(t, testutil.Nobody, "-n", "true")
	if r.Code != 125 || !strings.Contains(r.Stderr, "nsexec: ") || !strings.Contains(r.Stderr, "-U") {
		t.Errorf("exit %d, stderr %q; want 125 and a hint about -U", r.Code, r.Stderr)
	}
}

// Nothing of a run outlives it: not after CMD exits, not after SIGKILL of
// nsexec, not after a failed start.
func TestNothingOutlives(t *testing.T) {
	testutil.RequireRoot(t)
	before := testutil.Mounts(t)
	marker := fmt.Sprintf("%d.%d", 1000+os.Getpid()%1000, time.Now().UnixNano()%1000000)
	gone := func(what string) {
		t.Helper()
		if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) == 0 }) {
			t.Errorf("%s: processes left: %v", what, testutil.ProcessesWith(marker))
		}
		testutil.NoNewMounts(t, before)
	}

	// CMD exits while a background child still runs.
	testutil.Run(t, "-p", "-n", "-u", "h", "sh", "-c", "sleep "+marker+" & exit 0").MustSucceed(t)
	gone("after CMD exited")

	// nsexec gets SIGKILL.
	cmd := testutil.Command(t, "-p", "-i", "-n", "sh", "-c", "sleep "+marker+" & echo ready; sleep "+marker)
	startReady(t, cmd)
	if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith("sleep\x00"+marker)) == 2 }) {
		t.Fatalf("the run's sleeps did not start: %v", testutil.ProcessesWith(marker))
	}
	cmd.Process.Kill()
	cmd.Wait()
	gone("after SIGKILL of nsexec")

	// A failed start: the command does not exist.
	r := testutil.Run(t, "-p", "-n", "/nonexistent/"+marker)
	if r.Code != 127 {
		t.Errorf("exit %d, want 127", r.Code)
	}
	gone("after a failed start")
}

func TestBadInput(t *testing.T) {
	testutil.RequireRoot(t)
	notExec := filepath.Join(t.TempDir(), "script")
	os.WriteFile(notExec, []byte("#!/bin/sh\necho hi\n"), 0o644)
	tests := []struct {
		args  []string
		code  int
		err   string
		usage bool
	}{
		{[]string{"--bogus", "true"}, 125, "nsexec: unknown option --bogus", true},
		{[]string{"-n"}, 125, "nsexec: no command given", true},
		{[]string{}, 125, "nsexec: no command given", true},
		{[]string{"-u"}, 125, "nsexec: option -u needs an argument", true},
		{[]string{"-n", "no-such-command-here"}, 127, "nsexec: exec no-such-command-here: command not found", false},
		{[]string{"-p", "/no/such/file"}, 127, "nsexec: exec /no/such/file: No such file or directory", false},
		{[]string{"-p", notExec}, 126, "Permission denied", false},
		{[]string{"-n", notExec}, 126, "Permission denied", false},
		{[]string{"-u", strings.Repeat("x", 65), "true"}, 125, "longer than 64 bytes", true},
		{[]string{"-m", "--propagation", "bad", "true"}, 125, "propagation", true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := testutil.Run(t, tt.args...)
			if r.Code != tt.code || !strings.Contains(r.Stderr, tt.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.Code, r.Stderr, tt.code, tt.err)
			}
			if strings.Count(r.Stderr, "nsexec: ") != 1 {
				t.Errorf("stderr %q: want the error once", r.Stderr)
			}
			if hint := strings.Contains(r.Stderr, "--help"); hint != tt.usage {
				t.Errorf("usage hint shown: %v, want %v", hint, tt.usage)
			}
		})
	}
	if r := testutil.Run(t, "--help"); r.Code != 0 || !strings.Contains(r.Stdout, "Usage: nsexec [OPTIONS] <CMD>") {
		t.Errorf("--help: exit %d, %q", r.Code, r.Stdout)
	}
}

// -v traces, in order, the namespaces, mounts, hostname, with timings.
func TestVerbose(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.Run(t, "-v", "-npu", "traced", "true").MustSucceed(t)
	want := []string{
		"clone: pid", "new namespaces: mnt uts pid net",
		"mount: / made rprivate", "uts: hostname traced", "net: lo up",
		"mount: proc on /proc", "exec: true as pid 2",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(r.Stderr[at:], w)
		if i < 0 {
			t.Fatalf("trace lacks %q after position %d:\n%s", w, at, r.Stderr)
		}
		at += i
	}
	for _, l := range strings.Split(strings.TrimSpace(r.Stderr), "\n") {
		if !strings.HasPrefix(l, "nsexec: [") || !strings.HasSuffix(l, " ms)") {
			t.Errorf("trace line without timings: %q", l)
		}
	}
}

// startReady starts cmd and waits until it prints "ready". The returned
// function waits for cmd's output to end and returns all of it.
func startReady(t *testing.T, cmd *exec.Cmd) func() string {
	all, _ := startReadyOut(t, cmd)
	return all
}

// startReadyOut is startReady that also returns what was printed up to
// "ready".
func startReadyOut(t *testing.T, cmd *exec.Cmd) (all func() string, before string) {
	t.Helper()
	pr, pw, _ := os.Pipe()
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	var out strings.Builder
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("ended before ready: %q", out.String())
				return nil, ""
			}
			out.WriteString(l + "\n")
			if l == "ready" {
				rest := make(chan string)
				go func() {
					var b strings.Builder
					for l := range lines {
						b.WriteString(l + "\n")
					}
					rest <- b.String()
				}()
				var tail *string
				before := out.String()
				return func() string {
					if tail == nil {
						s := <-rest
						tail = &s
					}
					return before + *tail
				}, before
			}
		case <-timeout:
			t.Fatalf("not ready after 20s: %q", out.String())
		}
	}
}

func waitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	timer := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func uptime(t *testing.T) float64 {
	data, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Fatal(err)
	}
	up, _ := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	return up
}

// childOf returns the PID of pid's first child.
func childOf(t *testing.T, pid int) string {
	t.Helper()
	var child string
	self, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	testutil.WaitFor(5*time.Second, func() bool {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, st := range stats {
			data, _ := os.ReadFile(st)
			// pid (comm) state ppid ...: comm may hold spaces, so start after ')'.
			f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
			if len(f) > 1 && f[1] == strconv.Itoa(pid) {
				// nsexec's planner, a fork of the front, has the front's
				// command line: the init is the other child.
				dir := filepath.Dir(st)
				if cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline")); bytes.Equal(cmdline, self) {
					continue
				}
				child = filepath.Base(dir)
				return true
			}
		}
		return false
	})
	if child == "" {
		t.Fatalf("no child of %d", pid)
	}
	return child
}

// --propagation decides whether mounts made inside reach a shared mount of
// the host (and the other way round for slave).
func TestPropagation(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	// A shared mount of the test's own, so the host's mounts are not touched.
	if out, err := exec.Command("sh", "-c", "mount --bind "+dir+" "+dir+" && mount --make-shared "+dir).CombinedOutput(); err != nil {
		t.Fatalf("make %s a shared mount: %v: %s", dir, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-R", "-l", dir).Run() })
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	sub := filepath.Join(dir, "sub")

	for _, tt := range []struct {
		prop      string
		reachHost bool
	}{{"private", false}, {"slave", false}, {"unchanged", true}, {"shared", true}} {
		r := testutil.Run(t, "-m", "--propagation", tt.prop, "sh", "-c", "mount -t tmpfs "+tt.prop+" "+sub+" && grep -c ' "+sub+" ' /proc/self/mountinfo")
		r.MustSucceed(t)
		onHost := testutil.Mounts(t)[sub]
		if onHost != tt.reachHost {
			t.Errorf("--propagation %s: mount inside seen on the host: %v, want %v", tt.prop, onHost, tt.reachHost)
		}
		if onHost {
			exec.Command("umount", sub).Run()
		}
	}

	// slave: a mount the host makes while the run is going shows up inside.
	cmd := testutil.Command(t, "-m", "--propagation", "slave", "sh", "-c",
		"echo ready; read line; grep -c ' "+sub+" ' /proc/self/mountinfo")
	stdin, _ := cmd.StdinPipe()
	all := startReady(t, cmd)
	if err := exec.Command("mount", "-t", "tmpfs", "fromhost", sub).Run(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { exec.Command("umount", sub).Run() })
	stdin.Write([]byte("go\n"))
	stdin.Close()
	if code := waitCode(t, cmd); code != 0 || !strings.HasSuffix(all(), "1\n") {
		t.Errorf("--propagation slave: exit %d, output %q; want the host's new mount seen inside", code, all())
	}
}
