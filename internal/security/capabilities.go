package security

import (
	"math/bits"
	"strings"

	"nsexec/internal/spec"
)

// Caps is a set of capabilities, bit N for capability number N.
type Caps uint64

// capNames are capabilities(7) in kernel order: the spec's list.
var capNames = spec.CapabilityNames

// AllCaps is every capability nsexec knows by name. Those the running
// kernel lacks are left out when the sets are applied.
const AllCaps = Caps(1)<<len(capNames) - 1

// DockerDefaultCaps is the bounding set Docker and containerd give a
// container, what a container run starts from: CHOWN, DAC_OVERRIDE, FOWNER,
// FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW,
// SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP. A constant, so that no start pays
// for building it (the test checks it against the names).
const DockerDefaultCaps Caps = 1<<0 | 1<<1 | 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 |
	1<<10 | 1<<13 | 1<<18 | 1<<27 | 1<<29 | 1<<31

// CapByName returns the number of a capability named as in capabilities(7),
// with or without CAP_, in any case.
func CapByName(name string) (int, error) { return spec.CapabilityByName(name) }

// Has reports whether c holds capability n.
func (c Caps) Has(n int) bool { return c&(1<<n) != 0 }

// Names lists the set as CAP_ names, in kernel order.
func (c Caps) Names() []string {
	var out []string
	for i := range capNames {
		if c.Has(i) {
			out = append(out, capNames[i])
		}
	}
	return out
}

// String is "CAP_CHOWN,CAP_KILL" or "none", for messages.
func (c Caps) String() string {
	if c == 0 {
		return "none"
	}
	return strings.Join(c.Names(), ",")
}

// Count is the number of capabilities in the set.
func (c Caps) Count() int { return bits.OnesCount64(uint64(c)) }

// ResolveCaps applies --cap-drop and --cap-add to base the way Docker
// does: "ALL" in drop empties the set and in add fills it, then single
// names are dropped, then single names added (an add wins over a drop).
// added is what --cap-add asked for (every capability with ALL): what a
// non-root CMD keeps (see Plan).
func ResolveCaps(base Caps, add, drop []string) (set, added Caps, err error) {
	set = base
	if containsAll(drop) {
		set = 0
	}
	if containsAll(add) {
		set = AllCaps
	}
	for _, n := range drop {
		if !strings.EqualFold(n, "ALL") {
			c, err := CapByName(n)
			if err != nil {
				return 0, 0, err
			}
			set &^= 1 << c
		}
	}
	for _, n := range add {
		if !strings.EqualFold(n, "ALL") {
			c, err := CapByName(n)
			if err != nil {
				return 0, 0, err
			}
			set |= 1 << c
			added |= 1 << c
		}
	}
	if containsAll(add) {
		added = AllCaps
	}
	return set, added, nil
}

func containsAll(names []string) bool {
	for _, n := range names {
		if strings.EqualFold(n, "ALL") {
			return true
		}
	}
	return false
}

// CapNames are the capabilities nsexec knows, in kernel order (for the
// init's table of names, initproc/zprotocol.h).
func CapNames() []string { return capNames[:] }
