package initproc

import (
	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// EnvSyncFD names the sync socket's descriptor in the init's environment; it
// is also what tells the constructor that it is the init.
const EnvSyncFD = "_NSEXEC_INIT"

// EnvExeFD names the descriptor the init was executed from (see
// internal/exeseal), which the init closes first thing.
const EnvExeFD = "_NSEXEC_EXE"

// Argv0 is the init's name as `ps` shows it inside.
const Argv0 = "nsexec-init"

// Config encodes what the init does inside, in order, as the body of the
// config message (protocol.go). t0 is the parent's start time on
// CLOCK_MONOTONIC, so that the init's trace lines share one time line.
func Config(s *plan.Plan, t0 int64) []byte {
	var e Encoder
	e.U64(kT0, uint64(t0))
	if s.Verbose {
		e.Flag(kVerbose)
	}
	if s.Has(spec.Mount) && s.Propagation != spec.PropUnchanged {
		e.Str(kProp, string(s.Propagation))
	}
	if s.Has(spec.UTS) && s.Hostname != "" {
		e.Str(kHost, s.Hostname)
	}
	if s.Has(spec.Net) {
		e.Flag(kLo)
	}
	if s.Has(spec.Cgroup) && !s.Early(spec.Cgroup) {
		e.Flag(kCgroupNS)
	}
	if s.Has(spec.Time) && !s.Early(spec.Time) {
		e.U64(kTimeNS, uint64(s.MonotonicOffset), uint64(s.BoottimeOffset))
	}
	// With a rootfs, /proc is the mount plan's (mounts.go), not the host's.
	if s.MountProc && s.Rootfs.Dir == "" {
		e.Flag(kProc)
	}
	if s.Has(spec.PID) && !s.AsPID1 {
		e.Flag(kFork)
	}
	for _, enc := range encoders {
		enc(s, &e)
	}
	return e.Body()
}

// An encoder writes one feature's records; the C file of that feature
// (mounts.c, process.c, security.c...) reads them.
type encoder func(s *plan.Plan, e *Encoder)

// encoders, in the order their records go (each C part reads its own
// records whatever their place; the order only makes the config readable).
var encoders = []encoder{encodeTty, encodeJoin, encodeProcess, encodeSecurity, encodeNetwork, encodeMounts}
