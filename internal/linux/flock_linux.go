package linux

import (
	"os"

	"golang.org/x/sys/unix"
)

// LockExclusive takes an exclusive flock on fd, waiting for it and going on
// waiting when a signal interrupts the wait.
func LockExclusive(fd int) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			return os.NewSyscallError("flock", err)
		}
	}
}
