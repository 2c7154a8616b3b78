package initproc

import (
	"nsexec/internal/spec"
)

// The network feature's records, read by network.c: the bridge's shared
// /etc/hosts and /etc/resolv.conf (named by the host side once prepared),
// bound over the host's in a private mount namespace. With shared or
// unchanged propagation the bind would show up on the host, so it is
// skipped there; a run with its own root gets them from the mount plan.
func init() {
	addEncoder(func(s *spec.Spec, kv func(key, val string)) {
		n := s.Network
		if n.HostsFile == "" || !s.Has(spec.Mount) || s.Rootfs.Dir != "" {
			return
		}
		if s.Propagation != spec.PropPrivate && s.Propagation != spec.PropSlave {
			return
		}
		kv("net_hosts", n.HostsFile)
		kv("net_resolv", n.ResolvFile)
	})
}
