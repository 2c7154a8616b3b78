package exeseal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// openOverlay opens the binary at path through an overlay of its directory
// that has no upper layer, so that the kernel refuses to make it writable
// (no remount can change that), and that is mounted nowhere: fsmount's
// descriptor is the only way to it, closed once the binary is open. The
// binary's directory is the top layer, so its name finds the binary; the
// second layer is there because overlayfs wants two without an upper one:
// /dev, as any directory that is neither the binary's nor above or below
// it would do. want is the binary's stat: the file found must be it.
//
// Closing the mount's descriptor unmounts it (the file keeps it alive): it
// waits for an RCU grace period, which costs less here, before the clone,
// than later, when it slows the init down on the other CPU.
func openOverlay(path string, want *unix.Stat_t) (*os.File, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("%s: not an absolute path", path)
	}
	dir, name := filepath.Split(path)
	ctx, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("fsopen overlay", err)
	}
	defer unix.Close(ctx)
	// The directory as /proc/self/fd/N: no escaping of ':' and no limit
	// on its length (fsconfig takes 256 bytes).
	dirFD, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(dirFD)
	lower := "/proc/self/fd/" + strconv.Itoa(dirFD) + ":/dev"
	if err := unix.FsconfigSetString(ctx, "lowerdir", lower); err != nil {
		return nil, fmt.Errorf("fsconfig lowerdir=%s:/dev: %w", dir, err)
	}
	// Keep st_ino the real file's (the check below) whatever the kernel's
	// default; kernels older than xino (4.17) refuse it, which is fine.
	_ = unix.FsconfigSetString(ctx, "xino", "off")
	if err := unix.FsconfigCreate(ctx); err != nil {
		return nil, fmt.Errorf("create overlay of %s and /dev: %w", dir, err)
	}
	mnt, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOSUID)
	if err != nil {
		return nil, os.NewSyscallError("fsmount overlay", err)
	}
	fd, err := unix.Openat(mnt, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	unix.Close(mnt)
	if err != nil {
		return nil, fmt.Errorf("open %s on the overlay: %w", name, err)
	}
	// A binary replaced since it started (an upgrade) has the same name:
	// exec only the one running. Overlayfs reports its own st_dev.
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG ||
		st.Ino != want.Ino || st.Size != want.Size || st.Mtim != want.Mtim || st.Ctim != want.Ctim {
		unix.Close(fd)
		return nil, errors.New(path + " is no longer the binary running")
	}
	return os.NewFile(uintptr(fd), "overlay:"+path), nil
}
