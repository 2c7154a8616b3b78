// Package network connects a run's network namespace to the host: a Linux
// bridge with the run's gateway address, a veth pair whose inside end is the
// run's eth0, addresses and routes, all through netlink
// (github.com/vishvananda/netlink); outbound masquerade and published ports
// through nftables (github.com/google/nftables), in nsexec's own table
// "inet nsexec" so the host's rules are never touched; and the /etc/hosts
// and /etc/resolv.conf a run sees. Addresses come from the ipam package.
//
// Nothing here runs for a run without --network bridge: the parent is on
// the hot path of every run.
package network
