package security

import "fmt"

// arch is one syscall ABI a filter can meet: the audit architecture the
// kernel reports in seccomp_data, and its syscall numbers.
type arch struct {
	name    string  // as libseccomp and the OCI spec name it, without SCMP_ARCH_
	audit   uint32  // AUDIT_ARCH_* (linux/audit.h)
	nrs     []int32 // by index in knownSyscalls; -1: not on this ABI
	is64    bool    // arguments are 64 bits wide; else only the low word counts
	bigEnd  bool    // byte order of seccomp_data.args
	nrMask  uint32  // x32 shares x86_64's audit arch: its numbers have bit 30 set
	nrFloor uint32  // the lowest number of this ABI (x32: 0x40000000)
}

const x32Bit = 0x40000000

var (
	archX86_64  = &arch{name: "X86_64", audit: 0xc000003e, nrs: nrX86_64[:], is64: true}
	archX86     = &arch{name: "X86", audit: 0x40000003, nrs: nrX86[:]}
	archX32     = &arch{name: "X32", audit: 0xc000003e, nrs: nrX32[:], is64: true, nrMask: x32Bit, nrFloor: x32Bit}
	archAArch64 = &arch{name: "AARCH64", audit: 0xc00000b7, nrs: nrAArch64[:], is64: true}
	archARM     = &arch{name: "ARM", audit: 0x40000028, nrs: nrARM[:]}
	archRISCV64 = &arch{name: "RISCV64", audit: 0xc00000f3, nrs: nrRISCV64[:], is64: true}
)

// nativeArches are the ABIs a process on goarch can use: the native one
// first, then the compat ones a profile may list as sub-architectures. (A
// function, not a map: a map would be built at every start.)
func nativeArches(goarch string) []*arch {
	switch goarch {
	case "amd64":
		return []*arch{archX86_64, archX86, archX32}
	case "arm64":
		return []*arch{archAArch64, archARM}
	case "riscv64":
		return []*arch{archRISCV64}
	}
	return nil
}

// archByName finds an ABI by its SCMP_ARCH_ name.
func archByName(native []*arch, name string) *arch {
	for _, a := range native {
		if "SCMP_ARCH_"+a.name == name {
			return a
		}
	}
	return nil
}

// syscallIndex finds a name in knownSyscalls.
func syscallIndex(name string) (int, bool) {
	t := knownSyscalls[:]
	lo, hi := 0, len(t)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t[m] < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(t) && t[lo] == name
}

// lookup returns the number of a syscall on a, or false when a lacks it.
func (a *arch) lookup(name string) (uint32, bool) {
	i, ok := syscallIndex(name)
	if !ok || a.nrs[i] < 0 {
		return 0, false
	}
	return uint32(a.nrs[i]), true
}

// checkSyscallName reports a name that no architecture knows.
func checkSyscallName(name string) error {
	if _, ok := syscallIndex(name); !ok {
		return fmt.Errorf("unknown syscall %q", name)
	}
	return nil
}

// each calls f for every syscall of a, in the order of knownSyscalls.
func (a *arch) each(f func(name string, nr uint32)) {
	for i, nr := range a.nrs {
		if nr >= 0 {
			f(knownSyscalls[i], uint32(nr))
		}
	}
}
