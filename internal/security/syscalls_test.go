package security

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"nsexec/internal/testutil"
)

func TestTables(t *testing.T) {
	for i := 1; i < len(knownSyscalls); i++ {
		if knownSyscalls[i-1] >= knownSyscalls[i] {
			t.Fatalf("knownSyscalls not sorted at %q", knownSyscalls[i])
		}
	}
	for _, a := range []*arch{archX86_64, archX86, archX32, archAArch64, archARM, archRISCV64} {
		n := 0
		a.each(func(name string, nr uint32) {
			n++
			if got, ok := a.lookup(name); !ok || got != nr {
				t.Errorf("%s: lookup(%s) = %d, %v; want %d", a.name, name, got, ok, nr)
			}
		})
		if n < 300 {
			t.Errorf("%s: only %d syscalls", a.name, n)
		}
	}
	for _, n := range []string{"read", "set_tls", "_llseek", "socketcall", "riscv_flush_icache"} {
		if err := checkSyscallName(n); err != nil {
			t.Error(err)
		}
	}
	if err := checkSyscallName("reed"); err == nil {
		t.Error("reed is known")
	}
}

// The tables agree with libseccomp's, where it knows a syscall (libseccomp
// may be older than the tables). scmp_sys_resolver is in Debian's seccomp
// package, which make deps installs.
func TestTablesMatchLibseccomp(t *testing.T) {
	testutil.Require(t, "scmp_sys_resolver")
	for _, a := range []*arch{archX86_64, archX86, archX32, archAArch64, archARM, archRISCV64} {
		var names []string
		a.each(func(name string, _ uint32) { names = append(names, name) })
		script := `a=$1; shift; for n; do echo "$n $(scmp_sys_resolver -a $a $n)"; done`
		out, err := exec.Command("sh", append([]string{"-c", script, "sh", strings.ToLower(a.name)}, names...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			theirs, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || theirs < 0 {
				continue // unknown to this libseccomp
			}
			ours, _ := a.lookup(f[0])
			if uint32(theirs) != ours {
				t.Errorf("%s %s: ours %#x, libseccomp %#x", a.name, f[0], ours, theirs)
			}
			checked++
		}
		if checked < len(names)*3/4 {
			t.Errorf("%s: only %d of %d syscalls compared", a.name, checked, len(names))
		}
	}
}
