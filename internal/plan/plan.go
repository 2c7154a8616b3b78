// Package plan is what a run does, between what the user asked and the
// kernel: the spec (the input, unchanged) and what the engine works out from
// it and from the host before the clone (the confinement compiled, what a
// --join resolved to, the bridge's shared files, the terminal's size). It is
// pure data: the host parts (internal/container) fill it, the init's
// encoders (internal/initproc) and the mount plan (internal/mounts) read it.
package plan

import "nsexec/internal/spec"

// Plan is one run.
type Plan struct {
	*spec.Spec // what the user asked, in the engine's words

	// Confinement is what the init applies in CMD's process (computed by
	// internal/security, replaced in part by a join); nil: nothing.
	Confinement *Confinement
	// Joined is what joining resolved to; nil until the join part has
	// resolved it, and when nothing is joined.
	Joined *Joined
	// HostsFile and ResolvFile are the bridge's shared /etc/hosts and
	// /etc/resolv.conf, bound into the run; "" without a bridge.
	HostsFile, ResolvFile string
	// TtySize is the window size CMD's new terminal starts with (rows,
	// columns, x and y pixels), with a tty.
	TtySize [4]uint16
}

// New is the plan of s, with nothing worked out yet.
func New(s *spec.Spec) *Plan { return &Plan{Spec: s} }

// Joined is what joining resolved to: the kinds joined, and for --join
// TARGET the identity CMD takes from the target.
type Joined struct {
	Kinds []spec.Namespace // joined, in setns order: user first, mnt last
	// Identity is set for --join TARGET: CMD runs as the target does.
	Identity *Identity
}

// Identity is a process's user, groups, capabilities and environment, as
// CMD of a joined run takes them over. IDs are as seen inside the target's
// user namespace; Groups as seen by nsexec (they are set before joining).
type Identity struct {
	UID, GID               uint32
	Groups                 []uint32
	CapInh, CapPrm, CapEff uint64
	CapBnd                 uint64
	NoNewPrivs             bool
	Env                    []string
}

// Confinement is what the init applies in CMD's process (internal/security
// computes it; see there for what each set is).
type Confinement struct {
	SetCaps    bool   // false: CMD keeps the capabilities nsexec gives
	Bounding   uint64 // capability sets, bit N for capability N
	Ambient    uint64
	Required   uint64 // named one by one: an error if the init does not hold one
	NoNewPrivs bool
	Filter     *Filter // nil: no seccomp
}

// Filter is a compiled seccomp filter, ready for seccomp(2).
type Filter struct {
	Program []byte // struct sock_filter records, native byte order
	Builtin int    // instead of Program: the init's precompiled filter number Builtin (from 1)
	Len     int    // instructions
	Flags   uint32 // SECCOMP_FILTER_FLAG_*
}

// Joins reports whether the run joins a namespace of kind ns: as resolved,
// once it is; before, as --join-KIND says (a --join TARGET is known only
// once the join part resolved it).
func (p *Plan) Joins(ns spec.Namespace) bool {
	if p.Joined != nil {
		for _, k := range p.Joined.Kinds {
			if k == ns {
				return true
			}
		}
		return false
	}
	return p.Join.From[ns] != ""
}

// EarlyNew are the namespaces the init creates itself, right after joining
// and before the host side attaches to it: all new ones when a user
// namespace is joined (a clone before the join would make them owned by
// the wrong user namespace), and a new time or cgroup namespace that is
// persisted (the host side binds it, so it must exist by then; a persisted
// cgroup namespace is then rooted at nsexec's cgroup, not the run's).
func (p *Plan) EarlyNew() []spec.Namespace {
	var out []spec.Namespace
	for _, ns := range p.Kinds() {
		persisted := p.Join.Persist[ns] != ""
		if ns == spec.Cgroup && !persisted {
			continue // made after the init joined the run's cgroup (init.c)
		}
		if p.Joins(spec.User) || ((ns == spec.Time || ns == spec.Cgroup) && persisted) {
			out = append(out, ns)
		}
	}
	return out
}

// Early reports whether the init creates kind before its config (EarlyNew).
func (p *Plan) Early(kind spec.Namespace) bool {
	for _, ns := range p.EarlyNew() {
		if ns == kind {
			return true
		}
	}
	return false
}

// CMDDepth is how many first-child steps lead from the process nsexec
// cloned to CMD's: one for the init's relay when a new PID namespace is made
// after joining a user namespace, one more when the init forks CMD.
func (p *Plan) CMDDepth() int {
	depth := 0
	if p.Joins(spec.User) && p.Has(spec.PID) {
		depth++
	}
	if p.Forks() {
		depth++
	}
	return depth
}

// Forks reports whether the init forks CMD and stays as its parent: as PID
// 1 of a new PID namespace, and when a PID namespace is joined (setns moves
// only children into it).
func (p *Plan) Forks() bool {
	return (p.Has(spec.PID) && !p.AsPID1) || p.Joins(spec.PID)
}
