package mounts_test

// End-to-end tests of --rootfs and the mount options: the real binary, as
// root and rootless (uid 65534 with -U, on a rootfs it owns), with the
// host's mount table compared before and after every run.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// A user is one way of running nsexec.
type user struct {
	name string
	uid  int
}

var users = []user{{"root", 0}, {"rootless", testutil.Nobody}}

// eachUser runs f as root and rootless, in parallel, each checking that
// nothing is left mounted on the host.
func eachUser(t *testing.T, f func(t *testing.T, u user)) {
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			testutil.RequireRoot(t)
			t.Parallel()
			before := hostMounts(t)
			t.Cleanup(func() {
				for mp := range hostMounts(t) {
					if !before[mp] {
						t.Errorf("mount left on the host: %s", mp)
					}
				}
			})
			f(t, u)
		})
	}
}

// hostMounts is the host's mount points, less those that other tests
// running at the same time (other packages, in parallel) make and a run here
// never would: namespace files (nsfs), and anything in another test's
// temporary directory.
func hostMounts(t *testing.T) map[string]bool {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || strings.Contains(line, " - nsfs ") {
			continue
		}
		mp := f[4]
		ours := strings.Contains(mp, "/nsexec-rootfs-") || strings.Contains(mp, "/nsexec-host-")
		if strings.HasPrefix(mp, os.TempDir()+"/") && !ours {
			continue
		}
		m[mp] = true
	}
	return m
}

// rootfs builds a busybox rootfs owned by u.
func (u user) rootfs(t *testing.T) string {
	dir := testutil.BusyboxRootfs(t)
	if u.uid != 0 {
		testutil.Chown(t, dir, u.uid, u.uid)
	}
	return dir
}

// dir makes a host directory owned by u that u can reach, outside any
// rootfs, removed at the end.
func (u user) dir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "nsexec-host-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	os.Chown(dir, u.uid, u.uid)
	return dir
}

// run runs nsexec as u; rootless runs get -U.
func (u user) run(t *testing.T, args ...string) testutil.Result {
	t.Helper()
	if u.uid == 0 {
		return testutil.Run(t, args...)
	}
	return testutil.RunAs(t, u.uid, append([]string{"-U"}, args...)...)
}

// Must hold 1: the rootfs, a fresh /proc whose PID 1 is nsexec's init, and a
// minimal /dev are all CMD sees.
func TestRootfsShowsOnlyRootfs(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		res := u.run(t, "-p", "-m", "--rootfs", r, "sh", "-c",
			`ls /; echo ---; cat /proc/1/cmdline | tr '\0' ' '; echo; echo ---; ls /dev; echo ---; ls /proc | grep '^[0-9]*$'`).MustSucceed(t)
		parts := strings.Split(res.Stdout, "---\n")
		if len(parts) != 4 {
			t.Fatalf("output: %q", res.Stdout)
		}
		var want []string
		entries, _ := os.ReadDir(r)
		for _, e := range entries {
			want = append(want, e.Name())
		}
		if got := strings.Fields(parts[0]); !slices.Equal(got, want) {
			t.Errorf("ls / = %v, want the rootfs's %v", got, want)
		}
		if !strings.HasPrefix(parts[1], "nsexec-init sh -c") {
			t.Errorf("/proc/1/cmdline = %q, want nsexec's init", parts[1])
		}
		// mqueue: a container run has an IPC namespace of its own.
		wantDev := []string{"fd", "full", "mqueue", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"}
		if got := strings.Fields(parts[2]); !slices.Equal(got, wantDev) {
			t.Errorf("ls /dev = %v, want %v", got, wantDev)
		}
		// PID 1, the shell, and what the shell forked: no host process.
		for _, pid := range strings.Fields(parts[3]) {
			if len(pid) > 2 {
				t.Errorf("/proc shows PID %s: not the run's own PID namespace", pid)
			}
		}
	})
}

// Must hold 2: no path, .., /proc link, descriptor or mount reaches a host
// file that was not bound in.
func TestRootfsHostUnreachable(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		hostDir := u.dir(t)
		content := fmt.Sprintf("host-secret-%d", os.Getpid())
		secret := filepath.Join(hostDir, "secret")
		if err := os.WriteFile(secret, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		// The control: without a rootfs the same user reads it.
		if res := u.run(t, "-m", "cat", secret); !strings.Contains(res.Stdout, content) {
			t.Fatalf("control: the secret is not readable on the host (%d %s): the test proves nothing", res.Code, res.Stderr)
		}
		probes := map[string]string{
			"path":             "cat " + secret,
			"dotdot":           "cat /../../../../.." + secret,
			"cd dotdot":        "cd ../../../../..; cat ." + secret,
			"proc 1 root":      "cat /proc/1/root" + secret,
			"proc 1 cwd":       "cat /proc/1/cwd/../../.." + secret,
			"proc self root":   "cat /proc/self/root/../.." + secret,
			"proc self cwd":    "cat /proc/self/cwd/../../.." + secret,
			"inherited fd":     "cat /proc/self/fd/4/secret /dev/fd/4/secret",
			"pid 1's fd":       "cat /proc/1/fd/4/secret; ls -l /proc/1/fd",
			"bind of /":        "mkdir -p /tmp/m && mount --bind / /tmp/m && cat /tmp/m" + secret,
			"new proc":         "mkdir -p /tmp/p && mount -t proc proc /tmp/p && cat /tmp/p/1/root" + secret,
			"mountinfo":        "cat /proc/self/mountinfo",
			"old root":         "ls -R / 2>/dev/null | grep -c " + filepath.Base(hostDir),
			"proc 1 mountinfo": "cat /proc/1/mountinfo",
		}
		for name, script := range probes {
			t.Run(name, func(t *testing.T) {
				dirFile, err := os.Open(hostDir)
				if err != nil {
					t.Fatal(err)
				}
				defer dirFile.Close()
				args := []string{"-p", "-m", "--rootfs", r, "sh", "-c", script}
				if u.uid != 0 {
					args = append([]string{"-U"}, args...)
				}
				cmd := testutil.Command(t, args...)
				if u.uid != 0 {
					cmd = testutil.CommandAs(t, u.uid, args...)
				}
				// fd 3 and 4 in nsexec; 4 is a host directory holding the secret.
				cmd.ExtraFiles = []*os.File{dirFile, dirFile}
				res := testutil.RunCmd(t, cmd)
				if strings.Contains(res.Stdout, content) || strings.Contains(res.Stdout, hostDir) {
					t.Errorf("reached the host: %q\nstdout: %s", script, res.Stdout)
				}
			})
		}
	})
}

// Must hold 3: a read-only bind cannot be written, even by root inside, and
// --read-only holds for the root; a read-write bind can be (the control).
func TestRootfsReadOnly(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		host := u.dir(t)
		os.WriteFile(filepath.Join(host, "f"), []byte("orig"), 0o644)
		os.Chown(filepath.Join(host, "f"), u.uid, u.uid)
		res := u.run(t, "-p", "-m", "--rootfs", r, "--read-only", "--tmpfs", "/tmp",
			"--ro-bind", host+":/ro1", "--bind", host+":/ro2:ro", "--bind", host+":/rw", "sh", "-c", `
			id -u
			for f in /ro1/f /ro2/f /ro1/new /ro2/new /newfile /bin/newfile; do echo x > $f && echo "WROTE $f"; done
			echo rw > /rw/g && echo tmp > /tmp/t && cat /tmp/t`)
		if !strings.HasPrefix(res.Stdout, "0\n") {
			t.Fatalf("not root inside: %q %s", res.Stdout, res.Stderr)
		}
		if strings.Contains(res.Stdout, "WROTE") {
			t.Errorf("wrote through a read-only mount:\n%s", res.Stdout)
		}
		if n := strings.Count(res.Stderr, "Read-only file system"); n != 6 {
			t.Errorf("want 6 read-only errors, got %d:\n%s", n, res.Stderr)
		}
		if !strings.Contains(res.Stdout, "tmp\n") {
			t.Errorf("a tmpfs under a read-only root is not writable: %s", res.Stderr)
		}
		if data, _ := os.ReadFile(filepath.Join(host, "f")); string(data) != "orig" {
			t.Errorf("host file changed through a read-only bind: %q", data)
		}
		if data, _ := os.ReadFile(filepath.Join(host, "g")); string(data) != "rw\n" {
			t.Errorf("the read-write bind did not write to the host: %q", data)
		}
	})
}

// Must hold 4: symlinks in a hostile rootfs, to "/" and to "../../etc", are
// followed as if the rootfs were /: the mounts and the directories made for
// them land inside it, never on the host.
func TestRootfsHostileSymlinks(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		name := fmt.Sprintf("nsexec-hostile-%d-%s", os.Getpid(), u.name)
		os.Symlink("/", filepath.Join(r, "evil"))
		os.Symlink("../../../../../../../etc", filepath.Join(r, "up"))
		os.Symlink("/etc", filepath.Join(r, "abs"))
		if u.uid != 0 {
			testutil.Chown(t, r, u.uid, u.uid)
		}
		src := u.dir(t)
		os.WriteFile(filepath.Join(src, "data"), []byte("from-src"), 0o644)
		t.Cleanup(func() {
			for _, p := range []string{"/" + name, "/etc/" + name, "/etc/" + name + "-2"} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%s was made on the host", p)
					os.RemoveAll(p)
				}
			}
		})
		res := u.run(t, "-p", "-m", "--rootfs", r,
			"--tmpfs", "/evil/"+name,
			"--bind", src+":/up/"+name,
			"--bind", src+"/data:/abs/"+name+"-2",
			"--bind", src+"/data:/up/passwd",
			"sh", "-c", "grep -c ' /"+name+" ' /proc/self/mountinfo; cat /etc/"+name+"/data; echo; cat /etc/"+name+"-2; echo; cat /etc/passwd").MustSucceed(t)
		if want := "1\nfrom-src\nfrom-src\nfrom-src"; strings.TrimSpace(res.Stdout) != want {
			t.Errorf("inside: %q, want %q", res.Stdout, want)
		}
		for _, p := range []string{name, "etc/" + name, "etc/" + name + "-2"} {
			if _, err := os.Lstat(filepath.Join(r, p)); err != nil {
				t.Errorf("the mount point was not made inside the rootfs: %v", err)
			}
		}
		if data, _ := os.ReadFile("/etc/passwd"); strings.Contains(string(data), "from-src") {
			t.Fatal("the host's /etc/passwd was mounted over")
		}
	})
}

// A symlink where a base mount point should be (/dev pointing out of the
// rootfs, to a place that does not exist inside it) is refused cleanly.
func TestRootfsHostileBaseMountPoint(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		outside := fmt.Sprintf("/tmp/nsexec-hostile-dev-%d-%s", os.Getpid(), u.name)
		os.Remove(filepath.Join(r, "dev"))
		os.Symlink("../../../../.."+outside, filepath.Join(r, "dev"))
		if u.uid != 0 {
			testutil.Chown(t, r, u.uid, u.uid)
		}
		res := u.run(t, "-p", "-m", "--rootfs", r, "true")
		if res.Code != 125 || !strings.Contains(res.Stderr, "nsexec: mount tmpfs on /dev: ") {
			t.Errorf("exit %d, stderr %q; want 125 and a mount error", res.Code, res.Stderr)
		}
		if _, err := os.Lstat(outside); err == nil {
			os.RemoveAll(outside)
			t.Errorf("%s was made on the host", outside)
		}
	})
}

// Must hold 5: bad input gets one clear error, exit 125, and leaves nothing
// mounted (eachUser checks the mount table).
func TestRootfsBadInput(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		file := filepath.Join(r, "bin", "busybox")
		tests := []struct {
			name string
			args []string
			want string
		}{
			{"missing rootfs", []string{"--rootfs", "/nonexistent-rootfs"}, "nsexec: rootfs /nonexistent-rootfs: No such file or directory"},
			{"file rootfs", []string{"--rootfs", file}, "nsexec: rootfs " + file + ": Not a directory"},
			{"missing bind source", []string{"--rootfs", r, "--bind", "/nonexistent-src:/x"}, "nsexec: bind /nonexistent-src: No such file or directory"},
			{"relative destination", []string{"--rootfs", r, "--bind", r + ":x"}, "nsexec: --bind x: destination must be an absolute path"},
			{"escaping destination", []string{"--rootfs", r, "--tmpfs", "/a/../../etc"}, "nsexec: --tmpfs /a/../../etc: destination must not leave the root"},
			{"option the kernel refuses", []string{"--rootfs", r, "--tmpfs", "/x:size=bogus"}, "nsexec: mount tmpfs on /x: size=bogus: Invalid argument (tmpfs: Bad value for 'size')"},
			{"missing overlay layer", []string{"--rootfs", r, "--overlay", "/nonexistent-l1:/nonexistent-l2:::/o"}, "nsexec: mount overlay on /o: lowerdir+=/nonexistent-l1: No such file or directory"},
			{"file over a directory", []string{"--rootfs", r, "--bind", file + ":/bin"}, "nsexec: bind " + file + " on /bin: is a directory"},
			{"shared propagation", []string{"--propagation", "shared", "--rootfs", r}, "nsexec: --rootfs and mount options need --propagation private or slave"},
			{"read-only without rootfs", []string{"--read-only"}, "nsexec: --read-only, --hostname-file and --no-mask need --rootfs"},
			{"missing chdir", []string{"--rootfs", r, "--chdir", "/nonexistent"}, "nsexec: --chdir /nonexistent: No such file or directory"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := u.run(t, append(append([]string{"-p", "-m"}, tt.args...), "true")...)
				if res.Code != 125 || !strings.HasPrefix(res.Stderr, tt.want) {
					t.Errorf("exit %d, stderr %q; want 125 and %q", res.Code, res.Stderr, tt.want)
				}
			})
		}
	})
}

// The base filesystems: /proc masked and partly read-only, /sys read-only,
// /dev with working devices and a devpts of its own; --no-mask opts out.
func TestRootfsProcSysDev(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		script := `
			wc -c < /proc/interrupts
			ls /sys/firmware | wc -l
			echo 1 > /proc/sys/kernel/ns_last_pid && echo WROTE-proc-sys
			touch /sys/kernel/x 2>/dev/null && echo WROTE-sys
			head -c 5 /dev/zero | wc -c
			echo x > /dev/null && echo null-ok
			ls /dev/pts
			grep ' /dev/pts ' /proc/self/mountinfo | grep -c devpts
			awk '$5 == "/sys" && $6 ~ /^ro,/' /proc/self/mountinfo | wc -l`
		res := u.run(t, "-p", "-m", "--rootfs", r, "sh", "-c", script)
		want := []string{"0", "0", "5", "null-ok", "ptmx", "1", "1"}
		if got := res.Lines(); !slices.Equal(got, want) {
			t.Errorf("inside: %q, want %q\nstderr: %s", got, want, res.Stderr)
		}
		if !strings.Contains(res.Stderr, "Read-only file system") {
			t.Errorf("/proc/sys is writable: %s", res.Stderr)
		}
		res = u.run(t, "-p", "-m", "--rootfs", r, "--no-mask", "sh", "-c", "wc -c < /proc/interrupts").MustSucceed(t)
		if strings.TrimSpace(res.Stdout) == "0" {
			t.Errorf("--no-mask: /proc/interrupts still masked")
		}
	})
}

// Mounts apply in the order given: a bind into a tmpfs made first shows; a
// tmpfs made after a bind hides it.
func TestRootfsMountOrder(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		src := u.dir(t)
		os.WriteFile(filepath.Join(src, "f"), []byte("f"), 0o644)
		res := u.run(t, "-p", "-m", "--rootfs", r,
			"--tmpfs", "/a", "--mkdir", "/a/b/c", "--bind", src+":/a/b/c", "--symlink", "b/c/f:/a/l", "--symlink", "a/l:/top",
			"--bind", src+":/z/y", "--tmpfs", "/z:size=1m",
			"sh", "-c", "cat /top; echo; readlink /a/l; ls /z | wc -l").MustSucceed(t)
		if want := []string{"f", "b/c/f", "0"}; !slices.Equal(res.Lines(), want) {
			t.Errorf("inside: %q, want %q", res.Lines(), want)
		}
		if _, err := os.Lstat(filepath.Join(r, "a", "b")); err == nil {
			t.Errorf("/a/b was made in the rootfs, not in the tmpfs")
		}
	})
}

// An overlay of host directories: writes go to the upper layer only.
func TestRootfsOverlay(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		d := u.dir(t)
		for _, sub := range []string{"lower", "upper", "work"} {
			os.Mkdir(filepath.Join(d, sub), 0o755)
			os.Chown(filepath.Join(d, sub), u.uid, u.uid)
		}
		os.WriteFile(filepath.Join(d, "lower", "f"), []byte("lower"), 0o644)
		os.Chown(filepath.Join(d, "lower", "f"), u.uid, u.uid)
		res := u.run(t, "-p", "-m", "--rootfs", r,
			"--overlay", d+"/lower:"+d+"/upper:"+d+"/work:/o",
			"sh", "-c", "cat /o/f; echo; echo new > /o/g; echo changed > /o/f").MustSucceed(t)
		if got := strings.TrimSpace(res.Stdout); got != "lower" {
			t.Errorf("overlay shows %q", got)
		}
		if data, _ := os.ReadFile(filepath.Join(d, "lower", "f")); string(data) != "lower" {
			t.Errorf("the lower layer changed: %q", data)
		}
		if data, _ := os.ReadFile(filepath.Join(d, "upper", "g")); string(data) != "new\n" {
			t.Errorf("the upper layer lacks the new file: %q", data)
		}
	})
}

// The hostname goes to /etc/hostname only when asked, and nothing of it is
// left in the rootfs but an empty mount point.
func TestRootfsHostnameFile(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		res := u.run(t, "-p", "-m", "-u", "box", "--rootfs", r, "--hostname-file", "sh", "-c", "hostname; cat /etc/hostname; ls -a /dev | grep -c nsexec || true").MustSucceed(t)
		if want := []string{"box", "box", "0"}; !slices.Equal(res.Lines(), want) {
			t.Errorf("inside: %q, want %q", res.Lines(), want)
		}
		if data, _ := os.ReadFile(filepath.Join(r, "etc", "hostname")); len(data) != 0 {
			t.Errorf("the rootfs's /etc/hostname was written: %q", data)
		}
		res = u.run(t, "-p", "-m", "-u", "box", "--rootfs", r, "cat", "/etc/hostname")
		if strings.Contains(res.Stdout, "box") {
			t.Errorf("/etc/hostname holds the hostname without --hostname-file")
		}
	})
}

// Mount options without --rootfs apply to the host's tree in the new mount
// namespace only.
func TestMountsWithoutRootfs(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		d := u.dir(t)
		res := u.run(t, "-m", "--tmpfs", d+":size=1m", "sh", "-c", "touch "+d+"/x && ls "+d).MustSucceed(t)
		if strings.TrimSpace(res.Stdout) != "x" {
			t.Errorf("inside: %q", res.Stdout)
		}
		if entries, _ := os.ReadDir(d); len(entries) != 0 {
			t.Errorf("the tmpfs was not private: %d entries on the host", len(entries))
		}
	})
}

// A terminal on stdin becomes /dev/console.
func TestRootfsConsole(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "script")
	r := testutil.BusyboxRootfs(t)
	bin := testutil.Binary(t)
	res := testutil.RunCmd(t, exec.Command("script", "-qec",
		bin+" -p -m --rootfs "+r+" sh -c 'test -c /dev/console && echo console-ok'", "/dev/null"))
	if !strings.Contains(res.Stdout, "console-ok") {
		t.Errorf("no /dev/console on a terminal: %q %q", res.Stdout, res.Stderr)
	}
}

// The race of CVE-2021-30465: while nsexec sets up, the rootfs's owner
// swaps a directory on the mount's path with a symlink to "/", again and
// again. The destination is resolved once, inside the root, and mounted on
// through its descriptor: whichever it met, the mount lands inside.
func TestRootfsSymlinkSwapRace(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		r := u.rootfs(t)
		name := fmt.Sprintf("nsexec-race-%d-%s", os.Getpid(), u.name)
		flip, other := filepath.Join(r, "flip"), filepath.Join(r, "other")
		os.Mkdir(flip, 0o755)
		os.Symlink("/", other)
		if u.uid != 0 {
			testutil.Chown(t, r, u.uid, u.uid)
		}
		t.Cleanup(func() {
			if _, err := os.Lstat("/" + name); err == nil {
				os.RemoveAll("/" + name)
				t.Errorf("/%s was made on the host", name)
			}
		})
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
					unix.Renameat2(unix.AT_FDCWD, flip, unix.AT_FDCWD, other, unix.RENAME_EXCHANGE)
				}
			}
		}()
		for i := 0; i < 40; i++ {
			res := u.run(t, "-p", "-m", "--rootfs", r, "--tmpfs", "/flip/"+name, "true")
			if res.Code != 0 && !strings.HasPrefix(res.Stderr, "nsexec: mount tmpfs on /flip/"+name+": ") {
				t.Errorf("run %d: exit %d, %q", i, res.Code, res.Stderr)
			}
		}
		close(stop)
		<-done
		// Some runs met the symlink: their mount point was made at the
		// rootfs's top, where "/" led inside it.
		if _, err := os.Lstat(filepath.Join(r, name)); err != nil {
			t.Errorf("no run met the symlink: the race was not exercised (%v)", err)
		}
	})
}
