package container

import (
	"fmt"
	"os"
	"path/filepath"

	"nsexec/internal/nsenter"
	"nsexec/internal/plan"
	"nsexec/internal/spec"
	"nsexec/internal/trace"
)

func newPersistPart(s *plan.Plan) hostPart {
	if len(s.Join.Persist) == 0 {
		return nil
	}
	return &persistPart{}
}

// persistPart binds the run's namespaces to files (--persist-KIND), so they
// outlive it. The files are made before the clone, so a bad path fails
// before anything exists; a run that fails before CMD starts removes them.
type persistPart struct {
	files     []persisted
	committed bool
}

type persisted struct {
	ns   spec.Namespace
	file string
}

func (p *persistPart) Prepare(s *plan.Plan, tr *trace.Tracer) error {
	if os.Geteuid() != 0 {
		return fieldError("join.persist", ": persisting a namespace is a bind mount on the host, which needs root")
	}
	for _, ns := range spec.AllNamespaces {
		file := s.Join.Persist[ns]
		if file == "" {
			continue
		}
		abs, err := filepath.Abs(file)
		if err == nil {
			err = nsenter.PrepareTarget(ns, abs)
		}
		if err != nil {
			p.Undo() // a part whose Prepare fails is not undone: remove what was made
			return fieldError(spec.PersistField(ns), "%s: %w", file, err)
		}
		p.files = append(p.files, persisted{ns, abs})
	}
	return nil
}

// Attach binds each namespace from the init's /proc entry: for PID and time
// namespaces the one its children get, which is CMD's.
func (p *persistPart) Attach(pid int, tr *trace.Tracer) error {
	for _, f := range p.files {
		src := fmt.Sprintf("/proc/%d/ns/%s", pid, nsenter.ForChildren(f.ns))
		if err := nsenter.Bind(src, f.file); err != nil {
			return fieldError(spec.PersistField(f.ns), ": %w", err)
		}
		tr.Step("persist: %s namespace bound to %s", f.ns, f.file)
	}
	return nil
}

func (p *persistPart) Commit() { p.committed = true }

func (p *persistPart) Undo() {
	if p.committed {
		return
	}
	for _, f := range p.files {
		nsenter.Discard(f.file)
	}
}
