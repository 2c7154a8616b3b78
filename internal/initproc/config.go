package initproc

import (
	"fmt"
	"strconv"
	"strings"

	"nsexec/internal/spec"
)

// EnvSyncFD names the sync socket's descriptor in the init's environment; it
// is also what tells the constructor that it is the init.
const EnvSyncFD = "_NSEXEC_INIT"

// EnvExeFD names the descriptor the init was executed from (see
// internal/exeseal), which the init closes first thing.
const EnvExeFD = "_NSEXEC_EXE"

// EnvCgroup names, in the init's environment, the cgroup files (v1
// "tasks", v2 "cgroup.procs") the init writes itself into first of all,
// as a comma-separated list of descriptors.
const EnvCgroup = "_NSEXEC_CGROUP"

// FDList is n descriptors from first, as EnvCgroup lists them.
func FDList(first, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = strconv.Itoa(first + i)
	}
	return strings.Join(w, ",")
}

// Argv0 is the init's name as `ps` shows it inside.
const Argv0 = "nsexec-init"

// Config encodes what the init does inside, in order, as "key=value\0"
// records (see the protocol in init.c), closed by "end=" (frame.go). t0 is
// the parent's start time on CLOCK_MONOTONIC, so that the init's trace lines share one time line.
func Config(s *spec.Spec, t0 int64) []byte {
	var b strings.Builder
	kv := func(k, v string) { b.WriteString(k + "=" + v + "\x00") }
	kv("t0", fmt.Sprint(t0))
	if s.Verbose {
		kv("verbose", "1")
	}
	if s.Has(spec.Mount) && s.Propagation != spec.PropUnchanged {
		kv("prop", string(s.Propagation))
	}
	if s.Has(spec.UTS) && s.Hostname != "" {
		kv("host", s.Hostname)
	}
	if s.Has(spec.Net) {
		kv("lo", "1")
	}
	if s.Has(spec.Cgroup) && !early(s, spec.Cgroup) {
		kv("cgroupns", "1")
	}
	if s.Has(spec.Time) && !early(s, spec.Time) {
		kv("timens", fmt.Sprintf("%d %d", s.MonotonicOffset, s.BoottimeOffset))
	}
	// With a rootfs, /proc is the mount plan's (mounts.go), not the host's.
	if s.MountProc && s.Rootfs.Dir == "" {
		kv("proc", "1")
	}
	if s.Has(spec.PID) && !s.AsPID1 {
		kv("fork", "1")
	}
	for _, enc := range encoders {
		enc(s, kv)
	}
	b.WriteString(endRecord)
	return []byte(b.String())
}

// An encoder writes one feature's records; the C file of that feature
// (mounts.c, process.c, security.c) reads them.
type encoder func(s *spec.Spec, kv func(key, val string))

// encoders are added by each feature's file from its init function.
var encoders []encoder

func addEncoder(e encoder) { encoders = append(encoders, e) }
