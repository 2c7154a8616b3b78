package initproc

import (
	"nsexec/internal/network"
	"nsexec/internal/spec"
)

// The network feature's records, read by network.c: the bridge's shared
// /etc/hosts and /etc/resolv.conf, bound over the host's in a private mount
// namespace. With shared or unchanged propagation the bind would show up
// on the host, so it is skipped there.
//
// TODO(lead, rootfs): a run with its own root filesystem must get these two
// files bound at /etc/hosts and /etc/resolv.conf inside the new root (read
// only, before pivot_root, source paths from network.Files(bridge)); this
// hook only covers runs on the host's filesystem.
func init() {
	addEncoder(func(s *spec.Spec, kv func(key, val string)) {
		if s.Network.Mode != spec.NetBridge || !s.Has(spec.Mount) {
			return
		}
		if s.Propagation != spec.PropPrivate && s.Propagation != spec.PropSlave {
			return
		}
		bridge := s.Network.Bridge
		if bridge == "" {
			bridge = spec.DefaultBridge
		}
		hosts, resolv := network.Files(bridge)
		kv("net_hosts", hosts)
		kv("net_resolv", resolv)
	})
}
