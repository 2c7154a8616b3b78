package security

import "golang.org/x/sys/unix"

// Compiling Docker's default profile costs about 0.4 ms of a cold start
// (building the profile, resolving it, and the page faults of both), so the
// filters of the capability sets runs use most are compiled ahead, by
// `go test -run TestPrecompiled -update`, into zprecompiled.go and, for
// the init, into initproc/zprecompiled_seccomp.h: such a filter travels to
// the init as its index alone, and nothing is copied or encoded at run
// time. TestPrecompiled fails when they no longer match a fresh compile.
// The profile depends on the capabilities only through defaultProfileCaps,
// and on the kernel only through its minKernel conditions
// (defaultMinKernel).

// precompiledFilter is Docker's default profile compiled for one GOARCH
// and one bounding set (as far as the profile looks at it).
type precompiledFilter struct {
	goarch  string
	caps    Caps
	program string // struct sock_filter records, little-endian
}

// precompiledDefault returns the ahead-of-time filter for bounding, or nil.
// Its Builtin is its index among goarch's, as the init numbers them.
func precompiledDefault(goarch string, bounding Caps) *Filter {
	key := bounding & defaultProfileCaps
	n := 0
	for i := range precompiled {
		p := &precompiled[i]
		if p.goarch != goarch {
			continue
		}
		n++
		if p.caps == key && kernelAtLeast(defaultMinKernel) {
			return &Filter{Builtin: n, Len: len(p.program) / 8}
		}
	}
	return nil
}

// Program is the program of f, wherever it is kept: its own, or the
// precompiled one its Builtin names.
func Program(f *Filter, goarch string) []byte {
	if f.Builtin == 0 {
		return f.Program
	}
	n := 0
	for i := range precompiled {
		if precompiled[i].goarch == goarch {
			if n++; n == f.Builtin {
				return []byte(precompiled[i].program)
			}
		}
	}
	return nil
}

// kernelAtLeast reports whether the running kernel is at least v ("4.8").
func kernelAtLeast(v [2]int) bool {
	var uts unix.Utsname
	if unix.Uname(&uts) != nil {
		return false
	}
	// "6.18.44-fc": the first two numbers.
	var num [2]int
	i := 0
	for _, c := range uts.Release {
		switch {
		case c >= '0' && c <= '9':
			num[i] = num[i]*10 + int(c-'0')
		case c == '.' && i == 0:
			i = 1
		default:
			return num[0] > v[0] || num[0] == v[0] && num[1] >= v[1]
		}
	}
	return false
}
