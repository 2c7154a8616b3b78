package container

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"nsexec/internal/initproc"
	"nsexec/internal/linux"
	"nsexec/internal/nsenter"
	"nsexec/internal/plan"
	"nsexec/internal/procfs"
	"nsexec/internal/spec"
	"nsexec/internal/state"
	"nsexec/internal/trace"
)

func newJoinPart(s *plan.Plan) hostPart {
	if !s.Join.Joining() && len(s.EarlyNew()) == 0 {
		return nil
	}
	return &joinPart{}
}

// joinPart resolves what a run joins before anything is created: it opens
// and checks every namespace, reads the target's identity, and hands the
// init the descriptors (the init joins them, see initproc/join.c).
type joinPart struct {
	files []*os.File     // for the init, in order
	early initproc.Early // FDs index files until InitInputs numbers them
	tr    *trace.Tracer
	// targetFilters is how many seccomp filters the target is under.
	targetFilters int
}

func (p *joinPart) Prepare(s *plan.Plan, tr *trace.Tracer) (err error) {
	// A part whose Prepare fails is not undone: close what was opened.
	defer func() {
		if err != nil {
			p.Undo()
		}
	}()
	p.tr = tr
	p.early = *initproc.NewEarly()
	joined := &plan.Joined{}
	target, rec, err := resolveTarget(s.Join.Target)
	if err != nil {
		return err
	}
	starts := map[int]uint64{}
	if target > 0 {
		st, err := procfs.ReadStat(target)
		if err != nil {
			return fieldError("join.target", "%s: %w", s.Join.Target, err)
		}
		starts[target] = st.Start
	}
	for _, ns := range nsenter.SetnsOrder {
		if s.New[ns] {
			continue
		}
		ref, field, arg := nsenter.Ref{PID: target}, spec.Field("join.target"), s.Join.Target
		if v := s.Join.From[ns]; v != "" {
			field, arg = spec.JoinField(ns), v
			if ref, err = nsenter.ParseRef(v); err != nil {
				return fieldError(field, "%s: %w", arg, err)
			}
			if ref.PID > 0 {
				if st, err := procfs.ReadStat(ref.PID); err == nil {
					starts[ref.PID] = st.Start
				}
			}
		} else if target == 0 {
			continue
		}
		f, err := nsenter.Open(ns, ref)
		if err != nil {
			return fieldError(field, "%s: %w", arg, err)
		}
		if ours, err := nsenter.Ours(f, ns); ours || err != nil {
			f.Close() // joining our own namespace changes nothing
			if err != nil {
				return fieldError(field, "%s: %w", arg, err)
			}
			continue
		}
		p.early.NS = append(p.early.NS, initproc.EarlyNS{Kind: ns, FD: p.add(f)})
		joined.Kinds = append(joined.Kinds, ns)
	}
	s.Joined = joined
	if target > 0 {
		if err := p.identity(s, target); err != nil {
			return fieldError("join.target", "%s: %w", s.Join.Target, err)
		}
		if err := p.confinement(s, target, rec); err != nil {
			return fieldError("join.target", "%s: %w", s.Join.Target, err)
		}
	}
	// Everything came from the processes that were there at the start: a
	// PID that was reused meanwhile would have handed us another's.
	for pid, start := range starts {
		if !procfs.Alive(pid, start) {
			return fmt.Errorf("process %d exited while nsexec joined it", pid)
		}
	}
	if err := p.planEarly(s); err != nil {
		return fmt.Errorf("prepare the init's early steps: %w", err)
	}
	tr.Step("join: %s resolved: %s", describe(s), spec.KindsString(joined.Kinds))
	return nil
}

// identity takes over what `docker exec` gives a command: the target's
// root and cwd (when its mount namespace is joined), user, groups,
// capabilities, no_new_privs and environment.
func (p *joinPart) identity(s *plan.Plan, pid int) error {
	st, err := procfs.ReadStatus(pid)
	if err != nil {
		return err
	}
	env, err := nsenter.ReadEnviron(pid)
	if err != nil {
		return fmt.Errorf("read the environment of process %d: %w", pid, err)
	}
	id := &plan.Identity{UID: st.UID, GID: st.GID, Groups: st.Groups, CapInh: st.CapInh, CapPrm: st.CapPrm,
		CapEff: st.CapEff, CapBnd: st.CapBnd, NoNewPrivs: st.NoNewPrivs, Env: env}
	if s.Joins(spec.User) { // the IDs inside the target's user namespace
		for _, m := range []struct {
			file string
			id   *uint32
		}{{"uid_map", &id.UID}, {"gid_map", &id.GID}} {
			data, err := procfs.ReadIDMap(pid, m.file)
			if err == nil {
				*m.id, err = procfs.MapID(*m.id, data)
			}
			if err != nil {
				return fmt.Errorf("user of process %d: %w", pid, err)
			}
		}
	}
	s.Joined.Identity = id
	p.targetFilters = st.SeccompFilters
	// Supplementary groups can be set only with CAP_SETGID on the host, and
	// before joining (a user namespace may deny setgroups).
	p.early.Groups, p.early.SetGroups = st.Groups, os.Geteuid() == 0
	// The target's root and cwd, unless the run makes its own mount
	// namespace. Its root is entered when its mount namespace is joined or
	// it is chrooted; the cwd in any case.
	if s.New[spec.Mount] {
		return nil
	}
	root, err := openDir(fmt.Sprintf("/proc/%d/root", pid))
	if err != nil {
		return err
	}
	if same, err := sameFile(root, "/"); err == nil && same && !s.Joins(spec.Mount) {
		root.Close()
	} else {
		p.early.Root = p.add(root)
	}
	cwd, err := openDir(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		return err
	}
	p.early.Cwd = p.add(cwd)
	return nil
}

func openDir(path string) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// sameFile reports whether f and path are the same file.
func sameFile(f *os.File, path string) (bool, error) {
	var a, b unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &a); err != nil {
		return false, err
	}
	if err := unix.Stat(path, &b); err != nil {
		return false, err
	}
	return a.Dev == b.Dev && a.Ino == b.Ino, nil
}

// planEarly says what the init creates after joining, and whether the
// parent must wait for that before the other host parts attach.
func (p *joinPart) planEarly(s *plan.Plan) error {
	wait := false
	for _, ns := range s.EarlyNew() {
		wait = true
		if ns == spec.Time {
			p.early.TimeOffsets = &[2]int64{s.MonotonicOffset, s.BoottimeOffset}
		} else {
			p.early.Unshare |= uintptr(nsenter.CloneFlag[ns])
		}
	}
	for ns := range s.Join.Persist { // bound from the init's /proc entry: after it joined
		wait = wait || s.Joins(ns)
	}
	if s.New[spec.Time] {
		proc, err := procfs.Open()
		if err != nil {
			return err
		}
		p.early.Proc = p.add(proc)
	}
	p.early.Ack = wait
	return nil
}

// add keeps f for the init and returns its index among the init's files.
func (p *joinPart) add(f *os.File) int {
	p.files = append(p.files, f)
	return len(p.files) - 1
}

func (p *joinPart) InitInputs(firstFD int, early *initproc.Early) []*os.File {
	num := func(i int) int {
		if i < 0 {
			return -1
		}
		return firstFD + i
	}
	e := p.early
	for _, c := range e.Cgroups {
		early.Cgroups = append(early.Cgroups, num(c))
	}
	for _, ns := range e.NS {
		early.NS = append(early.NS, initproc.EarlyNS{Kind: ns.Kind, FD: num(ns.FD)})
	}
	early.Groups, early.SetGroups = e.Groups, e.SetGroups
	early.Proc, early.Root, early.Cwd = num(e.Proc), num(e.Root), num(e.Cwd)
	early.Unshare, early.TimeOffsets, early.Ack = e.Unshare, e.TimeOffsets, e.Ack
	return p.files
}

// Attach closes nsexec's copies of what the init got (run_linux.go waited
// for the init to join, when it creates namespaces after joining).
func (p *joinPart) Attach(pid int, tr *trace.Tracer) error {
	p.closeFiles()
	return nil
}

func (p *joinPart) Undo() { p.closeFiles() }

func (p *joinPart) closeFiles() {
	for _, f := range p.files {
		f.Close()
	}
	p.files = nil
}

// resolveTarget turns --join TARGET into the PID whose namespaces and
// identity are taken: for an instance (by name, or by the PID of its init)
// the process of its CMD, with the instance's record; any other PID as it
// is. 0: no --join.
func resolveTarget(target string) (int, *state.Record, error) {
	if target == "" {
		return 0, nil, nil
	}
	dir, dirErr := state.DefaultDir()
	if pid, err := strconv.Atoi(target); err == nil {
		if pid <= 0 {
			return 0, nil, fieldError("join.target", "%s: not a PID", target)
		}
		// Only an nsexec init can be an instance's: do not read the
		// records for any other process.
		if comm, _ := linux.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); dirErr == nil && string(comm) == initproc.Argv0+"\n" {
			if r, ok := state.Open(dir).FindPID(pid); ok {
				return cmdOf(target, r)
			}
		}
		return pid, nil, nil
	}
	if err := spec.ValidName(target); err != nil {
		return 0, nil, fieldError("join.target", ": %w", err)
	}
	if dirErr != nil {
		return 0, nil, fieldError("join.target", "%s: %w", target, dirErr)
	}
	r, err := state.Open(dir).Get(target)
	if errors.Is(err, state.ErrNotFound) {
		return 0, nil, fieldError("join.target", "%s: no running instance named %s (nsexec --list shows them)", target, target)
	}
	if err != nil {
		return 0, nil, fieldError("join.target", "%s: %w", target, err)
	}
	return cmdOf(target, r)
}

// cmdOf finds the process of an instance's CMD: PID 1 of a PID namespace
// is nsexec's init, whose environment, user, time namespace and
// confinement are not CMD's.
func cmdOf(target string, r state.Record) (int, *state.Record, error) {
	if r.PID == 0 {
		return 0, nil, fieldError("join.target", "%s: instance %s is still starting; try again", target, r.Name)
	}
	pid, err := procfs.Descend(r.PID, r.CMDDepth)
	if err != nil {
		return 0, nil, fieldError("join.target", "%s: instance %s: %w", target, r.Name, err)
	}
	return pid, &r, nil
}

// describe names what a run joins, for the trace.
func describe(s *plan.Plan) string {
	if s.Join.Target != "" {
		return "--join " + s.Join.Target
	}
	return "--join-KIND"
}
