package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"nsexec/internal/testutil"
)

// runOnTerminal starts nsexec as the foreground job of a new terminal, as a
// shell would, and returns the terminal's master side.
func runOnTerminal(t *testing.T, args ...string) (*os.File, func() int) {
	t.Helper()
	testutil.RequireRoot(t)
	cmd := testutil.Command(t, args...)
	ptm, err := pty.Start(cmd) // nsexec leads a new session with the pty as its terminal
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ptm.Close()
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return ptm, func() int { return waitCode(t, cmd) }
}

// terminalLines reads the terminal's output line by line in the background.
func terminalLines(ptm *os.File) <-chan string {
	lines := make(chan string, 100)
	go func() {
		r := bufio.NewReader(ptm)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				lines <- line
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	return lines
}

// readUntil reads lines until one holds want, for 20 seconds at most.
func readUntil(t *testing.T, lines <-chan string, want string) string {
	t.Helper()
	var seen strings.Builder
	timeout := time.After(20 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			seen.WriteString(line)
			if strings.Contains(line, want) {
				return seen.String()
			}
			if !ok {
				t.Fatalf("terminal closed without showing %q; it showed %q", want, seen.String())
			}
		case <-timeout:
			t.Fatalf("terminal never showed %q; it showed %q", want, seen.String())
		}
	}
}

// Ctrl-C on the terminal reaches CMD once: on the host's filesystem the
// terminal signals the whole foreground process group, CMD included, and
// neither nsexec nor its init sends it again; a container's CMD, in a
// session of its own, gets it from nsexec.
func TestTerminalInterruptOnce(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	for _, args := range [][]string{{"-p"}, {"-p", "--rootfs", root}} {
		t.Logf("%v", args)
		ptm, wait := runOnTerminal(t, append(args, "sh", "-c",
			`n=0; trap 'n=$((n+1))' INT; echo ready; while [ $n -eq 0 ]; do sleep 0.05; done; sleep 0.5; echo "got $n"`)...)
		r := terminalLines(ptm)
		readUntil(t, r, "ready")
		ptm.Write([]byte{3}) // ^C
		out := readUntil(t, r, "got ")
		if !strings.Contains(out, "got 1") {
			t.Errorf("%v: CMD got SIGINT other than once: %q", args, out)
		}
		if code := wait(); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

// An interactive shell works as in the founding document: prompt, job
// control, exit status.
func TestInteractiveShell(t *testing.T) {
	testutil.Require(t, "bash")
	ptm, wait := runOnTerminal(t, "-npu", "myhost", "bash", "--norc", "--noprofile", "-i")
	r := terminalLines(ptm)
	ptm.Write([]byte("echo \"name=$(hostname) pid=$$\"\n"))
	readUntil(t, r, "name=myhost pid=2")
	ptm.Write([]byte("sleep 100 & kill %1; wait; exit 3\n"))
	if code := wait(); code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
}
