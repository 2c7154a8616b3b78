// Package spec says what a run isolates and how. It is the one value the
// command line (and later the OCI runtime) produces and the engine consumes.
// It makes no system calls, so it is tested anywhere.
package spec

import (
	"errors"
	"strings"
)

// Namespace is one kind of Linux namespace, named as in /proc/self/ns.
type Namespace string

const (
	Mount  Namespace = "mnt"
	UTS    Namespace = "uts"
	IPC    Namespace = "ipc"
	PID    Namespace = "pid"
	Net    Namespace = "net"
	User   Namespace = "user"
	Cgroup Namespace = "cgroup"
	Time   Namespace = "time"
)

// AllNamespaces lists every kind in the order a run creates them (user first,
// because it owns the others).
var AllNamespaces = []Namespace{User, Mount, UTS, IPC, PID, Net, Cgroup, Time}

// Propagation is the mount propagation a new mount namespace starts with.
type Propagation string

const (
	PropPrivate   Propagation = "private"
	PropSlave     Propagation = "slave"
	PropShared    Propagation = "shared"
	PropUnchanged Propagation = "unchanged"
)

// IDMap maps a range of IDs inside a user namespace to IDs outside.
type IDMap struct {
	Inside, Outside, Count uint32
}

// Spec is a whole run.
type Spec struct {
	Args []string // the command and its arguments; Args[0] is looked up in PATH

	New map[Namespace]bool // namespaces to create
	// Share are the kinds kept as nsexec's own, explicitly: the front
	// end's defaults (nsexec's -a and --rootfs) create none of them.
	Share map[Namespace]bool

	Hostname    string      // set in the new UTS namespace
	Propagation Propagation // of / in a new mount namespace
	MountProc   bool        // mount a fresh /proc (implied by a new PID namespace)

	UIDMap, GIDMap []IDMap // user namespace maps; empty: caller -> root

	MonotonicOffset int64 // seconds, time namespace only
	BoottimeOffset  int64

	AsPID1  bool // run Args itself as PID 1 instead of under the built-in init
	Verbose bool

	// Each feature keeps its part of the spec, and the checks of it, in a
	// file of its own.
	Rootfs   Rootfs   // root filesystem and mounts (rootfs.go)
	Process  Process  // CMD's cwd, environment and IDs (process.go)
	Network  Network  // links, addresses, NAT and ports (network.go)
	Limits   Limits   // cgroups and rlimits (limits.go)
	Security Security // capabilities, no_new_privs, seccomp (security.go)
	Join     Join     // joined and persisted namespaces, instance name (join.go)
}

// New returns a spec with nothing isolated and the defaults a user expects.
func New() *Spec {
	return &Spec{New: map[Namespace]bool{}, Share: map[Namespace]bool{}, Propagation: PropPrivate}
}

// Has reports whether the run creates a namespace of kind ns.
func (s *Spec) Has(ns Namespace) bool { return s.New[ns] }

// Normalize applies the rules that tie options together, so that the engine
// sees one consistent spec: a new PID namespace gets its own /proc, which
// needs its own mount namespace; an offset implies a time namespace; a
// hostname, a UTS namespace. (The namespaces of a container are the front
// end's choice: nsexec gives them to a --rootfs run.)
func (s *Spec) Normalize() {
	if s.New[PID] {
		s.MountProc = true
	}
	if s.MountProc {
		s.New[Mount] = true
	}
	if s.MonotonicOffset != 0 || s.BoottimeOffset != 0 {
		s.New[Time] = true
	}
	if s.Hostname != "" {
		s.New[UTS] = true
	}
}

// Validate checks the spec as a list of small, independent rules and returns
// every violation at once.
func (s *Spec) Validate() error {
	var errs []error
	for _, check := range checks {
		if err := check(s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checks are the rules of Validate, each small and independent of the
// others (none assumes that another passed), in the order their errors are
// reported: the run as a whole (its command, hostname, namespaces), then
// each feature's, in the order of the Spec's fields. Each feature's checks
// live in its file.
var checks = []func(*Spec) error{
	checkCommand,
	checkHostname,
	checkPropagation,
	checkOffsets,
	checkAsPID1,
	checkIDMaps,
	checkShared,       // share.go
	checkRootfs,       // rootfs.go
	checkProcess,      // process.go
	checkNetwork,      // network.go
	checkLimits,       // limits.go
	checkSecurity,     // security.go
	checkInstanceName, // join.go
	checkJoinedNotNew,
	checkJoinNoLimits,
	checkJoinNoNewUser,
	checkPersistFiles,
	checkManagement,
}

// checkCommand: a run has a command (the management requests excepted).
func checkCommand(s *Spec) error {
	if (len(s.Args) == 0 || s.Args[0] == "") && !s.Network.Cleanup && !s.Join.Manages() {
		return errorf("args", "no command given")
	}
	return nil
}

// checkHostname: a hostname the kernel takes.
func checkHostname(s *Spec) error {
	if len(s.Hostname) > 64 {
		return errorf("hostname", "hostname %q: longer than 64 bytes", s.Hostname)
	}
	return nil
}

// checkPropagation: a known propagation.
func checkPropagation(s *Spec) error {
	switch s.Propagation {
	case PropPrivate, PropSlave, PropShared, PropUnchanged:
		return nil
	}
	return errorf("propagation", "propagation %q: want private, slave, shared or unchanged", s.Propagation)
}

// checkOffsets: clock offsets only in a new time namespace.
func checkOffsets(s *Spec) error {
	if (s.MonotonicOffset != 0 || s.BoottimeOffset != 0) && !s.New[Time] {
		path := Field("monotonicOffset")
		if s.MonotonicOffset == 0 {
			path = "boottimeOffset"
		}
		return errorf(path, "clock offsets need a new time namespace (%s)", NewField(Time))
	}
	return nil
}

// checkAsPID1: CMD as PID 1 only of a new PID namespace.
func checkAsPID1(s *Spec) error {
	if s.AsPID1 && !s.New[PID] {
		return errorf("asPID1", "%s needs a new PID namespace (%s)", Field("asPID1"), NewField(PID))
	}
	return nil
}

// checkIDMaps: ID maps only for a new user namespace.
func checkIDMaps(s *Spec) error {
	if (len(s.UIDMap) > 0 || len(s.GIDMap) > 0) && !s.New[User] {
		path := Field("uidMap")
		if len(s.UIDMap) == 0 {
			path = "gidMap"
		}
		return errorf(path, "ID maps need a new user namespace (%s)", NewField(User))
	}
	return nil
}

// Kinds returns the namespaces the run creates, in creation order.
func (s *Spec) Kinds() []Namespace {
	var out []Namespace
	for _, ns := range AllNamespaces {
		if s.New[ns] {
			out = append(out, ns)
		}
	}
	return out
}

// String names the namespaces for traces: "user mnt uts pid net".
func KindsString(kinds []Namespace) string {
	var b strings.Builder
	for i, k := range kinds {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(k))
	}
	return b.String()
}
