package procfs

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"nsexec/internal/linux"
)

// path is /proc/PID/name; a PID that cannot name a process is refused
// before the file is opened (/proc/0 and /proc/-1 do not exist, but
// /proc/self does, and a PID from a record must never turn into it).
func path(pid int, name string) (string, error) {
	if pid <= 0 {
		return "", fmt.Errorf("PID %d: not a process", pid)
	}
	return fmt.Sprintf("/proc/%d/%s", pid, name), nil
}

func read(pid int, name string) ([]byte, error) {
	p, err := path(pid, name)
	if err != nil {
		return nil, err
	}
	return linux.ReadFile(p)
}

// ReadStat reads /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	data, err := read(pid, "stat")
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
	data, err := read(pid, "status")
	if err != nil {
		return Status{}, err
	}
	return ParseStatus(data)
}

// ReadEnviron reads the environment a process started with.
func ReadEnviron(pid int) ([]string, error) {
	data, err := read(pid, "environ")
	if err != nil {
		return nil, err
	}
	return ParseEnviron(data), nil
}

// ReadIDMap reads /proc/PID/uid_map or gid_map (which).
func ReadIDMap(pid int, which string) ([]byte, error) {
	return read(pid, which)
}

// Descend follows the first child depth times: from the process nsexec
// cloned to CMD, through the init's relay and PID 1. A child appears a
// moment after its parent started, so a missing one is waited for, briefly,
// as long as the parent lives.
func Descend(pid, depth int) (int, error) {
	for ; depth > 0; depth-- {
		deadline := time.Now().Add(time.Second)
		for {
			data, err := read(pid, fmt.Sprintf("task/%d/children", pid))
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

// Open opens nsexec's own /proc (O_PATH), checked to be the root of a
// procfs: the init writes about itself through it once it has joined a
// mount namespace whose /proc its owner controls (issue 9, hole 7).
func Open() (*os.File, error) {
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
