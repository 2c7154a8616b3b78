package security

import (
	"bytes"
	"encoding/json"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"nsexec/internal/testutil/errform"
)

// FuzzParseProfile feeds --seccomp FILE's loader and the compiler arbitrary
// files. A profile that loads must re-load the same from its own JSON, and
// compile (when it does) to a filter that decides as the reference does.
func FuzzParseProfile(f *testing.F) {
	docker, err := json.Marshal(mobyseccomp.DefaultProfile())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(docker, uint64(DockerDefaultCaps))
	for _, s := range []string{
		`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
		"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
		{"names":["kill"],"action":"SCMP_ACT_KILL_PROCESS","args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
		{"names":["getpid"],"action":"SCMP_ACT_TRAP"}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],
		"syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
		{"names":["chroot"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_CHROOT"]}}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"flags":["SECCOMP_FILTER_FLAG_LOG"],
		"syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[
		{"index":0,"value":0,"op":"SCMP_CMP_EQ"},{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
		{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]},
		{"names":["mmap"],"action":"SCMP_ACT_LOG","args":[{"index":2,"value":4294967296,"op":"SCMP_CMP_GE"}]},
		{"name":"uname","action":"SCMP_ACT_TRACE","errnoRet":1,"excludes":{"arches":["arm64"],"minKernel":"4.8"}}]}`,
		`not json`,
		"{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [}",
		`{"syscalls":[]}`,
		`{"defaultAction":""}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["reed"],"action":"SCMP_ACT_ALLOW"}]}`,
		`{"defaultAction":"SCMP_ACT_NOPE"}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":1}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_LIKE"}]}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["read"],"action":"SCMP_ACT_LOG"}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[]}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/x.sock"}`,
		`{"defaultAction":5}`,
		`[]`,
	} {
		f.Add([]byte(s), uint64(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, caps uint64) {
		bounding := Caps(caps) & AllCaps
		p, err := parseProfile("fuzz.json", body, bounding)
		if err != nil {
			if e := errform.Check(err); e != nil {
				t.Fatal(e)
			}
			return
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("profile loaded from %q does not marshal: %v", body, err)
		}
		p2, err := parseProfile("again.json", again, bounding)
		if err != nil {
			t.Fatalf("profile loaded from %q, written as %s, does not load again: %v", body, again, err)
		}
		if twice, _ := json.Marshal(p2); !bytes.Equal(twice, again) {
			t.Fatalf("profile loaded from %q, written as %s, loads again as %s", body, again, twice)
		}
		flt, err := Compile(p, "amd64")
		if err != nil {
			if e := errform.Check(err); e != nil {
				t.Fatal(e)
			}
			return
		}
		if flt2, err := Compile(p2, "amd64"); err != nil || !bytes.Equal(flt2.Program, flt.Program) {
			t.Fatalf("profile %s compiles differently once reloaded: %v", again, err)
		}
		checkAgainstReference(t, p, "amd64")
	})
}

// FuzzCompile builds profiles from bytes, so that most inputs are profiles
// (FuzzParseProfile mostly meets JSON errors), and checks that every one the
// compiler takes decides as the reference does, on amd64 (with x32 and x86
// when the profile lists them) and arm64.
func FuzzCompile(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 0x12, 0x34, 2, 0x80, 3, 0, 0x00, 0x10, 4, 0x91, 1, 2})
	f.Add([]byte{3, 0, 7, 0, 0xa6, 2, 5, 0, 7, 0, 0xa0, 4, 5, 0x01, 0x22, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		p := profileFromBytes(data)
		for _, goarch := range []string{"amd64", "arm64"} {
			if _, err := Compile(p, goarch); err != nil {
				if e := errform.Check(err); e != nil {
					t.Fatal(e)
				}
				return
			}
			checkAgainstReference(t, p, goarch)
		}
	})
}

var fuzzActions = []specs.LinuxSeccompAction{
	specs.ActAllow, specs.ActErrno, specs.ActLog, specs.ActTrap, specs.ActKillProcess, specs.ActKillThread, specs.ActTrace,
}

var fuzzOps = []specs.LinuxSeccompOperator{
	specs.OpEqualTo, specs.OpNotEqual, specs.OpGreaterThan, specs.OpGreaterEqual,
	specs.OpLessThan, specs.OpLessEqual, specs.OpMaskedEqual,
}

var fuzzValues = []uint64{0, 1, 2, 9, 0xffff, 0x7fffffff, 0xffffffff, 1 << 32, 1<<32 | 1, 0xffffffff00000000, ^uint64(0)}

// profileFromBytes: data[0] is the default action (its bit 3 adds x86 and
// x32); then each rule takes 6 bytes: syscall (2), action, errno, argument
// (bit 7: one, bits 0-2 its index, bit 6: a second on the same index, which
// the compiler ORs), and the values.
func profileFromBytes(data []byte) *specs.LinuxSeccomp {
	action := func(b, errno byte) (specs.LinuxSeccompAction, *uint) {
		a := fuzzActions[int(b)%len(fuzzActions)]
		if a == specs.ActErrno || a == specs.ActTrace {
			e := uint(errno)
			return a, &e
		}
		return a, nil
	}
	p := &specs.LinuxSeccomp{}
	p.DefaultAction, p.DefaultErrnoRet = action(data[0], 1)
	if data[0]&8 != 0 {
		p.Architectures = []specs.Arch{specs.ArchX86, specs.ArchX32}
	}
	for r := data[1:]; len(r) >= 6 && len(p.Syscalls) < 16; r = r[6:] { // more only slows the check
		name := knownSyscalls[(int(r[0])<<8|int(r[1]))%len(knownSyscalls)]
		sc := specs.LinuxSyscall{Names: []string{name}}
		sc.Action, sc.ErrnoRet = action(r[2], r[3])
		if r[4]&0x80 != 0 {
			arg := specs.LinuxSeccompArg{
				Index: uint(r[4]&7) % 6, Op: fuzzOps[int(r[5]>>4)%len(fuzzOps)],
				Value: fuzzValues[int(r[5]&15)%len(fuzzValues)], ValueTwo: fuzzValues[int(r[4]>>3&7)%len(fuzzValues)],
			}
			sc.Args = append(sc.Args, arg)
			if r[4]&0x40 != 0 {
				arg.Value = fuzzValues[(int(r[5]&15)+1)%len(fuzzValues)]
				sc.Args = append(sc.Args, arg)
			}
		}
		p.Syscalls = append(p.Syscalls, sc)
	}
	return p
}
