package spec

import (
	"errors"
	"path"
	"strings"
)

// Process is what CMD runs as: its cwd, environment, user and groups.
type Process struct {
	Dir      string   // working directory; empty: / with a rootfs, else nsexec's own
	Env      []string // "KEY=VALUE" set (or replaced) in CMD's environment, in order
	ClearEnv bool     // start CMD's environment empty, before Env

	UID, GID *uint32 // nil: unchanged
	Groups   []uint32
	// SetGroups is true when --groups was given (possibly empty, to drop
	// all supplementary groups).
	SetGroups bool

	// Tty gives CMD a new pseudo-terminal (-t), which nsexec relays to its
	// own terminal.
	Tty bool
}

// NewSession reports whether CMD starts a session of its own, away from the
// caller's terminal: with -t (the new terminal is its controlling one), and
// in every container run and joined run, where CMD could otherwise push
// input into the caller's shell with TIOCSTI (CVE-2017-5226). A run on the
// host's filesystem stays in the caller's session, so job control works.
func (s *Spec) NewSession() bool {
	return s.Process.Tty || s.ContainerRun() || s.Join.Joining()
}

// checkProcess: an absolute cwd, KEY=VALUE environment entries.
func checkProcess(s *Spec) error {
	p := &s.Process
	var errs []error
	if p.Dir != "" && !path.IsAbs(p.Dir) {
		errs = append(errs, errorf("process.dir", "%s %s: must be an absolute path", Field("process.dir"), p.Dir))
	}
	for i, kv := range p.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			errs = append(errs, errorf(Field("process.env").Index(i), "%s %q: want KEY=VALUE", Field("process.env"), kv))
		}
	}
	return errors.Join(errs...)
}
