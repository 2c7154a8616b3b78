package nsenter

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/procfs"
	"nsexec/internal/spec"
	"nsexec/internal/testutil"
)

// A persisted namespace is a bind mount of an nsfs file; unpersisting
// removes exactly that and refuses anything else.
func TestPersistAndUnpersist(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "sub", "uts")
	t.Cleanup(func() { Discard(file) })
	if err := PrepareTarget(spec.UTS, file); err != nil {
		t.Fatal(err)
	}
	if err := PrepareTarget(spec.UTS, file); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second PrepareTarget: %v, want already exists", err)
	}
	if err := Unpersist(file); err == nil || !strings.Contains(err.Error(), "not a persisted namespace") {
		t.Errorf("Unpersist of an empty file: %v", err)
	}
	if err := Bind("/proc/self/ns/uts", file); err != nil {
		t.Fatal(err)
	}
	f, err := Open(spec.UTS, Ref{Path: file})
	if err != nil {
		t.Fatalf("open the persisted namespace: %v", err)
	}
	if ours, _ := Ours(f, spec.UTS); !ours {
		t.Error("the bound file is not our UTS namespace")
	}
	f.Close()
	if err := Unpersist(file); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", file, err)
	}
	if err := Unpersist(file); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Unpersist twice: %v", err)
	}
}

// A mount namespace is bound only below a mount that does not propagate:
// a plain directory becomes a private mount of itself, a shared mount point
// is refused.
func TestPrepareMountTarget(t *testing.T) {
	testutil.RequireRoot(t)
	plain := t.TempDir()
	t.Cleanup(func() { unix.Unmount(plain, unix.MNT_DETACH) })
	if err := PrepareTarget(spec.Mount, filepath.Join(plain, "mnt")); err != nil {
		t.Fatal(err)
	}
	id, point, err := mountID(plain)
	if err != nil || !point {
		t.Fatalf("%s: mount point %v, %v", plain, point, err)
	}
	info, _ := os.ReadFile("/proc/self/mountinfo")
	if m, ok := procfs.FindMount(info, id); !ok || m.Shared {
		t.Errorf("%s: %+v, want a private mount", plain, m)
	}

	shared := t.TempDir()
	if out, err := exec.Command("sh", "-c", "mount --bind "+shared+" "+shared+" && mount --make-shared "+shared).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { unix.Unmount(shared, unix.MNT_DETACH) })
	err = PrepareTarget(spec.Mount, filepath.Join(shared, "mnt"))
	if err == nil || !strings.Contains(err.Error(), "a shared mount") {
		t.Errorf("PrepareTarget below a shared mount: %v", err)
	}
	if _, err := os.Stat(filepath.Join(shared, "mnt")); !os.IsNotExist(err) {
		t.Error("the refused target file was created")
	}
}
