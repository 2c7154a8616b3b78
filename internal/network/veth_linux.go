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
//
// It returns the namespace's inode number, by which NamespaceInUse finds it.
func AttachVeth(bridgeIndex int, hostName string, pid int, ep Endpoint) (ino uint64, err error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/ns/net")
	if err != nil {
		return 0, fmt.Errorf("open network namespace of pid %d: %w", pid, err)
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return 0, fmt.Errorf("stat network namespace of pid %d: %w", pid, err)
	}
	return st.Ino, configureVeth(f, bridgeIndex, hostName, ep)
}

func configureVeth(f *os.File, bridgeIndex int, hostName string, ep Endpoint) error {
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

// NamespaceInUse reports whether a process still has the network namespace
// of inode ino. Deleting a veth takes the kernel 15 to 50 ms (it waits for
// RCU grace periods), while a namespace that no process holds goes away by
// itself, its veth pair with it, at no cost to nsexec: so the host end is
// deleted only when something, such as a background process of CMD without
// a PID namespace, keeps the namespace alive.
func NamespaceInUse(ino uint64) bool {
	d, err := os.Open("/proc")
	if err != nil {
		return true
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return true
	}
	want := "net:[" + strconv.FormatUint(ino, 10) + "]"
	buf := make([]byte, 64)
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		k, err := unix.Readlink("/proc/"+n+"/ns/net", buf)
		if err == nil && string(buf[:k]) == want {
			return true
		}
	}
	return false
}
