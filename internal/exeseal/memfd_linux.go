package exeseal

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"nsexec/internal/linux"
)

// sealedCopy copies size bytes of src into a memfd and seals it: no one can
// write, grow or shrink it, nor (Linux 6.3+) change its mode, any more.
func sealedCopy(src *os.File, size int64, name string) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if errors.Is(err, unix.EINVAL) { // MFD_EXEC: Linux 6.3
		fd, err = unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if errors.Is(err, unix.EACCES) {
		return nil, fmt.Errorf("memfd_create: %w (sysctl vm.memfd_noexec forbids executable memfds: "+
			"install the binary owned by root and not writable by its users, which runs in place)", err)
	}
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	f := os.NewFile(uintptr(fd), "memfd:"+name)
	for off := int64(0); off < size; {
		n, err := linux.Sendfile(fd, int(src.Fd()), &off, int(size-off))
		if err == nil && n == 0 {
			err = fmt.Errorf("%d of %d bytes: the file shrank", off, size)
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sendfile: %w", err)
		}
	}
	_, _ = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_EXEC) // Linux 6.3
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE); err != nil {
		f.Close()
		return nil, os.NewSyscallError("seal memfd", err)
	}
	return f, nil
}
