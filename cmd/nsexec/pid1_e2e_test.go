package main

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/testutil"
)

// The resident PID 1 keeps CAP_KILL alone, no_new_privs and a filter,
// whatever the run: it needs only to wait, forward signals and exit.
func TestPID1Confined(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	want := []string{"CapPrm:\t0000000000000020", "CapEff:\t0000000000000020",
		"CapBnd:\t0000000000000020", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2"}
	for _, args := range [][]string{
		{"-p"},
		{"-U", "-p"},
		{"-p", "--rootfs", root},
		{"-p", "--rootfs", root, "--cap-add", "ALL", "--seccomp", "unconfined"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := testutil.Run(t, append(args, "cat", "/proc/1/status")...).MustSucceed(t)
			checkLines(t, r.Stdout, want)
		})
	}
	// Signals still reach a CMD of another user.
	r := testutil.Run(t, "-p", "--uid", "1000", "sh", "-c", "kill -TERM $$; sleep 5")
	if r.Code != 128+15 {
		t.Errorf("CMD as uid 1000 sent itself TERM: exit %d, want 143 (%s)", r.Code, r.Stderr)
	}
}

// The attack of issue 9, hole 2: a CMD given CAP_SYS_PTRACE ptraces PID 1
// and makes it call open_by_handle_at with a handle of a directory outside
// the container. An unconfined PID 1 (CAP_DAC_READ_SEARCH) hands it the
// host's directory; a confined one gets EPERM.
func TestPID1PtraceCannotEscape(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	data, err := os.ReadFile(testutil.Probe(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "probe"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	// The directory above the rootfs: outside, on the same filesystem.
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, filepath.Dir(root), 0)
	if err != nil {
		t.Skipf("this filesystem has no file handles: %v", err)
	}
	handle := binary.LittleEndian.AppendUint32(nil, uint32(h.Type()))
	handle = append(handle, h.Bytes()...)
	for _, args := range [][]string{
		{"-p", "--rootfs", root, "--cap-add", "SYS_PTRACE"},
		{"-p", "--rootfs", root, "--cap-add", "SYS_PTRACE", "--seccomp", "unconfined"},
	} {
		t.Run(strings.Join(args[3:], " "), func(t *testing.T) {
			r := testutil.Run(t, append(args, "/probe", "ptrace-inject", "1", hex.EncodeToString(handle))...)
			if got := strings.TrimSpace(r.Stdout); got != "injected errno EPERM" {
				t.Errorf("ptrace of PID 1: %q (exit %d, %s), want \"injected errno EPERM\"", got, r.Code, r.Stderr)
			}
		})
	}
}
