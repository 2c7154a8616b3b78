package network

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Endpoint is what a run gets on the bridge: an address per family with
// the bridge's address of that family as gateway.
type Endpoint struct {
	Addrs []netip.Prefix // the run's addresses, with the subnet's length
	Gws   []netip.Addr   // default gateways, one per family
}

// AttachVeth creates the veth pair hostName <-> eth0 with eth0 made
// directly in the network namespace of pid (no rename, no name clash on the
// host) and hostName enslaved to the bridge, then configures eth0 through a
// netlink socket opened in that namespace: addresses, up, default routes.
func AttachVeth(bridgeIndex int, hostName string, pid int, ep Endpoint) error {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return fmt.Errorf("open network namespace of pid %d: %w", pid, err)
	}
	defer f.Close()
	attrs := netlink.NewLinkAttrs()
	attrs.Name = hostName
	attrs.MasterIndex = bridgeIndex
	attrs.Flags = net.FlagUp
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: "eth0", PeerNamespace: netlink.NsFd(f.Fd())}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", hostName, err)
	}
	h, err := netlink.NewHandleAt(netns.NsHandle(f.Fd()), unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink in the run's namespace: %w", err)
	}
	defer h.Close()
	eth0, err := h.LinkByName("eth0")
	if err != nil {
		return fmt.Errorf("find eth0 inside: %w", err)
	}
	for _, a := range ep.Addrs {
		addr := &netlink.Addr{IPNet: ipNet(a)}
		if a.Addr().Is6() {
			addr.Flags = unix.IFA_F_NODAD
		}
		if err := h.AddrAdd(eth0, addr); err != nil {
			return fmt.Errorf("add address %s to eth0: %w", a, err)
		}
	}
	if err := h.LinkSetUp(eth0); err != nil {
		return fmt.Errorf("set eth0 up: %w", err)
	}
	for _, gw := range ep.Gws {
		r := &netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: gw.AsSlice()}
		if err := h.RouteAdd(r); err != nil {
			return fmt.Errorf("add default route via %s: %w", gw, err)
		}
	}
	return nil
}
