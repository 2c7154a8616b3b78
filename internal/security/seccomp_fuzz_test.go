package security

import (
	"bytes"
	"encoding/json"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"

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
