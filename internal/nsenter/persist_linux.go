package nsenter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"nsexec/internal/procfs"
	"nsexec/internal/spec"
)

// NetnsDir is where `ip netns` keeps its named network namespaces.
const NetnsDir = "/run/netns"

// PrepareTarget makes file ready to have a namespace of kind ns bound onto
// it, before the namespace exists: its directory is made (and set up as
// `ip netns add` sets up /run/netns: a shared mount, so that the bind is seen
// from mount namespaces made later), and file is created empty; it must not
// exist yet. A mount namespace may only be bound below a mount that does not
// propagate, or the bind would reach into the namespace itself.
func PrepareTarget(ns spec.Namespace, file string) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	switch {
	case ns == spec.Mount:
		if err := privateMount(dir); err != nil {
			return err
		}
	case filepath.Clean(dir) == NetnsDir:
		if err := sharedMount(dir); err != nil {
			return err
		}
	}
	// Mode 0, as `ip netns add` makes it: the file is only a mount point.
	fd, err := unix.Open(file, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("%s: already exists (nsexec --unpersist %s removes a persisted namespace)", file, file)
		}
		return fmt.Errorf("create %s: %w", file, err)
	}
	unix.Close(fd)
	return nil
}

// sharedMount makes dir a shared mount, binding it onto itself first when
// it is not a mount point, as iproute2 does for /run/netns.
func sharedMount(dir string) error {
	err := unix.Mount("", dir, "none", unix.MS_SHARED|unix.MS_REC, "")
	if errors.Is(err, unix.EINVAL) {
		if err = unix.Mount(dir, dir, "none", unix.MS_BIND|unix.MS_REC, ""); err == nil {
			err = unix.Mount("", dir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	}
	if err != nil {
		return fmt.Errorf("make %s a shared mount: %w", dir, err)
	}
	return nil
}

// privateMount makes sure dir is on a mount that does not propagate: when
// dir is not a mount point it becomes a private bind mount of itself; a
// shared mount point of the user's is refused rather than changed.
func privateMount(dir string) error {
	id, point, err := mountID(dir)
	if err != nil {
		return err
	}
	if point {
		info, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			return err
		}
		if m, ok := procfs.FindMount(info, id); ok && m.Shared {
			return fmt.Errorf("%s: a shared mount, so a mount namespace bound below it would propagate into itself; use a directory that is not a mount point, or make it private (mount --make-private %s)", dir, dir)
		}
		return nil
	}
	if err := unix.Mount(dir, dir, "none", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s onto itself: %w", dir, err)
	}
	if err := unix.Mount("", dir, "none", unix.MS_PRIVATE, ""); err != nil {
		unix.Unmount(dir, unix.MNT_DETACH)
		return fmt.Errorf("make %s a private mount: %w", dir, err)
	}
	return nil
}

// mountID returns the ID of the mount dir is on, and whether dir is its
// mount point (its parent is on another mount).
func mountID(dir string) (int, bool, error) {
	var here, up unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, dir, 0, unix.STATX_MNT_ID, &here); err != nil {
		return 0, false, fmt.Errorf("statx %s: %w", dir, err)
	}
	if err := unix.Statx(unix.AT_FDCWD, filepath.Join(dir, ".."), 0, unix.STATX_MNT_ID, &up); err != nil {
		return 0, false, fmt.Errorf("statx %s/..: %w", dir, err)
	}
	return int(here.Mnt_id), here.Mnt_id != up.Mnt_id || filepath.Clean(dir) == "/", nil
}

// Bind binds the namespace file src (a /proc/PID/ns entry) onto file.
func Bind(src, file string) error {
	if err := unix.Mount(src, file, "none", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s onto %s: %w", src, file, err)
	}
	return nil
}

// Unpersist unmounts a persisted namespace from file and deletes the file,
// as `ip netns delete` does. A file that holds no namespace is refused, so
// that nothing else is ever unmounted.
func Unpersist(file string) error {
	var fs unix.Statfs_t
	if err := unix.Statfs(file, &fs); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("%s: no such file", file)
		}
		return fmt.Errorf("statfs %s: %w", file, err)
	}
	if fs.Type != unix.NSFS_MAGIC {
		return fmt.Errorf("%s: not a persisted namespace (no namespace is bound to it)", file)
	}
	for fs.Type == unix.NSFS_MAGIC { // bound more than once: undo them all
		if err := unix.Unmount(file, unix.MNT_DETACH); err != nil {
			return fmt.Errorf("unmount %s: %w", file, err)
		}
		if err := unix.Statfs(file, &fs); err != nil {
			return fmt.Errorf("statfs %s: %w", file, err)
		}
	}
	if err := os.Remove(file); err != nil {
		return fmt.Errorf("delete %s: %w", file, err)
	}
	return nil
}

// Discard undoes a persist that did not complete: the bind if there is
// one, and the file PrepareTarget made.
func Discard(file string) {
	var fs unix.Statfs_t
	for unix.Statfs(file, &fs) == nil && fs.Type == unix.NSFS_MAGIC {
		if unix.Unmount(file, unix.MNT_DETACH) != nil {
			break
		}
	}
	os.Remove(file)
}
