package container

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"nsexec/internal/cgroups"
	"nsexec/internal/initproc"
	"nsexec/internal/plan"
	"nsexec/internal/procfs"
	"nsexec/internal/state"
	"nsexec/internal/trace"
)

// cgroupPart gives a run with limits a cgroup of its own: made and limited
// before the clone; the init is born in it (v2), or joins it itself before
// it does anything else (v1; the init is C, one thread: pids.max counts it
// as one); removed at the end with whatever is left in it. The init creates
// a cgroup namespace only once it is in (see init.c), so that CMD sees its
// cgroup as "/".
type cgroupPart struct {
	cg     *cgroups.Cgroup
	memory int64
	cmd    string
	tasks  []*os.File // v1: the init joins the cgroup itself, through these
}

func newCgroupPart(s *plan.Plan) hostPart {
	if !s.NeedsCgroup() {
		return nil
	}
	return &cgroupPart{}
}

// Resources turns the spec's limits into the cgroup's.
func Resources(s *plan.Plan) cgroups.Resources {
	l := s.Limits
	r := cgroups.Resources{
		Memory:     l.Memory,
		MemorySwap: l.MemorySwap,
		CPUQuota:   l.CPUs * 100, // thousandths of a CPU, over 100 ms periods
		CPUShares:  l.CPUShares,
		CPUWeight:  l.CPUWeight,
		CpusetCPUs: l.CpusetCPUs,
		PidsMax:    l.PidsLimit,
	}
	if s.DefaultDevicesOnly() {
		r.Devices = cgroups.DefaultDevices
	}
	return r
}

func (p *cgroupPart) Prepare(s *plan.Plan, tr *trace.Tracer) error {
	cg, err := cgroups.Create(s.Limits.CgroupParent, Resources(s))
	if errors.Is(err, cgroups.ErrNotMounted) && onlyDefaultDevices(s) {
		// Nobody asked for a limit: the cgroup was only a default
		// device allow-list. Without the devices controller,
		// CMD loses CAP_MKNOD instead, so it still cannot make nodes of
		// the host's devices.
		if c := s.Confinement; c != nil && c.SetCaps {
			c.Bounding &^= 1 << unix.CAP_MKNOD
			c.Ambient &^= 1 << unix.CAP_MKNOD
		}
		tr.Step("cgroup: none (%v); CAP_MKNOD dropped instead of a device cgroup", err)
		return nil
	}
	if err != nil {
		return &Error{Code: 125, Err: err}
	}
	p.cg, p.memory, p.cmd = cg, s.Limits.Memory, s.Args[0]
	// On v1 the init joins the cgroup itself (init.c), first of all.
	if p.tasks, err = cg.OpenTasks(); err != nil {
		cg.Destroy()
		p.cg = nil
		return &Error{Code: 125, Err: err}
	}
	tr.Step("cgroup: %s made, limits set", cg.Dirs)
	return nil
}

// CgroupFD lets the init be born in the cgroup on v2: moving a process
// between cgroups takes the kernel's cgroup_threadgroup_rwsem for writing,
// which often waits for an RCU grace period (10 ms and more, measured here).
func (p *cgroupPart) CgroupFD() int {
	if p.cg == nil {
		return -1
	}
	return p.cg.FD()
}

// onlyDefaultDevices reports whether the run needs a cgroup only for a
// default device allow-list that may fall back (spec.Limits.DevicesFallback),
// no other limit.
func onlyDefaultDevices(s *plan.Plan) bool {
	l := s.Limits
	return l.DevicesFallback && l.Memory == 0 && l.MemorySwap == 0 && l.CPUs == 0 && l.CPUShares == 0 &&
		l.CPUWeight == 0 && l.CpusetCPUs == "" && l.PidsLimit == 0 && l.CgroupParent == ""
}

// InitInputs hands the init the v1 "tasks" files it writes itself into.
func (p *cgroupPart) InitInputs(firstFD int, early *initproc.Early) []*os.File {
	for i := range p.tasks {
		early.Cgroups = append(early.Cgroups, firstFD+i)
	}
	return p.tasks
}

func (p *cgroupPart) Attach(pid int, tr *trace.Tracer) error {
	if p.cg == nil {
		return nil
	}
	// The run's cgroup lives as long as its init, supervised or not.
	st, err := procfs.ReadStat(pid)
	if err == nil {
		err = p.cg.Own(pid, st.Start)
	}
	if err != nil {
		return &Error{Code: 125, Err: err}
	}
	if len(p.tasks) > 0 {
		closeAll(p.tasks) // the init has its copies
		p.tasks = nil
		return nil
	}
	moved, err := p.cg.Attach(pid)
	if err != nil {
		return &Error{Code: 125, Err: err}
	}
	if moved {
		tr.Step("cgroup: init moved in")
	}
	return nil
}

// Explain tells a kill by the memory limit from any other SIGKILL.
func (p *cgroupPart) Explain(status int) error {
	if status != 128+9 || p.memory == 0 || p.cg == nil {
		return nil
	}
	if n, err := p.cg.OOMKills(); err != nil || n == 0 {
		return nil
	}
	return &Error{Code: status, Err: fmt.Errorf("%s was killed: out of memory (limit %s)", p.cmd, cgroups.MiB(p.memory))}
}

func (p *cgroupPart) Undo() {
	closeAll(p.tasks)
	if p.cg == nil {
		return
	}
	if err := p.cg.Destroy(); err != nil {
		fmt.Fprintf(os.Stderr, "nsexec: warning: %v\n", err)
	}
}

// CleanupCgroups removes the cgroups of dead runs under parent ("" is the
// default parent) and returns how many it removed.
func CleanupCgroups(parent string) (int, error) {
	return cgroups.Cleanup(parent)
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

func (p *cgroupPart) UndoStep() (state.UndoStep, error) {
	if p.cg == nil {
		return state.UndoStep{}, nil
	}
	return step("cgroup", p.cg.Record())
}
