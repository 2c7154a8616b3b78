package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"nsexec/internal/container"
	"nsexec/internal/spec"
)

// limitsFlags are the resource limits: the run's cgroup, and rlimits.
type limitsFlags struct {
	memory, swap, cpus, cpuset, parent string
	devices                            string
	shares, weight                     uint64
	pids                               int64
	rlimits                            []string
	cleanup                            bool
}

func (o *limitsFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.memory, "memory", "", "memory limit `SIZE`, e.g. 64m or 1g (beyond it CMD is killed: exit 137)")
	f.StringVar(&o.swap, "memory-swap", "", "memory plus swap limit `SIZE` (-1: unlimited swap; default: as much swap as memory)")
	f.StringVar(&o.cpus, "cpus", "", "CPU time limit, in `CPUS` such as 0.5 or 2")
	f.Uint64Var(&o.shares, "cpu-shares", 0, "relative CPU `SHARES` (2-262144; 1024 is the default weight)")
	f.Uint64Var(&o.weight, "cpu-weight", 0, "relative CPU `WEIGHT` (1-10000; 100 is the default), cgroup v2's unit")
	f.StringVar(&o.cpuset, "cpuset-cpus", "", "CPUs the run may use: a `LIST` such as 0-1,3")
	f.Int64Var(&o.pids, "pids-limit", 0, "at most `N` processes and threads at once (-1: unlimited)")
	f.StringVar(&o.parent, "cgroup-parent", "", "make the run's cgroup under `PATH` (absolute from the hierarchy's root, else under nsexec's own cgroup; default nsexec)")
	f.StringVar(&o.devices, "devices", "", "`WHICH` devices CMD may create or open: default (null, zero, full, random, urandom, tty, console, ptmx, pts) or all; default with --rootfs: default")
	f.BoolVar(&o.cleanup, "cgroup-cleanup", false, "remove the cgroups of dead runs under the cgroup parent (without CMD: that alone)")
	f.StringArrayVar(&o.rlimits, "rlimit", nil, "set the resource limit `NAME=SOFT[:HARD]` on CMD (nofile, nproc, core, memlock, as, cpu, fsize, stack...; a value or unlimited); repeatable")
}

func (o *limitsFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	l := &s.Limits
	var err error
	if o.memory != "" {
		if l.Memory, err = spec.ParseBytes(o.memory); err != nil {
			return fmt.Errorf("--memory %w", err)
		}
	}
	switch o.swap {
	case "":
	case "-1":
		l.MemorySwap = -1
	default:
		if l.MemorySwap, err = spec.ParseBytes(o.swap); err != nil {
			return fmt.Errorf("--memory-swap %w", err)
		}
	}
	if o.cpus != "" {
		if l.CPUs, err = spec.ParseCPUs(o.cpus); err != nil {
			return fmt.Errorf("--cpus %w", err)
		}
	}
	if f.Changed("cpu-weight") && o.weight == 0 {
		return fmt.Errorf("--cpu-weight 0: want 1 to 10000")
	}
	if f.Changed("cpu-shares") && o.shares == 0 {
		return fmt.Errorf("--cpu-shares 0: want 2 to 262144")
	}
	if f.Changed("cpuset-cpus") && o.cpuset == "" {
		return fmt.Errorf("--cpuset-cpus: empty CPU list")
	}
	if f.Changed("cgroup-parent") && o.parent == "" {
		return fmt.Errorf("--cgroup-parent: empty path")
	}
	l.CPUShares, l.CPUWeight, l.CpusetCPUs, l.CgroupParent = o.shares, o.weight, o.cpuset, o.parent
	l.Devices = o.devices
	if f.Changed("devices") && o.devices == "" {
		return fmt.Errorf("--devices: want default or all")
	}
	l.PidsLimit = o.pids
	if f.Changed("pids-limit") && o.pids == 0 {
		l.PidsLimit = -1 // as Docker: 0 is unlimited
	}
	for _, r := range o.rlimits {
		rl, err := spec.ParseRlimit(r)
		if err != nil {
			return fmt.Errorf("--rlimit %w", err)
		}
		l.Rlimits = append(l.Rlimits, rl)
	}
	if o.cleanup {
		cleanupCgroups(o.parent, len(s.Args) == 0)
	}
	return nil
}

// cleanupCgroups is --cgroup-cleanup. Without a command it is all nsexec
// does, and it exits here, as --help does.
func cleanupCgroups(parent string, alone bool) {
	n, err := container.CleanupCgroups(parent)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nsexec: --cgroup-cleanup: %v\n", err)
		os.Exit(125)
	}
	if alone {
		plural := "s"
		if n == 1 {
			plural = ""
		}
		fmt.Printf("nsexec: removed %d cgroup%s of dead runs\n", n, plural)
		os.Exit(0)
	}
}
