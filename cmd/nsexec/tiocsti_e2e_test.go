package main

// Issue 9, point 5: CVE-2017-5226. CMD of a container run or of a joined
// run must not be able to type into the terminal of the shell that started
// nsexec (TIOCSTI); a run on the host's filesystem stays in that shell's
// session, as the founding document's interactive shell needs.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"nsexec/internal/testutil"
)

// callerTerminal is a terminal the test owns as a user's shell owns its
// own: nsexec runs on its slave side, as the foreground job of the
// terminal's session, and the test reads both what nsexec writes (on the
// master) and what is typed into the terminal for its reader (the slave's
// input queue, where TIOCSTI puts characters).
type callerTerminal struct {
	ptm, tty *os.File
	screen   *screen
}

func newCallerTerminal(t *testing.T) *callerTerminal {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptm.Close(); tty.Close() })
	return &callerTerminal{ptm: ptm, tty: tty, screen: newScreen(ptm)}
}

// start runs cmd on the terminal as a shell starts a foreground job.
func (c *callerTerminal) start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.tty, c.tty, c.tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
}

// typedIn takes what waits in the terminal's input queue: what the shell
// would read as the next thing its user typed.
func (c *callerTerminal) typedIn(t *testing.T) string {
	t.Helper()
	n, err := unix.IoctlGetInt(int(c.tty.Fd()), unix.TIOCINQ)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, n)
	if n > 0 {
		n, _ = c.tty.Read(buf)
	}
	return string(buf[:n])
}

// probeRootfs is a busybox rootfs with the probe as /probe.
func probeRootfs(t *testing.T) string {
	t.Helper()
	root := testutil.BusyboxRootfs(t)
	data, err := os.ReadFile(testutil.Probe(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "probe"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

const injected = "echo INJECTED-BY-CMD\n"

// attack runs nsexec with args, whose CMD is the probe trying TIOCSTI on
// its stdin, stdout and stderr (the caller's terminal) and on each path,
// on a terminal in raw mode (every injected byte is readable at once, and
// none is echoed). It returns the probe's lines and what was typed.
func attack(t *testing.T, args []string, cmd func(args ...string) *exec.Cmd, paths ...string) (map[string]string, string) {
	t.Helper()
	c := newCallerTerminal(t)
	if _, err := term.MakeRaw(int(c.tty.Fd())); err != nil {
		t.Fatal(err)
	}
	run := cmd(append(append(args, "tiocsti", injected), paths...)...)
	c.start(t, run)
	if code := waitCode(t, run); code != 0 {
		t.Fatalf("%v: exit %d: %q", run.Args, code, c.screen.all())
	}
	got := map[string]string{}
	// The probe printed before it exited; the terminal holds it already.
	testutil.WaitFor(2*time.Second, func() bool { return strings.Contains(c.screen.all(), "fd2 ") })
	for _, line := range strings.Split(c.screen.all(), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			got[f[0]] = f[1]
		}
	}
	return got, c.typedIn(t)
}

func TestTIOCSTIContainerRun(t *testing.T) {
	testutil.RequireRoot(t)
	root := probeRootfs(t)
	nsexec := func(args ...string) *exec.Cmd { return testutil.Command(t, args...) }

	// On the host's filesystem CMD is in the caller's session, with the
	// terminal as its controlling one: the probe's injection works, which
	// shows that the check below sees an injection when there is one.
	got, typed := attack(t, []string{"-p", testutil.Probe(t)}, nsexec, "/dev/tty")
	if got["fd0"] != "ok" || got["/dev/tty"] != "ok" || !strings.Contains(typed, injected) {
		t.Fatalf("a run on the host's filesystem left the caller's session: probe %v, typed %q", got, typed)
	}

	// A container run: the same attack, also through /dev/console (the
	// caller's terminal, bound there) and /dev/tty, fails and types nothing.
	got, typed = attack(t, []string{"-p", "--rootfs", root, "/probe"}, nsexec, "/dev/console", "/dev/tty")
	if typed != "" {
		t.Errorf("CMD of a container run typed into the caller's terminal: %q", typed)
	}
	for _, what := range []string{"fd0", "fd1", "fd2", "/dev/console"} {
		if got[what] != "EPERM" {
			t.Errorf("TIOCSTI on %s: %q, want EPERM", what, got[what])
		}
	}
	if got["/dev/tty"] != "open-ENXIO" {
		t.Errorf("/dev/tty: %q, want open-ENXIO: CMD must have no controlling terminal", got["/dev/tty"])
	}
}

// Root joins an instance of an unprivileged user from its terminal: CMD
// runs as that user, in that user's namespaces, where the user's own
// processes can make it do what they want. It must not be able to type
// into root's shell.
func TestTIOCSTIJoinedRun(t *testing.T) {
	testutil.RequireRoot(t)
	probe := testutil.Probe(t)
	owner := testutil.CommandAs(t, testutil.Nobody, "-U", "-p", "-u", "theirs", "sh", "-c", "echo ready; exec sleep 300")
	startReady(t, owner)
	stopOnCleanup(t, owner)
	init, _ := strconv.Atoi(childOf(t, owner.Process.Pid))
	target := childOf(t, init)

	nsexec := func(args ...string) *exec.Cmd { return testutil.Command(t, args...) }
	for _, args := range [][]string{{"--join", target, probe}, {"--join-user", target, "--join-pid", target, probe}} {
		got, typed := attack(t, args, nsexec, "/dev/tty")
		if typed != "" {
			t.Errorf("%v: CMD typed into root's terminal: %q", args, typed)
		}
		for _, what := range []string{"fd0", "fd1", "fd2"} {
			if got[what] != "EPERM" {
				t.Errorf("%v: TIOCSTI on %s: %q, want EPERM", args, what, got[what])
			}
		}
		if got["/dev/tty"] != "open-ENXIO" {
			t.Errorf("%v: /dev/tty: %q, want open-ENXIO", args, got["/dev/tty"])
		}
	}
}
