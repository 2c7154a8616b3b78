package container

import (
	"os"
	"runtime"
	"time"

	"nsexec/internal/initproc"
	"nsexec/internal/plan"
	"nsexec/internal/procfs"
	"nsexec/internal/security"
	"nsexec/internal/spec"
	"nsexec/internal/state"
	"nsexec/internal/trace"
)

func newInstancePart(s *plan.Plan) hostPart {
	if s.Join.Name == "" {
		return nil
	}
	return &instancePart{}
}

// instancePart records a named run under /run/nsexec while it runs: the
// name is taken before the clone (a duplicate fails before anything
// exists), the init's PID is added once it exists, and the record goes when
// the run ends.
type instancePart struct {
	store    *state.Store
	rec      state.Record
	s        *plan.Plan
	reserved bool
}

func (p *instancePart) Prepare(s *plan.Plan, tr *trace.Tracer) error {
	dir, err := state.DefaultDir()
	if err != nil {
		return fieldError("join.name", "%s: %w", s.Join.Name, err)
	}
	// The run's supervisor: the process the caller waits on, the front
	// when there is one (the run ends with it).
	supervisor := os.Getpid()
	if fr := initproc.TheFront(); fr != nil {
		supervisor = fr.PID
	}
	self, err := procfs.ReadStat(supervisor)
	if err != nil {
		return fieldError("join.name", "%s: %w", s.Join.Name, err)
	}
	p.s, p.store = s, state.Open(dir)
	p.rec = state.Record{
		Name: s.Join.Name, Parent: supervisor, ParentStart: self.Start, Supervised: true,
		Namespaces: kindNames(s.Kinds()), Command: s.Args, Started: time.Now().UTC(),
	}
	if s.Joined != nil {
		p.rec.Joined = kindNames(s.Joined.Kinds)
	}
	if c := s.Confinement; c != nil && c.Filter != nil {
		p.rec.Seccomp = &state.Filter{Flags: c.Filter.Flags, Program: security.Program(c.Filter, runtime.GOARCH)}
	}
	if err := p.store.Reserve(p.rec); err != nil {
		return fieldError("join.name", ": %w", err)
	}
	p.reserved = true
	return nil
}

func (p *instancePart) Attach(pid int, tr *trace.Tracer) error {
	st, err := procfs.ReadStat(pid)
	if err != nil {
		return fieldError("join.name", "%s: init: %w", p.rec.Name, err)
	}
	p.rec.PID, p.rec.PIDStart, p.rec.CMDDepth = pid, st.Start, p.s.CMDDepth()
	if err := p.store.Update(p.rec); err != nil {
		return fieldError("join.name", ": %w", err)
	}
	tr.Step("instance: %s recorded in %s", p.rec.Name, p.store.Dir)
	return nil
}

func (p *instancePart) Undo() {
	if p.reserved {
		p.store.Remove(p.rec.Name, p.rec.Parent, p.rec.ParentStart)
	}
}

func kindNames(kinds []spec.Namespace) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// KeepUndo adds what the run's host parts must undo to its record.
func (p *instancePart) KeepUndo(steps []state.UndoStep) error {
	p.rec.Undo = steps
	if err := p.store.Update(p.rec); err != nil {
		return fieldError("join.name", ": %w", err)
	}
	return nil
}
