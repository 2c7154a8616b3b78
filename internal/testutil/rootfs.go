package testutil

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	appletsOnce sync.Once
	applets     []string
)

// BusyboxRootfs builds a minimal root filesystem from Debian's
// busybox-static: /bin/busybox, a symlink per applet in /bin, and the
// usual empty directories. It lives in a directory every user can reach
// and is removed when the test ends.
func BusyboxRootfs(t testing.TB) string {
	t.Helper()
	Require(t, "busybox")
	bb, _ := exec.LookPath("busybox")
	appletsOnce.Do(func() {
		out, err := exec.Command(bb, "--list").Output()
		if err == nil {
			applets = strings.Fields(string(out))
		}
	})
	if len(applets) == 0 {
		t.Fatal("busybox --list printed nothing: is busybox-static installed (make deps)?")
	}
	dir, err := os.MkdirTemp("", "nsexec-rootfs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp", "root", "home", "mnt"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
	if err := copyFile(bb, filepath.Join(dir, "bin", "busybox"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range applets {
		if a != "busybox" {
			os.Symlink("busybox", filepath.Join(dir, "bin", a))
		}
	}
	os.WriteFile(filepath.Join(dir, "etc", "passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "etc", "group"), []byte("root:x:0:\ntty:x:5:\nnogroup:x:65534:\n"), 0o644)
	return dir
}

// Chown gives the whole tree under dir to uid/gid (without following
// symlinks), e.g. a rootfs for a rootless run.
func Chown(t testing.TB, dir string, uid, gid int) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
