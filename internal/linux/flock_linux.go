package linux

import (
	"os"

	"golang.org/x/sys/unix"
)

// LockExclusive takes an exclusive flock on fd, waiting for it and going on
// waiting when a signal interrupts the wait.
func LockExclusive(fd int) error {
	_, err := retry(func() (struct{}, error) { return struct{}{}, unix.Flock(fd, unix.LOCK_EX) })
	return os.NewSyscallError("flock", err)
}
