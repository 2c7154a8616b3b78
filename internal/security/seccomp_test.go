package security

import (
	"encoding/binary"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
)

// vm runs a compiled filter in golang.org/x/net/bpf's interpreter, an
// implementation of classic BPF independent of ours.
type vm struct {
	t  *testing.T
	vm *bpf.VM
}

func newVM(t *testing.T, f *Filter) *vm {
	t.Helper()
	if len(f.Program) != 8*f.Len {
		t.Fatalf("program of %d bytes for %d instructions", len(f.Program), f.Len)
	}
	var insns []bpf.Instruction
	for i := 0; i < len(f.Program); i += 8 {
		b := f.Program[i:]
		insns = append(insns, bpf.RawInstruction{
			Op: binary.NativeEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.NativeEndian.Uint32(b[4:]),
		}.Disassemble())
	}
	v, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("the filter is not valid BPF: %v", err)
	}
	return &vm{t, v}
}

// run evaluates struct seccomp_data{nr, arch, ip, args}. The interpreter
// loads words big-endian, as from a packet; the kernel loads them in native
// order: so each word is written big-endian here, at its native place.
func (v *vm) run(a *arch, nr uint32, args [6]uint64) uint32 {
	buf := make([]byte, 64)
	binary.BigEndian.PutUint32(buf[0:], nr)
	binary.BigEndian.PutUint32(buf[4:], a.audit)
	for i, x := range args {
		lo, hi := 16+8*i, 20+8*i
		if a.bigEnd {
			lo, hi = hi, lo
		}
		binary.BigEndian.PutUint32(buf[lo:], uint32(x))
		binary.BigEndian.PutUint32(buf[hi:], uint32(x>>32))
	}
	out, err := v.vm.Run(buf)
	if err != nil {
		v.t.Fatal(err)
	}
	return uint32(out)
}

// reference says what a profile means for one call, straight from the
// rules documented on Compile, without BPF.
func reference(t *testing.T, p *specs.LinuxSeccomp, a *arch, nr uint32, args [6]uint64) uint32 {
	def, _ := actionRet(p.DefaultAction, p.DefaultErrnoRet)
	maxNr, found := uint32(0), false
	var uncond *uint32
	var firstCond *uint32
	for _, sc := range p.Syscalls {
		ret, err := actionRet(sc.Action, sc.ErrnoRet)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range sc.Names {
			n, ok := a.lookup(name)
			if !ok {
				continue
			}
			if n > maxNr || !found {
				maxNr, found = max(n, maxNr), true
			}
			if n != nr || ret == def {
				continue
			}
			if len(sc.Args) == 0 {
				r := ret
				uncond = &r
			} else if firstCond == nil && argsMatch(a, sc.Args, args) {
				r := ret
				firstCond = &r
			}
		}
	}
	switch {
	case uncond != nil:
		return *uncond
	case firstCond != nil:
		return *firstCond
	case found && nr > maxNr && def != retAllow && def != retLog:
		return retErrno | errnoENOSYS
	}
	return def
}

func argsMatch(a *arch, conds []specs.LinuxSeccompArg, args [6]uint64) bool {
	test := func(c specs.LinuxSeccompArg) bool {
		x, v := args[c.Index], c.Value
		if !a.is64 {
			x, v = uint64(uint32(x)), uint64(uint32(v))
		}
		switch c.Op {
		case specs.OpEqualTo:
			return x == v
		case specs.OpNotEqual:
			return x != v
		case specs.OpGreaterThan:
			return x > v
		case specs.OpGreaterEqual:
			return x >= v
		case specs.OpLessThan:
			return x < v
		case specs.OpLessEqual:
			return x <= v
		case specs.OpMaskedEqual:
			v2 := c.ValueTwo
			if !a.is64 {
				v2 = uint64(uint32(v2))
			}
			return x&v == v2
		}
		return false
	}
	if sameArgTwice(conds) { // ORed, as runc does
		for _, c := range conds {
			if test(c) {
				return true
			}
		}
		return false
	}
	for _, c := range conds {
		if !test(c) {
			return false
		}
	}
	return true
}

// interesting are argument values around each condition's constants.
func interesting(p *specs.LinuxSeccomp, rnd *rand.Rand) [][6]uint64 {
	vals := []uint64{0, 1, 0xffffffff, 1 << 32, ^uint64(0)}
	for _, sc := range p.Syscalls {
		for _, a := range sc.Args {
			vals = append(vals, a.Value, a.Value+1, a.Value-1, a.ValueTwo, a.Value|a.ValueTwo,
				a.Value^(1<<32), a.Value|1<<40)
		}
	}
	var out [][6]uint64
	for i := 0; i < 40; i++ {
		var args [6]uint64
		for j := range args {
			args[j] = vals[rnd.Intn(len(vals))]
		}
		out = append(out, args)
	}
	return out
}

// checkAgainstReference runs every syscall number a profile names, and a
// few it does not, through the filter and the reference, on each ABI.
func checkAgainstReference(t *testing.T, p *specs.LinuxSeccomp, goarch string) *Filter {
	t.Helper()
	f, err := Compile(p, goarch)
	if err != nil {
		t.Fatal(err)
	}
	v := newVM(t, f)
	rnd := rand.New(rand.NewSource(1))
	argsets := interesting(p, rnd)
	conditional := map[string]bool{}
	for _, sc := range p.Syscalls {
		for _, n := range sc.Names {
			conditional[n] = conditional[n] || len(sc.Args) > 0
		}
	}
	for _, a := range nativeArches(goarch) {
		listed := a == nativeArches(goarch)[0]
		for _, name := range p.Architectures {
			listed = listed || string(name) == "SCMP_ARCH_"+a.name
		}
		nrs := []uint32{a.nrFloor, a.nrFloor + 999, a.nrFloor + 0x3fffffff}
		hasArgs := map[uint32]bool{}
		a.each(func(name string, nr uint32) {
			nrs = append(nrs, nr)
			hasArgs[nr] = hasArgs[nr] || conditional[name]
		})
		for _, nr := range nrs {
			sets := argsets[:1] // arguments matter only where a rule tests them
			if hasArgs[nr] {
				sets = argsets
			}
			for _, args := range sets {
				want := reference(t, p, a, nr, args)
				if !listed {
					want = retKillProcess
				}
				if got := v.run(a, nr, args); got != want {
					t.Fatalf("%s syscall %#x args %x: filter returns %#x, the profile means %#x", a.name, nr, args, got, want)
				}
			}
		}
	}
	return f
}

func TestDefaultProfileMatchesReference(t *testing.T) {
	for _, caps := range []Caps{DockerDefaultCaps, AllCaps, 0} {
		p, err := LoadProfile(SeccompDefault, caps)
		if err != nil {
			t.Fatal(err)
		}
		f := checkAgainstReference(t, p, "amd64")
		t.Logf("caps %d: default profile, %d syscall rules: %d instructions", caps.Count(), len(p.Syscalls), f.Len)
		checkAgainstReference(t, p, "arm64")
	}
}

// What Docker's profile is known for, checked by name on x86_64.
func TestDefaultProfileDecisions(t *testing.T) {
	p, err := LoadProfile(SeccompDefault, DockerDefaultCaps)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(p, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	v := newVM(t, f)
	nr := func(a *arch, name string) uint32 {
		n, ok := a.lookup(name)
		if !ok {
			t.Fatalf("%s has no %s", a.name, name)
		}
		return n
	}
	const cloneNewUser = 0x10000000
	eperm, enosys := uint32(retErrno|errnoEPERM), uint32(retErrno|errnoENOSYS)
	for _, c := range []struct {
		a    *arch
		call string
		arg0 uint64
		want uint32
	}{
		{archX86_64, "read", 0, retAllow},
		{archX86_64, "keyctl", 0, eperm},
		{archX86_64, "unshare", cloneNewUser, eperm},
		{archX86_64, "mount", 0, eperm},
		{archX86_64, "kexec_load", 0, eperm},
		{archX86_64, "reboot", 0, eperm},
		{archX86_64, "init_module", 0, eperm},
		{archX86_64, "clock_settime", 0, eperm},
		{archX86_64, "ptrace", 0, retAllow}, // allowed on kernels >= 4.8; the capability is what stops it
		{archX86_64, "clone", 0x11, retAllow},
		{archX86_64, "clone", cloneNewUser | 0x11, eperm},
		{archX86_64, "clone3", 0, enosys},
		{archX86_64, "personality", 0xffffffff, retAllow},
		{archX86_64, "personality", 0x0400000, eperm},
		{archX86_64, "socket", 1 /* AF_UNIX */, retAllow},
		{archX86_64, "socket", 16 /* AF_NETLINK */, retAllow},
		{archX86_64, "arch_prctl", 0, retAllow},
		{archX86, "socketcall", 0, retAllow},
		{archX86, "keyctl", 0, eperm},
		{archX32, "read", 0, retAllow},
		{archX32, "rt_sigaction", 0, retAllow},
		{archX32, "keyctl", 0, eperm},
	} {
		if got := v.run(c.a, nr(c.a, c.call), [6]uint64{c.arg0}); got != c.want {
			t.Errorf("%s %s(%#x): %#x, want %#x", c.a.name, c.call, c.arg0, got, c.want)
		}
	}
	if got := v.run(archX86_64, 1000, [6]uint64{}); got != enosys {
		t.Errorf("syscall 1000, newer than the profile: %#x, want ENOSYS", got)
	}
	if got := v.run(archAArch64, 0, [6]uint64{}); got != retKillProcess {
		t.Errorf("a call of a foreign architecture: %#x, want kill", got)
	}
}

// More rules than a conditional jump can cross: the far jumps go through
// trampolines, and the result still means the profile.
func TestLongFilter(t *testing.T) {
	p := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86}}
	for i := 0; i < 200; i++ {
		p.Syscalls = append(p.Syscalls, specs.LinuxSyscall{
			Names:  []string{"ioctl"},
			Action: specs.ActAllow,
			Args: []specs.LinuxSeccompArg{
				{Index: 1, Value: uint64(0x5400 + i), Op: specs.OpEqualTo},
				{Index: 2, Value: uint64(i) << 33, Op: specs.OpGreaterEqual},
			},
		})
	}
	for _, op := range []specs.LinuxSeccompOperator{specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpGreaterThan, specs.OpMaskedEqual} {
		p.Syscalls = append(p.Syscalls, specs.LinuxSyscall{
			Names: []string{"write", "openat"}, Action: specs.ActTrace,
			Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1<<32 | 7, ValueTwo: 3, Op: op}},
		})
	}
	p.Syscalls = append(p.Syscalls, specs.LinuxSyscall{Names: []string{"read", "close"}, Action: specs.ActLog})
	f := checkAgainstReference(t, p, "amd64")
	if f.Len < 1000 {
		t.Errorf("only %d instructions: the test meant to need trampolines", f.Len)
	}
}

func TestProfileFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oci := write("oci.json", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
		"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
		{"names":["kill"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
		{"names":["getpid"],"action":"SCMP_ACT_TRAP"}]}`)
	p, err := LoadProfile(oci, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := checkAgainstReference(t, p, "amd64")
	v := newVM(t, f)
	if got := v.run(archX86_64, 83 /* mkdir */, [6]uint64{}); got != retErrno|13 {
		t.Errorf("mkdir: %#x, want EACCES", got)
	}
	if got := v.run(archX86_64, 62 /* kill */, [6]uint64{1, 9}); got != retKillProcess {
		t.Errorf("kill(1, 9): %#x, want kill process", got)
	}
	if got := v.run(archX86_64, 62, [6]uint64{1, 15}); got != retAllow {
		t.Errorf("kill(1, 15): %#x, want allow", got)
	}
	if got := v.run(archX86_64, 9999, [6]uint64{}); got != retAllow {
		t.Errorf("an unknown number under a default of allow: %#x, want allow", got)
	}

	docker := write("docker.json", `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],
		"syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
		{"names":["chroot"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_CHROOT"]}}]}`)
	for caps, want := range map[Caps]uint32{0: retErrno | errnoEPERM, DockerDefaultCaps: retAllow} {
		p, err := LoadProfile(docker, caps)
		if err != nil {
			t.Fatal(err)
		}
		v := newVM(t, checkAgainstReference(t, p, "amd64"))
		if got := v.run(archX86_64, 161 /* chroot */, [6]uint64{}); got != want {
			t.Errorf("chroot with caps %v: %#x, want %#x", caps, got, want)
		}
	}

	for _, c := range []struct{ body, want string }{
		{`not json`, "not a JSON profile: line 1, column 2"},
		{"{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [}", "line 3, column 16"},
		{`{"syscalls":[]}`, "no defaultAction"},
		{`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["reed"],"action":"SCMP_ACT_ALLOW"}]}`, `unknown syscall "reed"`},
		{`{"defaultAction":"SCMP_ACT_NOPE"}`, `unknown action "SCMP_ACT_NOPE"`},
		{`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}`, "errnoRet is only for"},
		{`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`, "argument index 6"},
		{`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}`, `unknown operator "SCMP_CMP_LIKE"`},
		{`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}`, "SCMP_ACT_NOTIFY is not supported"},
		{`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["read"],"action":"SCMP_ACT_LOG"}]}`, "two rules without conditions"},
		{`{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}`, "flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\" not supported"},
	} {
		path := write("bad.json", c.body)
		p, err := LoadProfile(path, 0)
		if err == nil {
			_, err = Compile(p, "amd64")
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("profile %s: error %v, want one saying %q", c.body, err, c.want)
		}
	}
	if _, err := LoadProfile(filepath.Join(dir, "missing.json"), 0); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing profile: %v", err)
	}
}

// A name of another architecture is skipped, not an error: Docker's own
// profile names ARM's syscalls for every architecture.
func TestForeignSyscallSkipped(t *testing.T) {
	p := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno, Syscalls: []specs.LinuxSyscall{
		{Names: []string{"set_tls", "read"}, Action: specs.ActAllow},
	}}
	checkAgainstReference(t, p, "amd64")
}
