package initproc

// int nsexec_planner_ctl(void);
import "C"

import "os"

// The front (front.c) is the process the caller waits on. The Go side of
// nsexec runs in the planner it forked, and tells it about the run on a
// control socket.

// EnvFront names the front's PID for the init, which dies with it.
const EnvFront = "_NSEXEC_FRONT"

// Front is the planner's end of the control socket and the front's PID;
// nil when nsexec runs without a front.
type Front struct {
	Ctl *os.File
	PID int
}

var front *Front

func init() {
	if fd := int(C.nsexec_planner_ctl()); fd >= 0 {
		front = &Front{Ctl: os.NewFile(uintptr(fd), "front"), PID: os.Getppid()}
	}
}

// TheFront is the front of this nsexec, or nil.
func TheFront() *Front { return front }
