package container

import (
	"os"

	"nsexec/internal/initproc"

	"nsexec/internal/plan"
	"nsexec/internal/trace"
)

// hostPart is one piece of setup on the host side of a run (a cgroup, a
// network link, a persisted namespace...): prepared before the clone,
// attached to the init once it exists (before it sets up the inside), and
// undone when the run ends, however it ends.
type hostPart interface {
	Prepare(s *plan.Plan, tr *trace.Tracer) error
	Attach(pid int, tr *trace.Tracer) error
	Undo()
}

// A checker is a hostPart with work that can fail on the user's input
// (read and compile a profile, find a cgroup parent...): every part's Check
// runs before any part's Prepare, so bad input leaves nothing behind.
type checker interface {
	Check(s *plan.Plan, tr *trace.Tracer) error
}

// An explainer is a hostPart that can tell why CMD ended as it did (the
// memory limit killed it): after the wait and before Undo, it may turn the
// exit status into an error with that status and its reason.
type explainer interface {
	Explain(status int) error
}

// hostPartOrder is every host part, by its constructor (nil when the run
// does not need the part), in the order the parts are prepared and attached;
// they are undone in reverse. Every Check runs before any Prepare, so a
// checker's place matters only among checkers (security is the only one).
// Why this order:
//   - join first: its Prepare resolves what the run joins (s.Joined, and
//     the target's seccomp filter in s.Confinement), which the
//     instance record holds, and its Attach waits until the init has made
//     the namespaces it creates after joining, so that every later Attach
//     (persist's binds above all) acts on the final namespaces;
//   - the others depend only on join, and on security's Check (which runs
//     before every Prepare: cgroup's may take CAP_MKNOD from the
//     confinement it computed); their order among themselves is the one
//     they always had, and free otherwise (undone in reverse, the cgroup
//     outlasts every part but join);
//   - security last: it has a Check only.
var hostPartOrder = []func(*plan.Plan) hostPart{
	newJoinPart,
	newCgroupPart,
	newInstancePart,
	newBridgeNet,
	newPersistPart,
	newRlimitPart,
	newSecurityPart,
}

// hostParts lists what a run needs on the host side, in order.
func hostParts(s *plan.Plan) hostSide {
	var parts hostSide
	for _, m := range hostPartOrder {
		if p := m(s); p != nil {
			parts = append(parts, p)
		}
	}
	return parts
}

// hostSide applies parts in order and undoes in reverse, only what was done.
type hostSide []hostPart

func (h *hostSide) prepare(s *plan.Plan, tr *trace.Tracer) error {
	for _, p := range *h {
		if c, ok := p.(checker); ok {
			if err := c.Check(s, tr); err != nil {
				*h = nil
				return err
			}
		}
	}
	for i, p := range *h {
		if err := p.Prepare(s, tr); err != nil {
			*h = (*h)[:i] // only the parts that got prepared are undone
			return err
		}
	}
	return nil
}

func (h hostSide) attach(pid int, tr *trace.Tracer) error {
	for _, p := range h {
		if err := p.Attach(pid, tr); err != nil {
			return err
		}
	}
	return h.recordUndo()
}

// A cgroupHolder is a hostPart whose cgroup the init can be born in (cgroup
// v2): CgroupFD is its directory's descriptor, or -1.
type cgroupHolder interface {
	CgroupFD() int
}

// cgroupFD is the cgroup the init is to be born in, or -1.
func (h hostSide) cgroupFD() int {
	for _, p := range h {
		if c, ok := p.(cgroupHolder); ok {
			if fd := c.CgroupFD(); fd >= 0 {
				return fd
			}
		}
	}
	return -1
}

// explain asks each part whether it knows why CMD ended with status.
func (h hostSide) explain(status int) error {
	for _, p := range h {
		if e, ok := p.(explainer); ok {
			if err := e.Explain(status); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h hostSide) undo() {
	for i := len(h) - 1; i >= 0; i-- {
		h[i].Undo()
	}
}

// initInputer is a host part that hands the init descriptors, named in the
// early message (the namespaces to join, the cgroup files to enter).
// firstFD is the number the init sees its first descriptor as.
type initInputer interface {
	InitInputs(firstFD int, early *initproc.Early) []*os.File
}

func (h hostSide) initInputs(firstFD int, early *initproc.Early) (files []*os.File) {
	for _, p := range h {
		if in, ok := p.(initInputer); ok {
			files = append(files, in.InitInputs(firstFD+len(files), early)...)
		}
	}
	return files
}

// committer is a host part whose work is meant to outlive the run (a
// persisted namespace): Commit is called once CMD ran, and Undo then leaves
// that work in place; a run that failed before undoes it all.
type committer interface{ Commit() }

func (h hostSide) commit() {
	for _, p := range h {
		if c, ok := p.(committer); ok {
			c.Commit()
		}
	}
}
