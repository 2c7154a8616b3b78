package initproc

import (
	"nsexec/internal/nsenter"
	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// Early is the early message (protocol.go): what the init does before it
// reads its config: write itself into cgroups, join namespaces through
// descriptors the parent passes, then create the namespaces that must come
// after joining. FDs are the init's descriptor numbers; -1 is none.
type Early struct {
	// Cgroups are cgroup files (v1 "tasks", v2 "cgroup.procs") the init
	// writes itself into first of all: the run's own, or the target's.
	Cgroups []int
	// Groups are set before joining (host IDs); only with SetGroups.
	Groups    []uint32
	SetGroups bool
	// Proc is nsexec's own procfs, for the init's writes about itself
	// once it is in another mount namespace.
	Proc int
	NS   []EarlyNS // joined, in order
	// Root and Cwd are the target's, entered after joining.
	Root, Cwd int
	// Unshare are CLONE_NEW* flags created after joining.
	Unshare uintptr
	// TimeOffsets, when set, create a time namespace after joining:
	// monotonic and boottime seconds.
	TimeOffsets *[2]int64
	// Ack asks the init to reply once all that is done.
	Ack bool
}

// EarlyNS is one namespace to join.
type EarlyNS struct {
	Kind spec.Namespace
	FD   int
}

// NewEarly is an early message with nothing to do.
func NewEarly() *Early { return &Early{Proc: -1, Root: -1, Cwd: -1} }

// Empty reports whether e has nothing for the init: no message is sent.
func (e *Early) Empty() bool {
	return len(e.Cgroups) == 0 && !e.SetGroups && e.Proc < 0 && len(e.NS) == 0 && e.Root < 0 &&
		e.Cwd < 0 && e.Unshare == 0 && e.TimeOffsets == nil && !e.Ack
}

// Body encodes e as the init reads it (join.c), in the order it acts.
func (e *Early) Body() []byte {
	var enc Encoder
	fds := func(k key, list []int) {
		v := make([]uint64, len(list))
		for i, fd := range list {
			v[i] = uint64(fd)
		}
		enc.U64(k, v...)
	}
	if len(e.Cgroups) > 0 {
		fds(kEarlyCgroup, e.Cgroups)
	}
	if e.SetGroups {
		g := make([]uint64, len(e.Groups))
		for i, id := range e.Groups {
			g[i] = uint64(id)
		}
		enc.U64(kEarlyGroups, g...)
	}
	if e.Proc >= 0 {
		enc.U64(kEarlyProc, uint64(e.Proc))
	}
	for _, ns := range e.NS {
		enc.U64(kEarlyNS, uint64(nsenter.CloneFlag[ns.Kind]), uint64(ns.FD))
	}
	if e.Root >= 0 {
		enc.U64(kEarlyRoot, uint64(e.Root))
	}
	if e.Cwd >= 0 {
		enc.U64(kEarlyCwd, uint64(e.Cwd))
	}
	if e.Unshare != 0 {
		enc.U64(kEarlyUnshare, uint64(e.Unshare))
	}
	if e.TimeOffsets != nil {
		enc.U64(kEarlyTimens, uint64(e.TimeOffsets[0]), uint64(e.TimeOffsets[1]))
	}
	if e.Ack {
		enc.Flag(kEarlyAck)
	}
	return enc.Body()
}

// JoinedMessage is the init's reply to an early message with Ack.
const JoinedMessage = 'J'

// encodeJoin tells the init what CMD of a --join TARGET run takes over
// from the target: its environment, IDs, capabilities and no_new_privs.
func encodeJoin(s *plan.Plan, e *Encoder) {
	if s.Joined == nil || s.Joined.Identity == nil {
		return
	}
	id := s.Joined.Identity
	e.Flag(kJoinIdent)
	for _, v := range id.Env {
		e.Str(kJoinEnv, v)
	}
	// --uid and --gid (process.c, after join.c) choose the user instead, as
	// docker exec -u does: then CMD keeps nsexec's capabilities for them,
	// within the target's bounding set.
	if s.Process.GID == nil {
		e.U64(kJoinGID, uint64(id.GID))
	}
	if s.Process.UID == nil {
		e.U64(kJoinUID, uint64(id.UID))
		e.U64(kJoinCaps, id.CapInh, id.CapPrm, id.CapEff)
	}
	e.U64(kJoinBnd, id.CapBnd)
	if id.NoNewPrivs {
		e.Flag(kJoinNNP)
	}
}
