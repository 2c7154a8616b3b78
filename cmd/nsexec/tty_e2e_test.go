package main

// Issue 9, point 5: -t gives CMD a terminal of its own, relayed by nsexec
// in raw mode, as `docker run -it` does.

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"nsexec/internal/testutil"
)

// screen collects what a terminal's master shows, and waits for text.
type screen struct {
	mu   sync.Mutex
	buf  strings.Builder
	mark int // expect looks after this
}

func newScreen(r io.Reader) *screen {
	s := &screen{}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			s.mu.Lock()
			s.buf.Write(b[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *screen) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// expect waits until the screen shows want after what earlier expects
// matched, and moves past it.
func (s *screen) expect(t *testing.T, want string) {
	t.Helper()
	if !s.within(10*time.Second, want) {
		t.Fatalf("the terminal never showed %q; after the last match it showed %q", want, s.all()[s.mark:])
	}
}

func (s *screen) within(d time.Duration, want string) bool {
	var found bool
	testutil.WaitFor(d, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		if i := strings.Index(s.buf.String()[s.mark:], want); i >= 0 {
			s.mark += i + len(want)
			found = true
		}
		return found
	})
	return found
}

// sttyG is the terminal's mode as `stty -g` prints it.
func sttyG(t *testing.T, tty *os.File) string {
	t.Helper()
	cmd := exec.Command("stty", "-g")
	cmd.Stdin = tty
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// waitProcess waits until a process runs with exactly this command line.
func waitProcess(t *testing.T, args ...string) {
	t.Helper()
	marker := strings.Join(args, "\x00") + "\x00"
	if !testutil.WaitFor(10*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) > 0 }) {
		t.Fatalf("%q never started", args)
	}
}

// The caller's terminal is in raw mode during the run and gets its mode
// back however the run ends: CMD exits, CMD is killed, nsexec is signalled.
func TestTtyRestoresTerminal(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "stty")
	root := testutil.BusyboxRootfs(t)
	script := "tty; echo ready; "
	for _, tt := range []struct {
		name   string
		script string
		end    func(c *callerTerminal, cmd *exec.Cmd)
		code   int
	}{
		{"CMD exits", "read x; exit 3", func(c *callerTerminal, _ *exec.Cmd) { c.ptm.Write([]byte("\r")) }, 3},
		{"CMD killed", "read x; kill -KILL $$", func(c *callerTerminal, _ *exec.Cmd) { c.ptm.Write([]byte("\r")) }, 137},
		{"nsexec gets SIGTERM", "exec sleep 30", func(_ *callerTerminal, cmd *exec.Cmd) { cmd.Process.Signal(syscall.SIGTERM) }, 143},
		{"nsexec gets SIGINT", "exec sleep 30", func(_ *callerTerminal, cmd *exec.Cmd) { cmd.Process.Signal(syscall.SIGINT) }, 130},
		{"nsexec gets SIGHUP", "exec sleep 30", func(_ *callerTerminal, cmd *exec.Cmd) { cmd.Process.Signal(syscall.SIGHUP) }, 129},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCallerTerminal(t)
			before := sttyG(t, c.tty)
			cmd := testutil.Command(t, "-t", "-p", "--rootfs", root, "sh", "-c", script+tt.script)
			c.start(t, cmd)
			c.screen.expect(t, "ready")
			if out := c.screen.all(); !regexp.MustCompile(`(?m)^/dev/pts/\d+\r$`).MatchString(out) {
				t.Errorf("tty inside printed %q, want a /dev/pts path", out)
			}
			if during := sttyG(t, c.tty); during == before {
				t.Errorf("the terminal is not in raw mode during the run: %s", during)
			}
			tt.end(c, cmd)
			if code := waitCode(t, cmd); code != tt.code {
				t.Errorf("exit %d, want %d; the terminal showed %q", code, tt.code, c.screen.all())
			}
			if after := sttyG(t, c.tty); after != before {
				t.Errorf("terminal mode not restored:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// An interactive shell on its own terminal: Ctrl-C interrupts its
// foreground job, Ctrl-Z stops it and job control takes it on, window
// changes reach it.
func TestTtyInteractiveShell(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	c := newCallerTerminal(t)
	if err := pty.Setsize(c.ptm, &pty.Winsize{Rows: 33, Cols: 101}); err != nil {
		t.Fatal(err)
	}
	cmd := testutil.Command(t, "-t", "-p", "--rootfs", root, "sh", "-i")
	c.start(t, cmd)
	s := c.screen
	type_ := func(line string) { c.ptm.Write([]byte(line + "\r")) } // Enter, in raw mode

	s.expect(t, "/ # ") // the prompt: nsexec's terminal is raw by now
	type_("stty size; echo size-$((1+1))")
	s.expect(t, "33 101")
	s.expect(t, "size-2")

	// Ctrl-C: the foreground sleep is interrupted, the shell goes on.
	type_("sleep 4711")
	waitProcess(t, "sleep", "4711")
	c.ptm.Write([]byte{3})
	type_("echo rc=$?")
	s.expect(t, "rc=130")
	type_("echo after-$((2+3))")
	s.expect(t, "after-5")

	// Ctrl-Z: the job stops; jobs lists it; kill %1 ends it (KILL: busybox
	// does not continue a stopped job after TERM, as bash does).
	type_("sleep 4712")
	waitProcess(t, "sleep", "4712")
	c.ptm.Write([]byte{0x1a})
	s.expect(t, "Stopped")
	type_("jobs; echo listed")
	s.expect(t, "Stopped")
	s.expect(t, "listed")
	type_("kill -KILL %1; echo killed")
	s.expect(t, "killed")
	if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith("sleep\x004712\x00")) == 0 }) {
		t.Error("kill %1 did not end the stopped job")
	}

	// A new window size: the kernel signals nsexec (the foreground job of
	// the outer terminal), which passes the size on.
	if err := pty.Setsize(c.ptm, &pty.Winsize{Rows: 44, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	resized := false
	for i := 0; i < 20 && !resized; i++ {
		type_("stty size")
		resized = s.within(500*time.Millisecond, "44 120")
	}
	if !resized {
		t.Errorf("the new window size never reached the terminal inside: %q", s.all()[s.mark:])
	}
	type_("exit 7")
	if code := waitCode(t, cmd); code != 7 {
		t.Errorf("exit %d, want 7", code)
	}
}

// With stdin not a terminal, -t still gives CMD one (as `docker run -t`);
// --join gives a real one too, from the joined root's own devpts.
func TestTtyWithoutTerminal(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	pts := regexp.MustCompile(`^/dev/pts/\d+\r\n$`)
	r := testutil.Run(t, "-t", "-p", "--rootfs", root, "sh", "-c", "tty").MustSucceed(t)
	if !pts.MatchString(r.Stdout) {
		t.Errorf("-t --rootfs: tty printed %q", r.Stdout)
	}
	r = testutil.Run(t, "-t", "-m", "tty").MustSucceed(t)
	if !pts.MatchString(r.Stdout) {
		t.Errorf("-t on the host's filesystem: tty printed %q", r.Stdout)
	}
	// A pipe on stdin reaches CMD; its end is CMD's end-of-file.
	cmd := testutil.Command(t, "-t", "-p", "--rootfs", root, "sh", "-c", "read a; read b || echo eof-$a")
	cmd.Stdin = strings.NewReader("x\n")
	if r := testutil.RunCmd(t, cmd); r.Code != 0 || !strings.Contains(r.Stdout, "eof-x") {
		t.Errorf("stdin from a pipe: exit %d, %q, %q", r.Code, r.Stdout, r.Stderr)
	}

	for _, args := range [][]string{{"-p", "--rootfs", root}, {"-p", "-u", "plain"}} {
		name := unique("nsxtty")
		startInstance(t, append([]string{"--name", name}, args...), "", true)
		r := testutil.Run(t, "--join", name, "-t", "sh", "-c", "tty; echo $$")
		if r.Code != 0 || !regexp.MustCompile(`^/dev/pts/\d+\r\n\d+\r\n$`).MatchString(r.Stdout) {
			t.Errorf("--join %s (%v) -t: exit %d, %q, %q", name, args, r.Code, r.Stdout, r.Stderr)
		}
		r = testutil.Run(t, "--join", name, "sh", "-c", "tty")
		if r.Stdout != "not a tty\n" {
			t.Errorf("--join %s without -t: tty printed %q", name, r.Stdout)
		}
	}
}

// Output the run wrote just before it ended is all relayed.
func TestTtyRelaysAllOutput(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.Run(t, "-t", "-p", "sh", "-c", "seq 1 20000; exit 4")
	if r.Code != 4 {
		t.Fatalf("exit %d, want 4: %q", r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\r\n"), "\r\n")
	if len(lines) != 20000 || lines[19999] != fmt.Sprint(20000) {
		t.Errorf("%d lines relayed, the last %q; want 20000", len(lines), lines[len(lines)-1])
	}
}
