package security

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestTablesSorted(t *testing.T) {
	for _, a := range []*arch{archX86_64, archX86, archX32, archAArch64, archARM, archRISCV64} {
		for i := 1; i < len(a.table); i++ {
			if a.table[i-1].name >= a.table[i].name {
				t.Fatalf("%s: table not sorted at %q", a.name, a.table[i].name)
			}
		}
		for _, e := range a.table {
			if err := checkSyscallName(e.name); err != nil {
				t.Errorf("%s: %v", a.name, err)
			}
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
// package; without it the test has nothing to compare with.
func TestTablesMatchLibseccomp(t *testing.T) {
	if _, err := exec.LookPath("scmp_sys_resolver"); err != nil {
		t.Skip("skipped: scmp_sys_resolver (Debian's seccomp package) is not installed")
	}
	for _, a := range []*arch{archX86_64, archX86, archX32, archAArch64, archARM, archRISCV64} {
		names := make([]string, len(a.table))
		for i, e := range a.table {
			names[i] = e.name
		}
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
		if checked < len(a.table)*3/4 {
			t.Errorf("%s: only %d of %d syscalls compared", a.name, checked, len(a.table))
		}
	}
}
