package main

import (
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"nsexec/internal/testutil"
)

// CVE-2019-5736, performed: a run joins a container and execs its /bin/x,
// whose first line "#!/proc/self/exe --seccomp=/tmp/fifo" makes the kernel
// start, inside, whatever binary the process exec'ing it runs: nsexec's
// init. That nsexec blocks reading /tmp/fifo, where the container's process
// (the probe) finds it, opens /proc/PID/exe, kills it, and writes the
// binary through that descriptor once nothing runs it any more. No devices
// cgroup helps (--devices all). The victim is a copy of nsexec, so that a
// failure cannot break the other tests; it must be unchanged, the write
// refused: by a read-only overlay (EROFS) for root, by a sealed copy
// (EPERM) for a user who owns the binary, and by the file's own mode
// (EACCES) for a user who cannot write it, who runs it in place.
func TestExeOverwriteAttack(t *testing.T) {
	testutil.RequireRoot(t)
	for _, c := range []struct {
		name  string
		uid   int // who runs nsexec, 0: root
		owner int // who owns the binary
		args  []string
		want  string
	}{
		{"root -p", 0, 0, []string{"-p"}, "EROFS"},
		{"root", 0, 0, nil, "EROFS"},
		// A rootless --rootfs run needs -p for its /proc.
		{"rootless -U -p, own binary", testutil.Nobody, testutil.Nobody, []string{"-U", "-p"}, "EPERM"},
		{"rootless -U -p, root's binary", testutil.Nobody, 0, []string{"-U", "-p"}, "EACCES"},
	} {
		t.Run(c.name, func(t *testing.T) {
			victim := victimCopy(t, c.owner, 0o755)
			before := sha256File(t, victim)
			root := testutil.BusyboxRootfs(t)
			probe, err := os.ReadFile(testutil.Probe(t))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(root, "bin", "probe"), probe, 0o755)
			os.WriteFile(filepath.Join(root, "bin", "x"), []byte("#!/proc/self/exe --seccomp=/tmp/fifo\n"), 0o755)
			if c.uid != 0 {
				testutil.Chown(t, root, c.uid, c.uid)
			}

			args := append(c.args, "--rootfs", root, "--devices", "all", "/bin/probe", "exe-attack", "/tmp/fifo")
			instance := asUser(t, c.uid, testutil.Binary(t), args...)
			output := startReady(t, instance)
			stopOnCleanup(t, instance)
			attacker, _ := strconv.Atoi(childOf(t, instance.Process.Pid))
			if strings.Contains(strings.Join(c.args, " "), "-p") {
				attacker, _ = strconv.Atoi(childOf(t, attacker)) // under the init
			}

			// An unnamed run's filter has no record: the joining side chooses.
			join := testutil.RunCmd(t, asUser(t, c.uid, victim, "--join", strconv.Itoa(attacker), "--seccomp", "unconfined", "/bin/x"))
			code := waitCode(t, instance)
			out := output()
			t.Logf("join: exit %d, stderr %q; attacker: exit %d, %q", join.Code, join.Stderr, code, out)
			if !strings.Contains(out, "\nexe ok ") {
				t.Fatalf("the attacker did not get the binary's descriptor, so the test proves nothing: %q", out)
			}
			if !strings.Contains(out, "\nwrite "+c.want+"\n") {
				t.Errorf("the attacker's write: %q, want write %s", out, c.want)
			}
			if after := sha256File(t, victim); after != before {
				t.Errorf("the nsexec binary changed")
			}
		})
	}
}

// victimCopy copies the built nsexec into a directory of its own, owned
// by uid, with mode.
func victimCopy(t *testing.T, uid int, mode os.FileMode) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nsexec-victim-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	data, err := os.ReadFile(testutil.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "nsexec")
	if err := os.WriteFile(path, data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// asUser prepares bin with args as root (uid 0) or as uid through setpriv.
func asUser(t *testing.T, uid int, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if uid != 0 {
		testutil.Require(t, "setpriv")
		id := strconv.Itoa(uid)
		cmd = exec.Command("setpriv", append([]string{"--reuid", id, "--regid", id, "--clear-groups", "--", bin}, args...)...)
	}
	cmd.Dir = "/"
	return cmd
}

func sha256File(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// How the init's binary is protected depends on who runs nsexec and who can
// write the binary; -v says which.
func TestExeSealChoice(t *testing.T) {
	testutil.RequireRoot(t)
	overlay, inPlace, memfd := "exeseal: init from a read-only overlay of ", "nsexec itself, which the caller cannot write", "exeseal: init from a sealed memfd copy of "
	for _, c := range []struct {
		name  string
		uid   int
		owner int
		mode  os.FileMode
		want  string
	}{
		{"root", 0, 0, 0o755, overlay},
		{"root, binary owned by another user", 0, 1234, 0o755, overlay},
		{"user, root's binary", testutil.Nobody, 0, 0o755, inPlace},
		{"user, root's binary, group-writable", testutil.Nobody, 0, 0o775, inPlace}, // the user is in no group
		{"user, root's binary, writable by all", testutil.Nobody, 0, 0o757, memfd},
		{"user, own binary", testutil.Nobody, testutil.Nobody, 0o755, memfd},
		{"user, own binary, read-only", testutil.Nobody, testutil.Nobody, 0o555, memfd}, // chmod makes it writable
		{"user, another user's binary", testutil.Nobody, 1234, 0o755, memfd},            // a user namespace may map 1234
	} {
		t.Run(c.name, func(t *testing.T) {
			bin := victimCopy(t, c.owner, c.mode)
			r := testutil.RunCmd(t, asUser(t, c.uid, bin, "-v", "-U", "-p", "sh", "-c", "echo ran")).MustSucceed(t)
			if r.Stdout != "ran\n" || !strings.Contains(r.Stderr, c.want) {
				t.Errorf("stdout %q, trace:\n%s\nwant a line with %q", r.Stdout, r.Stderr, c.want)
			}
		})
	}
}

// The resident init of a -p run (PID 1, the nsexec binary) does not name
// nsexec's file either: a descriptor of /proc/1/exe taken while the run
// lives (here by root on the host, who can) cannot write the binary once
// every process of the run has ended.
func TestInitExeAfterRun(t *testing.T) {
	testutil.RequireRoot(t)
	for _, c := range []struct {
		name       string
		uid, owner int
		args       []string
		want       syscall.Errno
	}{
		{"root", 0, 0, []string{"-p"}, syscall.EROFS},
		{"rootless, own binary", testutil.Nobody, testutil.Nobody, []string{"-U", "-p"}, syscall.EPERM},
	} {
		t.Run(c.name, func(t *testing.T) {
			victim := victimCopy(t, c.owner, 0o755)
			before := sha256File(t, victim)
			cmd := asUser(t, c.uid, victim, append(c.args, "sh", "-c", "echo ready; read x; :")...)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			startReady(t, cmd)
			init := childOf(t, cmd.Process.Pid)
			exe, err := os.Open("/proc/" + init + "/exe")
			stdin.Close() // the run ends
			if err != nil {
				t.Fatal(err)
			}
			defer exe.Close()
			if code := waitCode(t, cmd); code != 0 {
				t.Fatalf("exit %d", code)
			}
			w, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(exe.Fd())), os.O_WRONLY, 0)
			if err == nil {
				_, err = w.Write([]byte("pwned"))
				w.Close()
			}
			if !errors.Is(err, c.want) {
				t.Errorf("write through /proc/1/exe after the run: %v, want %v", err, c.want)
			}
			if sha256File(t, victim) != before {
				t.Error("the nsexec binary changed")
			}
		})
	}
}
