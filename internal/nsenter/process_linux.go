package nsenter

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ReadFile reads a small file (of /proc, or a record) with plain system
// calls: os.ReadFile would start Go's network poller (an epoll instance, an
// eventfd, a registration per file), which costs a plain run nothing but a
// joining run about 0.1 ms.
func ReadFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 1024)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
		case err != nil:
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		case n == 0:
			return buf, nil
		default:
			buf = buf[:len(buf)+n]
		}
	}
}

// ReadStat reads /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	data, err := ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Stat{}, fmt.Errorf("no process %d", pid)
		}
		return Stat{}, err
	}
	return ParseStat(data)
}

// Alive reports whether the process that started at start (clock ticks
// since boot) with this PID still runs: a PID reused by a newer process,
// or a zombie, is not it.
func Alive(pid int, start uint64) bool {
	st, err := ReadStat(pid)
	return err == nil && st.Start == start && !st.Gone()
}

// ReadStatus reads the identity part of /proc/PID/status.
func ReadStatus(pid int) (Status, error) {
	data, err := ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Status{}, err
	}
	return ParseStatus(data)
}

// ReadEnviron reads the environment a process started with.
func ReadEnviron(pid int) ([]string, error) {
	data, err := ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return nil, err
	}
	return ParseEnviron(data), nil
}

// ReadIDMap reads /proc/PID/uid_map or gid_map.
func ReadIDMap(pid int, which string) ([]byte, error) {
	return ReadFile(fmt.Sprintf("/proc/%d/%s", pid, which))
}

// Descend follows the first child depth times: from the process nsexec
// cloned to CMD, through the init's relay and PID 1. A child appears a
// moment after its parent started, so a missing one is waited for, briefly,
// as long as the parent lives.
func Descend(pid, depth int) (int, error) {
	for ; depth > 0; depth-- {
		deadline := time.Now().Add(time.Second)
		for {
			data, err := ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
			if err != nil {
				return 0, fmt.Errorf("process %d exited", pid)
			}
			if child, ok := FirstChild(data); ok {
				pid = child
				break
			}
			if time.Now().After(deadline) {
				return 0, fmt.Errorf("process %d: its command has not started", pid)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return pid, nil
}

// OpenProcfs opens nsexec's own /proc (O_PATH), checked to be the root of
// a procfs: the init writes about itself through it once it has joined a
// mount namespace whose /proc its owner controls (issue 9, hole 7).
func OpenProcfs() (*os.File, error) {
	fd, err := unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /proc: %w", err)
	}
	var fs unix.Statfs_t
	var st unix.Stat_t
	if err := unix.Fstatfs(fd, &fs); err != nil || fs.Type != unix.PROC_SUPER_MAGIC || unix.Fstat(fd, &st) != nil || st.Ino != 1 {
		unix.Close(fd)
		return nil, errors.New("/proc is not the root of a procfs")
	}
	return os.NewFile(uintptr(fd), "/proc"), nil
}
