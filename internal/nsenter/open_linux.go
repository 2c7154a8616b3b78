package nsenter

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"nsexec/internal/spec"
)

// nsGetNSType is NS_GET_NSTYPE, _IO(0xb7, 0x3) of linux/nsfs.h: the
// CLONE_NEW* kind of a namespace file.
const nsGetNSType = 0xb703

// Open opens the namespace of kind ns that ref names, checking that it is a
// namespace and of that kind, so a wrong file is refused before anything is
// created. The descriptor is close-on-exec; the caller hands it to the init.
func Open(ns spec.Namespace, ref Ref) (*os.File, error) {
	path := ref.NSPath(ns)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, openError(ns, ref, path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	kind, err := unix.IoctlRetInt(fd, nsGetNSType)
	if err != nil {
		f.Close()
		if errors.Is(err, unix.ENOTTY) || errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("%s: not a namespace file", path)
		}
		return nil, fmt.Errorf("%s: read namespace kind: %w", path, err)
	}
	if kind != CloneFlag[ns] {
		f.Close()
		return nil, fmt.Errorf("%s: a %s namespace, not a %s namespace", path, kindOf(kind), ns)
	}
	return f, nil
}

// openError says why a namespace could not be opened, in the user's terms.
func openError(ns spec.Namespace, ref Ref, path string, err error) error {
	if ref.PID > 0 {
		if _, serr := os.Stat(fmt.Sprintf("/proc/%d", ref.PID)); serr != nil {
			return fmt.Errorf("no process %d", ref.PID)
		}
		switch {
		case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
			return fmt.Errorf("open %s: %w (only root or the owner of process %d may join its namespaces)", path, err, ref.PID)
		case errors.Is(err, unix.ENOENT):
			return fmt.Errorf("open %s: this kernel has no %s namespaces", path, ns)
		}
	}
	if errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("%s: no such file", path)
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// Ours reports whether f is the namespace of kind ns that nsexec's own
// children start in: joining it would change nothing, and joining one's own
// user namespace is an error (EINVAL).
func Ours(f *os.File, ns spec.Namespace) (bool, error) {
	var theirs, ours unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &theirs); err != nil {
		return false, fmt.Errorf("stat %s: %w", f.Name(), err)
	}
	own := "/proc/self/ns/" + ForChildren(ns)
	if err := unix.Stat(own, &ours); err != nil {
		return false, fmt.Errorf("stat %s: %w", own, err)
	}
	return theirs.Dev == ours.Dev && theirs.Ino == ours.Ino, nil
}
