package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	probeOnce sync.Once
	probePath string
	probeErr  error
)

// Probe builds the probe (internal/testutil/probe), a static program that
// makes exact system calls for the confinement tests, once per test
// process, into a directory every user can read. Cleanup removes it.
func Probe(t testing.TB) string {
	t.Helper()
	probeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nsexec-test-probe-")
		if err != nil {
			probeErr = err
			return
		}
		os.Chmod(dir, 0o755)
		probePath = filepath.Join(dir, "probe")
		cmd := exec.Command("go", "build", "-o", probePath, filepath.Join(moduleRoot(), "internal", "testutil", "probe"))
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			probeErr = &buildError{err, out}
		}
	})
	if probeErr != nil {
		t.Fatal(probeErr)
	}
	return probePath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build probe: " + e.err.Error() + "\n" + string(e.out) }
