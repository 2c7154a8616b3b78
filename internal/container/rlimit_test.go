package container

import (
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/spec"
)

// Every name --rlimit takes has its number, and the numbers are the
// kernel's.
func TestRlimitNumbers(t *testing.T) {
	for _, name := range spec.RlimitNames {
		if _, ok := rlimitResource(name); !ok {
			t.Errorf("--rlimit %s has no resource number", name)
		}
	}
	for name, want := range map[string]int{"cpu": unix.RLIMIT_CPU, "nofile": unix.RLIMIT_NOFILE, "as": unix.RLIMIT_AS,
		"nproc": unix.RLIMIT_NPROC, "memlock": unix.RLIMIT_MEMLOCK, "stack": unix.RLIMIT_STACK, "rttime": unix.RLIMIT_RTTIME} {
		if got, _ := rlimitResource(name); got != want {
			t.Errorf("%s: %d, want %d", name, got, want)
		}
	}
}
