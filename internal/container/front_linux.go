package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsexec/internal/initproc"
	"nsexec/internal/linux"
)

// With a front (initproc/front.c), this process is the planner: the init
// is the front's child, the front forwards signals and reaps it. The
// planner tells the front the init's PID, and either leaves at once or
// stays for what comes after the run and learns from the front how the
// init ended.

// FieldWord names a field of the init's errors as the front end does; the
// front prints those errors itself when the planner has left.
var FieldWord = func(field string) string { return field }

// initFields are the fields the init's errors may name (initproc/*.c).
var initFields = []string{"process.dir", "process.env", "process.tty", "security.capAdd"}

// tellFront sends the "R" message (front.c): without keep, the sync socket
// goes with it, for the front to read the init's error.
func tellFront(fr *initproc.Front, pid int, sameSession, tty, keep bool, sync *os.File) error {
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "R%d %d %d %d\x00", pid, b(sameSession), b(tty), b(keep))
	for _, f := range initFields {
		msg.WriteString(f + "=" + FieldWord(f) + "\x00")
	}
	var oob []byte
	if !keep {
		oob = unix.UnixRights(int(sync.Fd()))
	}
	if err := unix.Sendmsg(int(fr.Ctl.Fd()), []byte(msg.String()), oob, nil, 0); err != nil {
		return fmt.Errorf("tell nsexec's front about the init: %w", err)
	}
	return nil
}

// waitInit waits for the init to end: as its parent without a front, else
// for the front's word (the init is its child). If the front is gone, the
// run is over: the init is killed (it dies with the front anyway).
func waitInit(fr *initproc.Front, pid int) (unix.WaitStatus, error) {
	if fr == nil {
		return wait(pid)
	}
	buf := make([]byte, 32)
	n, err := linux.Read(int(fr.Ctl.Fd()), buf)
	if err != nil || n < 2 || buf[0] != 'S' {
		unix.Kill(pid, unix.SIGKILL)
		waitGone(pid)
		return unix.WaitStatus(unix.SIGKILL), nil
	}
	st, err := strconv.Atoi(string(buf[1:n]))
	if err != nil {
		return 0, errors.New("front: bad status")
	}
	return unix.WaitStatus(st), nil
}

// waitGone waits until the init has ended, whether or not this process is
// its parent.
func waitGone(pid int) {
	if initproc.TheFront() == nil {
		wait(pid)
		return
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		if _, err := unix.Poll(p, -1); err != unix.EINTR {
			return
		}
	}
}

// plannerSignals keeps the planner alive through the signals the front
// forwards; with -t it turns a window change into the new terminal size.
func plannerSignals(sigs <-chan os.Signal, tty *terminal) {
	for sig := range sigs {
		if sig == unix.SIGWINCH && tty != nil {
			tty.resize()
		}
	}
}

// lasting reports whether a host part has work after the run (an undo, a
// commit, an explanation): then the planner stays until the run ends.
func (h hostSide) lasting() bool {
	for _, p := range h {
		switch p.(type) {
		case *joinPart, securityPart, rlimitPart:
		default:
			return true
		}
	}
	return false
}
