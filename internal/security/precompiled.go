package security

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Compiling Docker's default profile costs about 0.4 ms of a cold start
// (building the profile, resolving it, and the page faults of both), so the
// filters of the capability sets runs use most are compiled ahead, by
// `go test -run TestPrecompiled -update`, into zprecompiled.go;
// TestPrecompiled fails when they no longer match a fresh compile. The
// profile depends on the capabilities only through defaultProfileCaps, and
// on the kernel only through its minKernel conditions (defaultMinKernel).

// precompiledFilter is Docker's default profile compiled for one GOARCH
// and one bounding set (as far as the profile looks at it).
type precompiledFilter struct {
	goarch  string
	caps    Caps
	program string // struct sock_filter records, little-endian
}

// precompiledDefault returns the ahead-of-time filter for bounding, or nil.
func precompiledDefault(goarch string, bounding Caps) *Filter {
	key := bounding & defaultProfileCaps
	for i := range precompiled {
		p := &precompiled[i]
		if p.goarch == goarch && p.caps == key && kernelAtLeast(defaultMinKernel) {
			return &Filter{Program: []byte(p.program), Len: len(p.program) / 8}
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
	var major, minor int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(uts.Release[:]), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > v[0] || major == v[0] && minor >= v[1]
}
