package initproc

import (
	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// The network feature's records, read by network.c: the bridge's shared
// /etc/hosts and /etc/resolv.conf (named by the host side once prepared),
// bound over the host's in a private mount namespace. With shared or
// unchanged propagation the bind would show up on the host, so it is
// skipped there; a run with its own root gets them from the mount plan.
func encodeNetwork(s *plan.Plan, e *Encoder) {
	if s.HostsFile == "" || !s.Has(spec.Mount) || s.Rootfs.Dir != "" {
		return
	}
	if s.Propagation != spec.PropPrivate && s.Propagation != spec.PropSlave {
		return
	}
	e.Str(kNetHosts, s.HostsFile)
	e.Str(kNetResolv, s.ResolvFile)
}
