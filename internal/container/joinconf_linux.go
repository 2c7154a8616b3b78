package container

import (
	"fmt"
	"os"
	"runtime"

	"nsexec/internal/cgroups"
	"nsexec/internal/plan"
	"nsexec/internal/procfs"
	"nsexec/internal/security"
	"nsexec/internal/state"
)

// confinement puts a joined CMD where its target is, as `runc exec` does
// (issue 9, hole 6): in its cgroups (its limits and device rules) and under
// its seccomp filter. Its bounding set and no_new_privs come with its
// identity (initproc/join.c). Otherwise a joined process would be a way
// out: the instance's CMD could ptrace it and make the calls its own
// filter refuses, or open a device its cgroup denies.
func (p *joinPart) confinement(s *plan.Plan, target int, rec *state.Record) error {
	members, err := cgroups.OpenMembership(target)
	if err != nil {
		return err
	}
	for _, m := range members {
		p.early.Cgroups = append(p.early.Cgroups, p.add(m.File))
		p.tr.Step("join: cgroup %s", m.Name)
	}
	f, err := p.filter(s, target, rec)
	if err != nil {
		return err
	}
	if f == nil {
		return nil
	}
	if s.Confinement == nil {
		s.Confinement = &security.Confinement{}
	}
	s.Confinement.Filter = f
	return nil
}

// filter is the seccomp filter of a joined CMD: the profile --seccomp
// names, built for the target's capabilities (a profile allows calls by
// capability); else the filter the instance's record holds. A target under
// a filter nsexec did not record is refused: nsexec cannot read the filter
// of another process without stopping it, and a CMD outside it would be
// less confined than the process it joins.
func (p *joinPart) filter(s *plan.Plan, target int, rec *state.Record) (*security.Filter, error) {
	id := s.Joined.Identity
	if choice := s.Security.Seccomp; choice != "" {
		return security.ProfileFilter(choice, security.Caps(id.CapBnd), runtime.GOARCH)
	}
	self, err := procfs.ReadStatus(os.Getpid())
	if err != nil {
		return nil, err
	}
	extra := p.targetFilters - self.SeccompFilters // nsexec's own are inherited anyway
	switch {
	case extra <= 0:
		return nil, nil
	case rec != nil && rec.Seccomp != nil && extra == 1:
		prog := rec.Seccomp.Program
		return &security.Filter{Program: prog, Len: len(prog) / 8, Flags: rec.Seccomp.Flags}, nil
	}
	return nil, fmt.Errorf("process %d runs under a seccomp filter nsexec has no record of "+
		"(join an instance by its name or its init's PID); choose CMD's with --seccomp default, "+
		"--seccomp PROFILE or --seccomp unconfined", target)
}
