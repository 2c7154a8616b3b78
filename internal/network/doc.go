// Package network connects a run's network namespace to the host for
// --network bridge, and owns everything that takes on the host side:
//
//   - A Linux bridge (default nsexec0), made on first use with the first
//     address of the subnet (default 10.211.77.0/24, and the IPv6 ULA
//     fd6e:7365:7865:63::/64 when the host has IPv6) and kept for the next
//     runs. A subnet that overlaps a route of the host is refused.
//   - Per run, a veth pair made in one netlink call with its inside end
//     created directly in the run's namespace as eth0, and configured
//     through a netlink socket opened in that namespace
//     (netlink.NewHandleAt): addresses, up, default routes via the bridge.
//     All of it before the init gets its config, so CMD starts with the
//     network up.
//   - nftables rules in nsexec's own table "inet nsexec", never anywhere
//     else: masquerade of the subnet, and DNAT for --publish. Rules carry a
//     tag in their user data (br=BRIDGE, run=BRIDGE/ADDR) so that each is
//     removed alone.
//   - IPv4 forwarding, turned on when a bridge run needs it (and off again
//     by --network-cleanup, if nsexec turned it on).
//   - Addresses from package ipam, under a flock per bridge, with stale
//     leases of killed runs reclaimed (their port rules too).
//   - The bridge's shared /etc/hosts (every named run on it) and
//     /etc/resolv.conf (the host's, less loopback nameservers), which the
//     init binds over /etc in a private mount namespace (-m).
//
// Published ports and the host's 127.0.0.1. A port is published by DNAT in
// the prerouting hook (packets arriving at the host) and in the output hook
// (the host's own connections). A connection from 127.0.0.1 is DNATed to
// the run's address, and the kernel refuses to route a loopback source out
// of a non-loopback device unless that device has route_localnet=1: nsexec
// sets it on its bridge only (when a run publishes), masquerades 127.0.0.0/8
// leaving the bridge (the run could not answer 127.0.0.1), and drops in a
// raw prerouting chain what arrives from the bridge for 127.0.0.0/8, so runs
// cannot reach the host's loopback services through it (the hole of
// CVE-2020-8558). The alternative, a userspace proxy per port, would add a
// process per run. The host port is also bound (and, for TCP, listened on)
// for as long as it is published: that checks that it is free and keeps
// other programs and runs off it.
//
// Nothing here runs for a run without --network bridge: the parent is on
// the hot path of every run. Linking the package still costs each start
// the package initialisation of net, netlink and nftables (about 0.1 ms).
package network
