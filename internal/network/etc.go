package network

import (
	"bufio"
	"fmt"
	"net/netip"
	"strings"

	"nsexec/internal/network/ipam"
)

// HostsFile renders the /etc/hosts that runs on a bridge share: localhost,
// then every run that has a name, by its IPv4 and (when the bridge has one)
// IPv6 address. nsexec rewrites it in place whenever a lease comes or goes,
// so a run bind-mounting it sees runs started after it.
func HostsFile(bridge string, leases []ipam.Lease, subnet, subnet6 netip.Prefix) string {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	fmt.Fprintf(&b, "# runs on bridge %s, kept by nsexec\n", bridge)
	fmt.Fprintf(&b, "%s\t%s\n", Gateway(subnet), "host.nsexec.internal")
	for _, l := range leases {
		if len(l.Names) == 0 {
			continue
		}
		names := strings.Join(l.Names, " ")
		fmt.Fprintf(&b, "%s\t%s\n", l.Addr, names)
		if subnet6.IsValid() {
			fmt.Fprintf(&b, "%s\t%s\n", ipam.AtOffset(subnet6, ipam.Offset(subnet, l.Addr)), names)
		}
	}
	return b.String()
}

// ResolvConf renders the /etc/resolv.conf of a run from the host's. A
// nameserver on the host's loopback (systemd-resolved's 127.0.0.53, a
// local dnsmasq) cannot be reached from the run's network namespace, so
// those are dropped; when that leaves none, the nameservers of upstream
// (systemd-resolved's own list of real servers, if given) stand in.
func ResolvConf(host, upstream string) string {
	var b strings.Builder
	servers := 0
	scan := func(text string, other bool) {
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			f := strings.Fields(line)
			if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
				continue
			}
			if f[0] == "nameserver" {
				a, err := netip.ParseAddr(f[len(f)-1])
				if err != nil || a.IsLoopback() {
					continue
				}
				servers++
			} else if other {
				continue // search and options come from the host's file only
			}
			b.WriteString(line + "\n")
		}
	}
	scan(host, false)
	if servers == 0 && upstream != "" {
		scan(upstream, true)
	}
	if servers == 0 {
		b.WriteString("# nsexec: the host has no nameserver a run can reach\n")
	}
	return b.String()
}
