package security

import (
	"fmt"
	"sort"
)

type sysEntry struct {
	name string
	nr   uint32
}

// arch is one syscall ABI a filter can meet: the audit architecture the
// kernel reports in seccomp_data, and its syscall numbers.
type arch struct {
	name    string // as libseccomp and the OCI spec name it, without SCMP_ARCH_
	audit   uint32 // AUDIT_ARCH_* (linux/audit.h)
	table   []sysEntry
	is64    bool   // arguments are 64 bits wide; else only the low word counts
	bigEnd  bool   // byte order of seccomp_data.args
	nrMask  uint32 // x32 shares x86_64's audit arch: its numbers have bit 30 set
	nrFloor uint32 // the lowest number of this ABI (x32: 0x40000000)
}

const x32Bit = 0x40000000

var (
	archX86_64  = &arch{name: "X86_64", audit: 0xc000003e, table: sysX86_64[:], is64: true}
	archX86     = &arch{name: "X86", audit: 0x40000003, table: sysX86[:]}
	archX32     = &arch{name: "X32", audit: 0xc000003e, table: sysX32[:], is64: true, nrMask: x32Bit, nrFloor: x32Bit}
	archAArch64 = &arch{name: "AARCH64", audit: 0xc00000b7, table: sysAArch64[:], is64: true}
	archARM     = &arch{name: "ARM", audit: 0x40000028, table: sysARM[:]}
	archRISCV64 = &arch{name: "RISCV64", audit: 0xc00000f3, table: sysRISCV64[:], is64: true}
)

// nativeArches are the ABIs a process on GOARCH can use: the native one
// first, then the compat ones a profile may list as sub-architectures.
var nativeArches = map[string][]*arch{
	"amd64":   {archX86_64, archX86, archX32},
	"arm64":   {archAArch64, archARM},
	"riscv64": {archRISCV64},
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

// lookup returns the number of a syscall on a, or false when a lacks it.
func (a *arch) lookup(name string) (uint32, bool) {
	t := a.table
	i := sort.Search(len(t), func(i int) bool { return t[i].name >= name })
	if i < len(t) && t[i].name == name {
		return t[i].nr, true
	}
	return 0, false
}

// checkSyscallName reports a name that no architecture knows.
func checkSyscallName(name string) error {
	i := sort.SearchStrings(knownSyscalls[:], name)
	if i < len(knownSyscalls) && knownSyscalls[i] == name {
		return nil
	}
	return fmt.Errorf("unknown syscall %q", name)
}
