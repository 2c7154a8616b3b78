package main

// Issue 9, item 4: a process outside (another container sharing the
// rootfs as a volume) swaps ROOT/proc, ROOT/sys or ROOT/dev with a symlink
// while runs start. Every run must come up with its procfs, sysfs and /dev
// fully masked, or fail before CMD with "nsexec:" and 125.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/testutil"
)

// findFS is a shell function: cd into whichever of /NAME, /link and /evil
// is a mount of filesystem type $1 (statfs magic in hex), trying again
// while the racer moves the names about. Once there, every check is
// relative to the working directory, which the racer cannot move. Nothing
// goes to /dev/null: while ROOT/dev is swapped, that is /evil/null.
const findFS = `
find() { for d in /$NAME /link /evil; do cd "$d" 2>&- && [ "$(stat -f -c %t .)" = "$1" ] && return 0; done; return 1; }
n=0; until find "$MAGIC"; do n=$((n+1)); [ $n -lt 5000 ] || { echo "NOTFOUND"; exit 3; }; done
bad=""
masked() { [ "$(stat -c %t:%T "$1" 2>&-)" = 1:3 ] || bad="$bad $1"; }
maskeddir() { [ "$(stat -f -c %t "$1" 2>&-)" = 1021994 ] && [ -z "$(ls -A "$1")" ] || bad="$bad $1"; }
writable() { (: >>"$1") 2>&- && bad="$bad $1:writable"; }
`

var swapChecks = []struct {
	name, magic, checks string
}{
	// Opening for writing (append, nothing written) is the attack: it
	// works on a read-write procfs for root with Docker's capabilities.
	{"proc", "9fa0", `writable sys/kernel/core_pattern; writable sysrq-trigger
		masked keys; masked timer_list; masked interrupts; maskeddir acpi`},
	{"sys", "62656572", `maskeddir firmware; maskeddir dev/block; writable kernel/uevent_helper`},
	{"dev", "1021994", `masked null; [ "$(stat -f -c %t pts)" = 1cd1 ] || bad="$bad pts"`},
}

func TestSwappedProcSysDev(t *testing.T) {
	testutil.RequireRoot(t)
	const runs = 120
	for _, c := range swapChecks {
		t.Run(c.name, func(t *testing.T) {
			root := testutil.BusyboxRootfs(t)
			if err := os.Mkdir(filepath.Join(root, "evil"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/evil", filepath.Join(root, "link")); err != nil {
				t.Fatal(err)
			}
			stop := swapper(t, root, c.name)
			script := "NAME=" + c.name + " MAGIC=" + c.magic + "\n" + findFS + c.checks +
				"\n[ -z \"$bad\" ] && echo OK || echo \"UNMASKED$bad\""
			ok, failed := 0, 0
			for i := 0; i < runs; i++ {
				r := testutil.Run(t, "-p", "--rootfs", root, "sh", "-c", script)
				switch {
				case r.Code == 0 && strings.TrimSpace(r.Stdout) == "OK":
					ok++
				case r.Code == 125 && strings.HasPrefix(r.Stderr, "nsexec: ") && r.Stdout == "":
					failed++
				default:
					t.Errorf("run %d: exit %d, stdout %q, stderr %q", i, r.Code, r.Stdout, r.Stderr)
				}
			}
			swaps := stop()
			t.Logf("%d runs: %d fully masked, %d refused with 125; %d swaps", runs, ok, failed, swaps)
			if ok < runs/10 {
				t.Errorf("only %d of %d runs reached CMD: the test proves little", ok, runs)
			}
			// Nothing of the run was made in the rootfs through the swapped name.
			for _, d := range []string{"evil", c.name, "link"} {
				if ents, _ := os.ReadDir(filepath.Join(root, d)); len(ents) > 0 {
					t.Errorf("the runs left %d entries in ROOT/%s (%s...)", len(ents), d, ents[0].Name())
				}
			}
		})
	}
}

// swapper exchanges ROOT/name and ROOT/link (a symlink to /evil) until stop
// is called (or the test ends); stop puts them back and returns the count
// of swaps.
func swapper(t *testing.T, root, name string) (stop func() int64) {
	dfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	var quit atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !quit.Load() {
			if unix.Renameat2(dfd, name, dfd, "link", unix.RENAME_EXCHANGE) == nil {
				n++
			}
		}
	}()
	var once sync.Once
	stop = func() int64 {
		once.Do(func() {
			quit.Store(true)
			<-done
			if fi, err := os.Lstat(filepath.Join(root, name)); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				unix.Renameat2(dfd, name, dfd, "link", unix.RENAME_EXCHANGE)
			}
			unix.Close(dfd)
		})
		return n
	}
	t.Cleanup(func() { stop() })
	return stop
}

// A mask that cannot be applied fails the run before CMD; only a default
// mask that the run's own procfs lacks is skipped.
func TestMaskThatCannotBeAppliedFails(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	for _, tt := range []struct{ mask, want string }{
		{"/proc/nsexec-none", "nsexec: mask /proc/nsexec-none: No such file or directory"},
		{"/proc/self", "nsexec: mask /proc/self: is a symlink"},
		{"/dev/stdin", "nsexec: mask /dev/stdin: is a symlink"},
		{"/etc/nsexec-none", "nsexec: mask /etc/nsexec-none: No such file or directory"},
	} {
		r := testutil.Run(t, "-p", "--rootfs", root, "--mask", tt.mask, "echo", "CMD-RAN")
		if r.Code != 125 || !strings.HasPrefix(r.Stderr, tt.want) || r.Stdout != "" {
			t.Errorf("--mask %s: exit %d, stdout %q, stderr %q; want 125 and %q", tt.mask, r.Code, r.Stdout, r.Stderr, tt.want)
		}
	}
	r := testutil.Run(t, "-p", "--rootfs", root, "--mask", "/proc/cpuinfo", "--mask", "/etc", "sh", "-c",
		"wc -c </proc/cpuinfo; ls -A /etc | wc -l").MustSucceed(t)
	if got := r.Lines(); len(got) != 2 || got[0] != "0" || got[1] != "0" {
		t.Errorf("masked file and directory show %q, want both empty", got)
	}
}

// Issue 9, item 8: a --rootfs run without -p gets a PID namespace of its
// own (and the other kinds of a container), so that CMD, with Docker's
// CAP_KILL, cannot signal the host's processes; --share-pid is the
// explicit way back to the host's.
func TestRootfsOwnPIDNamespace(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	victim := exec.Command("sleep", "60")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { victim.Process.Kill(); victim.Wait() })
	pid := strconv.Itoa(victim.Process.Pid)
	alive := func() bool { return syscall.Kill(victim.Process.Pid, 0) == nil }

	// The attack: signal the host's process from inside.
	r := testutil.Run(t, "--rootfs", root, "sh", "-c",
		"kill -TERM "+pid+" && echo KILLED; ps -o pid= > /tmp/ps; wc -l < /tmp/ps; for k in pid uts ipc cgroup net; do readlink /proc/self/ns/$k; done")
	if strings.Contains(r.Stdout, "KILLED") || !alive() {
		t.Fatalf("a --rootfs run killed host process %s: %q", pid, r.Stdout)
	}
	lines := r.Lines()
	if r.Code != 0 || len(lines) != 6 {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
	}
	// The init, sh and ps: nothing of the host. (ps writes to a file:
	// in a pipe, wc may not exist yet when ps looks.)
	if n, _ := strconv.Atoi(strings.TrimSpace(lines[0])); n != 3 {
		t.Errorf("ps inside shows %s processes, want 3 (init, sh, ps)", lines[0])
	}
	for i, kind := range []string{"pid", "uts", "ipc", "cgroup", "net"} {
		host, _ := os.Readlink("/proc/self/ns/" + kind)
		if same := lines[1+i] == host; same != (kind == "net") {
			t.Errorf("%s namespace inside %s, host's %s: want %s", kind, lines[1+i], host,
				map[bool]string{true: "the host's (the network stays as asked)", false: "a new one"}[kind == "net"])
		}
	}

	// The explicit opt-out: the host's PID namespace, where the process is.
	r = testutil.Run(t, "--rootfs", root, "--share-pid", "sh", "-c", "kill -0 "+pid+" && echo REACHED; readlink /proc/self/ns/pid").MustSucceed(t)
	host, _ := os.Readlink("/proc/self/ns/pid")
	if got := r.Lines(); len(got) != 2 || got[0] != "REACHED" || got[1] != host {
		t.Errorf("--share-pid: %q, want REACHED and the host's %s", got, host)
	}
}
