package initproc

import (
	"fmt"
	"strconv"
	"strings"

	"nsexec/internal/spec"
)

// EnvJoin names, in the init's environment, what join.c does first thing,
// before it reads its config (see Early).
const EnvJoin = "_NSEXEC_JOIN"

// Early is what the init does before reading its config: join namespaces
// through descriptors the parent passes, then create the namespaces that
// must come after joining. FDs are the init's descriptor numbers; -1 is
// none.
type Early struct {
	NS []EarlyNS // joined, in order
	// Groups are set before joining (host IDs); only with SetGroups.
	Groups    []uint32
	SetGroups bool
	// Cgroups are the target's cgroup files, joined before its namespaces.
	Cgroups []int
	// Proc is nsexec's own procfs, for the init's writes about itself
	// once it is in another mount namespace; -1: none.
	Proc      int
	Root, Cwd int
	// Unshare are CLONE_NEW* flags created after joining.
	Unshare uintptr
	// TimeOffsets, when set, create a time namespace after joining:
	// monotonic and boottime seconds.
	TimeOffsets *[2]int64
	// Ready is written to once all that is done.
	Ready int
}

// EarlyNS is one namespace to join.
type EarlyNS struct {
	Kind spec.Namespace
	FD   int
}

// Env encodes e as join.c reads it: space-separated key=value words.
func (e Early) Env() string {
	var w []string
	if e.SetGroups {
		g := make([]string, len(e.Groups))
		for i, id := range e.Groups {
			g[i] = strconv.FormatUint(uint64(id), 10)
		}
		w = append(w, "groups="+strings.Join(g, ","))
	}
	if len(e.Cgroups) > 0 {
		c := make([]string, len(e.Cgroups))
		for i, fd := range e.Cgroups {
			c[i] = strconv.Itoa(fd)
		}
		w = append(w, "cgroup="+strings.Join(c, ","))
	}
	if e.Proc >= 0 {
		w = append(w, fmt.Sprintf("proc=%d", e.Proc))
	}
	for _, ns := range e.NS {
		w = append(w, fmt.Sprintf("ns=%s:%d", ns.Kind, ns.FD))
	}
	if e.Root >= 0 {
		w = append(w, fmt.Sprintf("root=%d", e.Root))
	}
	if e.Cwd >= 0 {
		w = append(w, fmt.Sprintf("cwd=%d", e.Cwd))
	}
	if e.Unshare != 0 {
		w = append(w, fmt.Sprintf("unshare=%d", e.Unshare))
	}
	if e.TimeOffsets != nil {
		w = append(w, fmt.Sprintf("timens=%d:%d", e.TimeOffsets[0], e.TimeOffsets[1]))
	}
	if e.Ready >= 0 {
		w = append(w, fmt.Sprintf("ready=%d", e.Ready))
	}
	return EnvJoin + "=" + strings.Join(w, " ")
}

// joinRecords tell the init what CMD of a --join TARGET run takes over from
// the target: its environment, IDs, capabilities and no_new_privs.
func joinRecords(s *spec.Spec, kv func(key, val string)) {
	if s.Join.Plan == nil || s.Join.Plan.Identity == nil {
		return
	}
	id := s.Join.Plan.Identity
	kv("jident", "1")
	for _, e := range id.Env {
		kv("jenv", e)
	}
	// --uid and --gid (process.c, after join.c) choose the user instead, as
	// docker exec -u does: then CMD keeps nsexec's capabilities for them,
	// within the target's bounding set.
	if s.Process.GID == nil {
		kv("jgid", strconv.FormatUint(uint64(id.GID), 10))
	}
	if s.Process.UID == nil {
		kv("juid", strconv.FormatUint(uint64(id.UID), 10))
		kv("jcaps", fmt.Sprintf("%x:%x:%x", id.CapInh, id.CapPrm, id.CapEff))
	}
	kv("jbnd", strconv.FormatUint(id.CapBnd, 16))
	if id.NoNewPrivs {
		kv("jnnp", "1")
	}
}

func init() { addEncoder(joinRecords) }

// early reports whether join.c creates the namespace kind (before the
// config), so the config must not ask for it again.
func early(s *spec.Spec, kind spec.Namespace) bool {
	for _, ns := range s.EarlyNew() {
		if ns == kind {
			return true
		}
	}
	return false
}
