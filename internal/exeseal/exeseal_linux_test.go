package exeseal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"nsexec/internal/testutil"
)

// binaryCopy copies /bin/sleep into a directory of its own.
func binaryCopy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sleep")
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// overwrite is CVE-2019-5736 against exe: a child execs it, a descriptor
// of /proc/CHILD/exe is taken, the child ends, and that descriptor is
// reopened for writing. It returns why the write failed (nil: it wrote).
func overwrite(t *testing.T, exe *Exe) error {
	t.Helper()
	cmd := exec.Command("/proc/self/fd/3", "60")
	cmd.ExtraFiles = []*os.File{exe.File}
	if err := cmd.Start(); err != nil { // returns once the child execed
		t.Fatal(err)
	}
	got, err := os.Open(fmt.Sprintf("/proc/%d/exe", cmd.Process.Pid))
	cmd.Process.Kill()
	cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	w, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", got.Fd()), os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer w.Close()
	_, err = w.Write([]byte("pwned"))
	return err
}

func overlayMounts(t *testing.T) int {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), " - overlay ")
}

func TestOverlay(t *testing.T) {
	testutil.RequireRoot(t)
	path := binaryCopy(t)
	before, _ := os.ReadFile(path)
	mounts := overlayMounts(t)
	exe, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer exe.Close()
	if !strings.HasPrefix(exe.How, "from a read-only overlay of ") {
		t.Fatalf("How = %q, want the overlay", exe.How)
	}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(exe.File.Fd()), &fs); err != nil || fs.Type != unix.OVERLAYFS_SUPER_MAGIC || fs.Flags&unix.ST_RDONLY == 0 {
		t.Errorf("statfs: %v, type %#x flags %#x: want a read-only overlay", err, fs.Type, fs.Flags)
	}
	if n := overlayMounts(t); n != mounts {
		t.Errorf("%d overlay mounts in mountinfo, %d before: the overlay must be mounted nowhere", n, mounts)
	}
	if err := overwrite(t, exe); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write through /proc/PID/exe: %v, want EROFS", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the binary changed")
	}
}

// The file found on the overlay must be the one asked for: a binary
// replaced since it started is not run in its place.
func TestOverlayChecksTheFile(t *testing.T) {
	testutil.RequireRoot(t)
	path := binaryCopy(t)
	var other unix.Stat_t
	if err := unix.Stat("/bin/sleep", &other); err != nil {
		t.Fatal(err)
	}
	f, err := openOverlay(path, &other)
	if err == nil {
		f.Close()
		t.Fatal("opened a file that is not the one running")
	}
	if !strings.Contains(err.Error(), "is no longer the binary running") {
		t.Errorf("err = %v", err)
	}
}

func TestSealedCopy(t *testing.T) {
	path := binaryCopy(t)
	before, _ := os.ReadFile(path)
	src, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, err := sealedCopy(src, int64(len(before)), "sleep")
	if err != nil {
		t.Fatal(err)
	}
	exe := &Exe{File: f}
	defer exe.Close()
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	want := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if err != nil || seals&want != want {
		t.Errorf("seals %#x, %v: want %#x", seals, err, want)
	}
	if err := f.Truncate(0); !errors.Is(err, syscall.EPERM) {
		t.Errorf("truncate: %v, want EPERM", err)
	}
	if err := overwrite(t, exe); !errors.Is(err, syscall.EPERM) {
		t.Errorf("write through /proc/PID/exe: %v, want EPERM", err)
	}
	copied := make([]byte, len(before)+1)
	n, _ := f.ReadAt(copied, 0)
	if !bytes.Equal(copied[:n], before) {
		t.Errorf("the copy differs from the binary (%d of %d bytes)", n, len(before))
	}
}

// The attack works on the file itself: what the tests above refuse is not
// refused by something else.
func TestOverwriteReachesTheFile(t *testing.T) {
	testutil.RequireRoot(t)
	path := binaryCopy(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	exe := &Exe{File: f}
	defer exe.Close()
	if err := overwrite(t, exe); err != nil {
		t.Fatalf("write through /proc/PID/exe of the file itself: %v", err)
	}
	if data, _ := os.ReadFile(path); !bytes.HasPrefix(data, []byte("pwned")) {
		t.Error("the write did not reach the file")
	}
}
