package linux

import "golang.org/x/sys/unix"

// The calls below are those of golang.org/x/sys/unix, retried for as long
// as a signal interrupts them (EINTR). Their errors are unix's, unwrapped:
// each caller says what it was doing.

// retry calls f until it fails with something other than EINTR.
func retry[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != unix.EINTR {
			return v, err
		}
	}
}

// Read is read(2).
func Read(fd int, p []byte) (int, error) {
	return retry(func() (int, error) { return unix.Read(fd, p) })
}

// Write is write(2). A write to a cgroup or /proc file is whole or fails,
// so a short count is not retried here.
func Write(fd int, p []byte) (int, error) {
	return retry(func() (int, error) { return unix.Write(fd, p) })
}

// Sendfile is sendfile(2).
func Sendfile(out, in int, off *int64, count int) (int, error) {
	return retry(func() (int, error) { return unix.Sendfile(out, in, off, count) })
}

// Wait4 is wait4(2), without the resource usage.
func Wait4(pid int, ws *unix.WaitStatus, options int) (int, error) {
	return retry(func() (int, error) { return unix.Wait4(pid, ws, options, nil) })
}

// Recvmsg is recvmsg(2): the data and control bytes read, the flags.
func Recvmsg(fd int, p, oob []byte, flags int) (n, oobn, recvflags int, err error) {
	type result struct{ n, oobn, flags int }
	r, err := retry(func() (result, error) {
		n, oobn, recvflags, _, err := unix.Recvmsg(fd, p, oob, flags)
		return result{n, oobn, recvflags}, err
	})
	return r.n, r.oobn, r.flags, err
}
