package exeseal

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// Exe is a binary opened for a child to execute.
type Exe struct {
	File *os.File // the child execs it as /proc/self/fd/N
	How  string   // how the host's file is kept out of reach, for the trace
}

// Close closes the descriptor; a child that execed it keeps what it runs.
func (e *Exe) Close() error { return e.File.Close() }

// Open opens the binary at path the safest way this caller can: path is
// /proc/self/exe (the binary running) or an absolute path whose last
// component may be a link to one.
func Open(path string) (*Exe, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	real := path
	if l, err := os.Readlink(path); err == nil && filepath.IsAbs(l) {
		real = l // for /proc/self/exe: where the binary is
	}
	f, whyNot := openOverlay(real, &st)
	if whyNot == nil {
		return &Exe{File: f, How: "from a read-only overlay of " + filepath.Dir(real)}, nil
	}

	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if err := unix.Fstat(int(src.Fd()), &st); err != nil {
		src.Close()
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if !mayBeWritten(src, &st) {
		return &Exe{File: src, How: fmt.Sprintf("%s itself, which the caller cannot write (overlay: %v)", real, whyNot)}, nil
	}
	f, err = sealedCopy(src, st.Size, filepath.Base(real))
	src.Close()
	if err != nil {
		return nil, fmt.Errorf("copy %s to a sealed memfd: %w", real, err)
	}
	return &Exe{File: f, How: fmt.Sprintf("from a sealed memfd copy of %s, %d bytes (overlay: %v)", real, st.Size, whyNot)}, nil
}

// mayBeWritten says whether a process of the run could write the file
// through /proc/PID/exe: root can write any file; its owner can make it
// writable (chmod), and a user namespace may map any owner but root (whose
// root then has CAP_FOWNER over it). Otherwise the run's processes have no
// more write permission than their caller.
func mayBeWritten(f *os.File, st *unix.Stat_t) bool {
	if os.Geteuid() == 0 || st.Uid != 0 {
		return true
	}
	return unix.Faccessat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.W_OK, unix.AT_EACCESS) == nil
}
