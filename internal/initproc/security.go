package initproc

import (
	"nsexec/internal/plan"
)

// encodeSecurity sends the confinement the engine computed
// (plan.Confinement) to security.c: the capability sets, no_new_privs,
// and the seccomp filter as its BPF program, or the number of the init's
// precompiled one.
func encodeSecurity(s *plan.Plan, e *Encoder) {
	c := s.Confinement
	if c == nil {
		return
	}
	if c.SetCaps {
		e.U64(kCaps, uint64(c.Bounding), uint64(c.Ambient), uint64(c.Required))
	}
	if c.NoNewPrivs {
		e.Flag(kNNP)
	}
	switch f := c.Filter; {
	case f == nil:
	case f.Builtin > 0:
		e.U64(kSeccompFlags, uint64(f.Flags))
		e.U64(kSeccompBuiltin, uint64(f.Builtin))
	default:
		e.U64(kSeccompFlags, uint64(f.Flags))
		e.Bytes(kSeccomp, f.Program)
	}
}
