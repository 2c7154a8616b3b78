// Package testutil runs the built nsexec binary the way a user does, for the
// end-to-end tests of every package. Kernel tests need root: they skip with a
// clear message when not root, and fail instead when NSEXEC_TEST_STRICT=1
// (CI sets it), so that a root test can never silently skip there.
package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Nobody is the unprivileged user rootless tests run as.
const Nobody = 65534

// RequireRoot skips a test that needs root, or fails it in strict mode.
// Under -short (make unit) it skips even as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped by -short (make unit): needs root")
	}
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("NSEXEC_TEST_STRICT") == "1" {
		t.Fatal("this test needs root, and NSEXEC_TEST_STRICT=1 forbids skipping it")
	}
	t.Skip("skipped: needs root (run as root, e.g. sudo make test)")
}

// Require skips (or in strict mode fails) a test whose tool is missing.
// Under -short (make unit) it skips even when the tools are there.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipped by -short (make unit): needs %s", strings.Join(tools, ", "))
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("NSEXEC_TEST_STRICT") == "1" {
				t.Fatalf("%s is not installed (make deps installs it)", tool)
			}
			t.Skipf("skipped: %s is not installed (make deps installs it)", tool)
		}
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds ./cmd/nsexec once per test process into a directory every
// user can read, so rootless tests can run it too.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nsexec-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		os.Chmod(dir, 0o755)
		binPath = filepath.Join(dir, "nsexec")
		out, err := exec.Command("go", "build", "-tags", "netgo,osusergo", "-o", binPath, filepath.Join(moduleRoot(), "cmd", "nsexec")).CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Main is the TestMain of a package that runs the binary: it runs the tests,
// then removes what Binary and the probes built.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// Cleanup removes the built binary; Main calls it after the tests.
func Cleanup() {
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	if probePath != "" {
		os.RemoveAll(filepath.Dir(probePath))
	}
}

func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Result is what a finished run printed and how it ended.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs nsexec with args and waits at most a minute.
func Run(t testing.TB, args ...string) Result {
	t.Helper()
	return RunCmd(t, Command(t, args...))
}

// RunAs runs nsexec as an unprivileged uid/gid, through setpriv.
func RunAs(t testing.TB, uid int, args ...string) Result {
	t.Helper()
	return RunCmd(t, CommandAs(t, uid, args...))
}

// Command prepares an nsexec run without starting it.
func Command(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Dir = "/"
	return cmd
}

// RunCmd runs cmd to its end (a minute at most) and collects its output.
func RunCmd(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	var out, errb bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &errb
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", cmd.Args, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("%v: still running after a minute", cmd.Args)
	}
	r := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.Code = ee.ExitCode()
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			r.Code = 128 + int(ws.Signal())
		}
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return r
}

// MustSucceed fails the test unless the run exited 0.
func (r Result) MustSucceed(t testing.TB) Result {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
	}
	return r
}

// Lines is stdout split into trimmed lines.
func (r Result) Lines() []string {
	return strings.Split(strings.TrimSpace(r.Stdout), "\n")
}

// WaitFor polls cond until it holds or the timeout passes.
func WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// KillNsexec kills a running nsexec with SIGKILL, whole: its planner (the
// child with its command line, which would otherwise undo the run once the
// front is gone), then the front, the process cmd started; and reaps it.
func KillNsexec(cmd *exec.Cmd) {
	pid := cmd.Process.Pid
	self, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, f := range strings.Fields(string(data)) {
		if c, _ := os.ReadFile("/proc/" + f + "/cmdline"); string(c) == string(self) {
			if n, err := strconv.Atoi(f); err == nil {
				syscall.Kill(n, syscall.SIGKILL)
			}
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
}
