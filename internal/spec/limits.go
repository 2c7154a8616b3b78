package spec

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits is the resources a run may use: cgroup limits and rlimits.
// Zero values mean "not limited"; -1 means "unlimited" where a user can say it.
type Limits struct {
	Memory     int64 // bytes (--memory)
	MemorySwap int64 // memory plus swap, bytes; -1 unlimited (--memory-swap)
	CPUs       int64 // thousandths of a CPU (--cpus 0.5 is 500)
	CPUShares  uint64
	CPUWeight  uint64
	CpusetCPUs string // "0-1,3"
	PidsLimit  int64  // -1 unlimited
	// CgroupParent is where the run's cgroup is made: absolute from the root
	// of each hierarchy, relative to nsexec's own cgroup; "" is "nsexec".
	CgroupParent string
	// Devices is DevicesDefault (only the standard devices may be created
	// or opened, through the run's device cgroup), or DevicesAll or ""
	// (no rule of the run's own).
	Devices string
	// DevicesFallback lets a run whose cgroup would hold nothing but the
	// DevicesDefault rule go without it where no devices controller is
	// there: CMD loses CAP_MKNOD instead, so that it still cannot make
	// nodes of the host's devices. nsexec sets it where the rule is only
	// its container default.
	DevicesFallback bool
	Rlimits         []Rlimit
}

// The words of Limits.Devices.
const (
	DevicesDefault = "default"
	DevicesAll     = "all"
)

// DefaultDevicesOnly reports whether the run may use only the standard
// devices (null, zero, full, random, urandom, tty, console, ptmx, pts).
func (s *Spec) DefaultDevicesOnly() bool { return s.Limits.Devices == DevicesDefault }

// Rlimit is one resource limit set on the init, and so on CMD.
type Rlimit struct {
	Name       string // as in --rlimit: nofile, nproc, ...
	Soft, Hard uint64 // RlimInfinity is "unlimited"
}

// RlimInfinity is RLIM_INFINITY.
const RlimInfinity = math.MaxUint64

// NeedsCgroup reports whether the run gets a cgroup of its own.
func (s *Spec) NeedsCgroup() bool {
	l := &s.Limits
	return l.Memory != 0 || l.MemorySwap != 0 || l.CPUs != 0 || l.CPUShares != 0 ||
		l.CPUWeight != 0 || l.CpusetCPUs != "" || l.PidsLimit != 0 || l.CgroupParent != "" ||
		s.DefaultDevicesOnly()
}

// RlimitNames are the limits --rlimit knows, as setrlimit(2) names them
// without the RLIMIT_ prefix.
var RlimitNames = []string{
	"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
	"nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",
}

// ParseBytes reads a size as docker does: a number with an optional binary
// unit b, k, m, g, t (kb, mb... and upper case too): "64m" is 64 MiB.
func ParseBytes(s string) (int64, error) {
	num := strings.TrimRight(s, "bBkKmMgGtT")
	unit := strings.ToLower(s[len(num):])
	shift := map[string]uint{"": 0, "b": 0, "k": 10, "kb": 10, "m": 20, "mb": 20, "g": 30, "gb": 30, "t": 40, "tb": 40}
	sh, ok := shift[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("%q: want a size such as 64m, 512k or 1g", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q: want a size such as 64m, 512k or 1g", s)
	}
	v := f * float64(uint64(1)<<sh)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return int64(v), nil
}

// ParseCPUs reads --cpus: a decimal number of CPUs, in thousandths.
func ParseCPUs(s string) (int64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e6 || math.IsNaN(f) {
		return 0, fmt.Errorf("%q: want a positive number of CPUs such as 0.5 or 2", s)
	}
	m := int64(math.Round(f * 1000))
	if m < 1 {
		return 0, fmt.Errorf("%q: less than a thousandth of a CPU", s)
	}
	return m, nil
}

// ParseRlimit reads NAME=SOFT[:HARD]; a value is a number or "unlimited"
// (also -1). A lone SOFT sets both.
func ParseRlimit(s string) (Rlimit, error) {
	name, vals, ok := strings.Cut(s, "=")
	name = strings.ToLower(strings.TrimPrefix(strings.ToUpper(name), "RLIMIT_"))
	if !ok || vals == "" {
		return Rlimit{}, fmt.Errorf("%q: want NAME=SOFT[:HARD], e.g. nofile=1024:4096", s)
	}
	known := false
	for _, n := range RlimitNames {
		known = known || n == name
	}
	if !known {
		return Rlimit{}, fmt.Errorf("%q: unknown limit %q; known: %s", s, name, strings.Join(RlimitNames, ", "))
	}
	softS, hardS, two := strings.Cut(vals, ":")
	soft, err := parseRlimitValue(softS)
	if err != nil {
		return Rlimit{}, fmt.Errorf("%q: %w", s, err)
	}
	hard := soft
	if two {
		if hard, err = parseRlimitValue(hardS); err != nil {
			return Rlimit{}, fmt.Errorf("%q: %w", s, err)
		}
	}
	if soft > hard {
		return Rlimit{}, fmt.Errorf("%q: soft limit above the hard limit", s)
	}
	return Rlimit{Name: name, Soft: soft, Hard: hard}, nil
}

func parseRlimitValue(s string) (uint64, error) {
	if s == "unlimited" || s == "infinity" || s == "-1" {
		return RlimInfinity, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("value %q: want a number or unlimited", s)
	}
	return v, nil
}

// ValidCPUList checks a cpuset list such as "0-3,6".
func ValidCPUList(s string) error {
	if s == "" {
		return errors.New("empty CPU list")
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.ParseUint(hi, 10, 16)
		}
		if err1 != nil || err2 != nil || b < a {
			return fmt.Errorf("CPU list %q: want numbers and ranges such as 0-3,6", s)
		}
	}
	return nil
}

// checkLimits: each limit within what the kernel takes.
func checkLimits(s *Spec) error {
	l := &s.Limits
	var errs []error
	if l.Memory < 0 {
		errs = append(errs, errorf("limits.memory", "%s: negative size", Field("limits.memory")))
	}
	if l.Memory != 0 && l.Memory < 6<<20 {
		errs = append(errs, errorf("limits.memory", "%s %d: the kernel needs at least 6MiB", Field("limits.memory"), l.Memory))
	}
	switch {
	case l.MemorySwap == 0 || l.MemorySwap == -1:
		if l.MemorySwap == -1 && l.Memory == 0 {
			errs = append(errs, errorf("limits.memorySwap", "%s needs %s", Field("limits.memorySwap"), Field("limits.memory")))
		}
	case l.MemorySwap < 0:
		errs = append(errs, errorf("limits.memorySwap", "%s: want a size, or -1 for unlimited swap", Field("limits.memorySwap")))
	case l.Memory == 0:
		errs = append(errs, errorf("limits.memorySwap", "%s needs %s", Field("limits.memorySwap"), Field("limits.memory")))
	case l.MemorySwap < l.Memory:
		errs = append(errs, errorf("limits.memorySwap", "%s is memory plus swap: it cannot be below %s", Field("limits.memorySwap"), Field("limits.memory")))
	}
	if l.CPUShares != 0 && (l.CPUShares < 2 || l.CPUShares > 262144) {
		errs = append(errs, errorf("limits.cpuShares", "%s %d: want 2 to 262144", Field("limits.cpuShares"), l.CPUShares))
	}
	if l.CPUWeight != 0 && l.CPUWeight > 10000 {
		errs = append(errs, errorf("limits.cpuWeight", "%s %d: want 1 to 10000", Field("limits.cpuWeight"), l.CPUWeight))
	}
	if l.CPUShares != 0 && l.CPUWeight != 0 {
		errs = append(errs, errorf("limits.cpuWeight", "%s and %s say the same thing: give one", Field("limits.cpuShares"), Field("limits.cpuWeight")))
	}
	if l.CpusetCPUs != "" {
		if err := ValidCPUList(l.CpusetCPUs); err != nil {
			errs = append(errs, errorf("limits.cpusetCPUs", "%s: %v", Field("limits.cpusetCPUs"), err))
		}
	}
	if l.PidsLimit < -1 {
		errs = append(errs, errorf("limits.pidsLimit", "%s: want a positive number, or -1 for unlimited", Field("limits.pidsLimit")))
	}
	if l.Devices != "" && l.Devices != DevicesDefault && l.Devices != DevicesAll {
		errs = append(errs, errorf("limits.devices", "%s %q: want default or all", Field("limits.devices"), l.Devices))
	}
	if p := l.CgroupParent; p != "" {
		for _, e := range strings.Split(p, "/") {
			if e == ".." || e == "." {
				errs = append(errs, errorf("limits.cgroupParent", "%s %q: no . or .. allowed", Field("limits.cgroupParent"), p))
				break
			}
		}
	}
	return errors.Join(errs...)
}
