package cgroups

import (
	"fmt"
	"strconv"
)

// Resources are the limits of one cgroup. Zero means no limit.
type Resources struct {
	Memory     int64  // bytes
	MemorySwap int64  // memory plus swap, bytes; 0: as much swap as memory (Docker's default); -1: unlimited
	CPUQuota   int64  // µs of CPU time per CPUPeriod
	CPUPeriod  uint64 // µs; 0: 100000
	CPUShares  uint64 // cgroup v1 shares (2-262144), converted on v2
	CPUWeight  uint64 // cgroup v2 weight (1-10000), converted on v1
	CpusetCPUs string // "0-1,3"
	PidsMax    int64  // -1: unlimited
	// Devices, when set, allow only these devices to be created (mknod)
	// or opened: the devices cgroup on v1, an eBPF program on v2.
	Devices []Device
}

// Device is a device a cgroup allows: its type ('c' or 'b'), numbers (-1
// for any) and access ("rwm": read, write, mknod).
type Device struct {
	Type         byte
	Major, Minor int64
	Access       string
}

// DefaultDevices are the devices a container has (those of runc and
// Docker): null, zero, full, random, urandom, tty, console, ptmx, and the
// pseudo-terminals.
var DefaultDevices = []Device{
	{'c', 1, 3, "rwm"}, {'c', 1, 5, "rwm"}, {'c', 1, 7, "rwm"}, {'c', 1, 8, "rwm"}, {'c', 1, 9, "rwm"},
	{'c', 5, 0, "rwm"}, {'c', 5, 1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 136, -1, "rwm"},
}

// String is the rule as the v1 devices cgroup reads it: "c 1:3 rwm".
func (d Device) String() string {
	num := func(n int64) string {
		if n < 0 {
			return "*"
		}
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%c %s:%s %s", d.Type, num(d.Major), num(d.Minor), d.Access)
}

const defaultPeriod = 100000

// controllers are the v1 controllers the limits need; on v2 the same names,
// but for cpuacct and devices, are the controllers to enable.
func (r Resources) controllers() []string {
	var c []string
	if r.Memory != 0 || r.MemorySwap != 0 {
		c = append(c, "memory")
	}
	if r.CPUQuota != 0 || r.CPUShares != 0 || r.CPUWeight != 0 {
		c = append(c, "cpu", "cpuacct") // cpuacct: the usage, on v1
	}
	if r.CpusetCPUs != "" {
		c = append(c, "cpuset")
	}
	if r.PidsMax != 0 {
		c = append(c, "pids")
	}
	if r.Devices != nil {
		c = append(c, "devices") // on v2 no controller: an eBPF program
	}
	return c
}

// setting is one file to write in the run's cgroup.
type setting struct {
	controller string // the v1 hierarchy that has the file
	file       string
	value      string
	optional   bool // skipped when the kernel lacks the file (swap accounting off)
}

// settings are the writes that set r, in order: a v1 memory+swap limit
// must not be below the memory limit, so memory goes first.
func (r Resources) settings(v2 bool) []setting {
	var s []setting
	add := func(ctrl, file, value string, optional bool) {
		s = append(s, setting{ctrl, file, value, optional})
	}
	period := r.CPUPeriod
	if period == 0 {
		period = defaultPeriod
	}
	if v2 {
		if r.Memory > 0 {
			add("memory", "memory.max", itoa(r.Memory), false)
			switch {
			case r.MemorySwap > 0:
				add("memory", "memory.swap.max", itoa(r.MemorySwap-r.Memory), false)
			case r.MemorySwap == 0:
				add("memory", "memory.swap.max", itoa(r.Memory), true)
			default:
				add("memory", "memory.swap.max", "max", true)
			}
		}
		if r.CPUQuota > 0 {
			add("cpu", "cpu.max", fmt.Sprintf("%d %d", r.CPUQuota, period), false)
		}
		if w := r.weight(); w != 0 {
			add("cpu", "cpu.weight", strconv.FormatUint(w, 10), false)
		}
		if r.CpusetCPUs != "" {
			add("cpuset", "cpuset.cpus", r.CpusetCPUs, false)
		}
		if r.PidsMax != 0 {
			add("pids", "pids.max", pidsValue(r.PidsMax), false)
		}
		return s
	}
	if r.Memory > 0 {
		add("memory", "memory.limit_in_bytes", itoa(r.Memory), false)
		switch {
		case r.MemorySwap > 0:
			add("memory", "memory.memsw.limit_in_bytes", itoa(r.MemorySwap), false)
		case r.MemorySwap == 0:
			add("memory", "memory.memsw.limit_in_bytes", itoa(2*r.Memory), true)
		default:
			add("memory", "memory.memsw.limit_in_bytes", "-1", true)
		}
	}
	if r.CPUQuota > 0 {
		add("cpu", "cpu.cfs_period_us", strconv.FormatUint(period, 10), false)
		add("cpu", "cpu.cfs_quota_us", itoa(r.CPUQuota), false)
	}
	if sh := r.shares(); sh != 0 {
		add("cpu", "cpu.shares", strconv.FormatUint(sh, 10), false)
	}
	if r.CpusetCPUs != "" {
		add("cpuset", "cpuset.cpus", r.CpusetCPUs, false)
	}
	if r.PidsMax != 0 {
		add("pids", "pids.max", pidsValue(r.PidsMax), false)
	}
	if r.Devices != nil {
		add("devices", "devices.deny", "a", false) // empty the list a new cgroup inherits
		for _, d := range r.Devices {
			add("devices", "devices.allow", d.String(), false)
		}
	}
	return s
}

// weight is the v2 cpu.weight: given, or converted from v1 shares as runc
// and crun convert them (2..262144 onto 1..10000, 1024 -> 39).
func (r Resources) weight() uint64 {
	if r.CPUWeight != 0 || r.CPUShares == 0 {
		return r.CPUWeight
	}
	return 1 + ((r.CPUShares-2)*9999)/262142
}

// shares is the v1 cpu.shares: given, or converted back from a v2 weight.
func (r Resources) shares() uint64 {
	if r.CPUShares != 0 || r.CPUWeight == 0 {
		return r.CPUShares
	}
	return 2 + ((r.CPUWeight-1)*262142)/9999
}

func pidsValue(n int64) string {
	if n < 0 {
		return "max"
	}
	return itoa(n)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// MiB formats a byte count for messages: "64MiB", "1.5GiB", "1000B".
func MiB(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
