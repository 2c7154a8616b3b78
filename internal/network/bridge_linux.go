package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"nsexec/internal/spec"
)

// Bridge is the bridge runs are attached to, as found or created.
type Bridge struct {
	Name    string
	Index   int
	Subnet  netip.Prefix // IPv4; the bridge has its first host address
	Subnet6 netip.Prefix // IPv6, zero when the bridge has none
	Created bool         // this call created it (so a failed run removes it)
}

// Gateway is the bridge's own address in subnet: the first host address.
func Gateway(subnet netip.Prefix) netip.Addr { return subnet.Masked().Addr().Next() }

// EnsureBridge finds the bridge called name, or creates it with the first
// address of subnet (and of subnet6 when valid) and brings it up. An
// existing bridge keeps its subnet: want must then be zero or the same.
// The caller holds the bridge's IPAM lock, so runs never race to create it.
func EnsureBridge(name string, subnet, subnet6 netip.Prefix) (*Bridge, error) {
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return createBridge(name, subnet, subnet6)
	}
	if err != nil {
		return nil, fmt.Errorf("bridge %s: %w", name, err)
	}
	if link.Type() != "bridge" {
		return nil, notBridge(link)
	}
	br := &Bridge{Name: name, Index: link.Attrs().Index}
	if br.Subnet, err = bridgeSubnet(link, netlink.FAMILY_V4); err != nil {
		return nil, err
	}
	switch {
	case !br.Subnet.IsValid():
		// A bridge made by hand without an address: give it ours.
		br.Subnet = orDefault(subnet, spec.DefaultSubnet)
		if err := addGateway(link, br.Subnet); err != nil {
			return nil, err
		}
	case subnet.IsValid() && subnet.Masked() != br.Subnet:
		return nil, fmt.Errorf("bridge %s has the subnet %s, not %s; drop --subnet, or remove the bridge with --network-cleanup first", name, br.Subnet, subnet)
	}
	if subnet6.IsValid() {
		if br.Subnet6, err = bridgeSubnet(link, netlink.FAMILY_V6); err != nil {
			return nil, err
		}
		if !br.Subnet6.IsValid() && addGateway(link, subnet6) == nil {
			br.Subnet6 = subnet6.Masked()
		}
	}
	if link.Attrs().Flags&net.FlagUp == 0 {
		if err := netlink.LinkSetUp(link); err != nil {
			return nil, fmt.Errorf("bridge %s: set up: %w", name, err)
		}
	}
	return br, nil
}

func orDefault(p, def netip.Prefix) netip.Prefix {
	if p.IsValid() {
		return p.Masked()
	}
	return def
}

func createBridge(name string, subnet, subnet6 netip.Prefix) (*Bridge, error) {
	subnet = orDefault(subnet, spec.DefaultSubnet)
	if err := checkOverlap(subnet); err != nil {
		return nil, err
	}
	if subnet6.IsValid() && checkOverlap(subnet6) != nil {
		subnet6 = netip.Prefix{} // IPv6 is a bonus: skip it rather than fail
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = name
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: attrs}); err != nil {
		return nil, fmt.Errorf("create bridge %s: %w", name, err)
	}
	link, err := netlink.LinkByName(name)
	if err == nil {
		err = addGateway(link, subnet)
	}
	if err == nil && subnet6.IsValid() && addGateway(link, subnet6) != nil {
		subnet6 = netip.Prefix{} // IPv6 disabled on this host
	}
	if err == nil {
		err = netlink.LinkSetUp(link)
	}
	if err != nil {
		DeleteLink(name)
		return nil, fmt.Errorf("create bridge %s: %w", name, err)
	}
	return &Bridge{Name: name, Index: link.Attrs().Index, Subnet: subnet, Subnet6: subnet6.Masked(), Created: true}, nil
}

// addGateway gives the bridge the first host address of subnet. IPv6
// addresses skip duplicate address detection: the subnet is ours, and DAD
// would leave the address unusable for a second or more.
func addGateway(link netlink.Link, subnet netip.Prefix) error {
	gw := Gateway(subnet)
	a := &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(gw, subnet.Bits()))}
	if gw.Is6() {
		a.Flags = unix.IFA_F_NODAD
	}
	if err := netlink.AddrAdd(link, a); err != nil {
		return fmt.Errorf("bridge %s: add address %s/%d: %w", link.Attrs().Name, gw, subnet.Bits(), err)
	}
	return nil
}

// bridgeSubnet is the subnet of the bridge's first global address of a
// family, or zero.
func bridgeSubnet(link netlink.Link, family int) (netip.Prefix, error) {
	addrs, err := netlink.AddrList(link, family)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bridge %s: list addresses: %w", link.Attrs().Name, err)
	}
	for _, a := range addrs {
		if p, ok := prefixOf(a.IPNet); ok && p.Addr().IsGlobalUnicast() {
			return p.Masked(), nil
		}
	}
	return netip.Prefix{}, nil
}

// checkOverlap refuses a subnet that overlaps a route of the host's main
// table (other than a default route): the runs' addresses would shadow, or
// be shadowed by, a network the host already reaches.
func checkOverlap(subnet netip.Prefix) error {
	family := netlink.FAMILY_V4
	if subnet.Addr().Is6() {
		family = netlink.FAMILY_V6
	}
	routes, err := netlink.RouteList(nil, family)
	if err != nil {
		return fmt.Errorf("list routes: %w", err)
	}
	for _, r := range routes {
		dst, ok := prefixOf(r.Dst)
		if !ok || dst.Bits() == 0 || !dst.Addr().IsGlobalUnicast() && !dst.Addr().IsPrivate() {
			continue
		}
		if dst.Overlaps(subnet) {
			dev := ""
			if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
				dev = " dev " + l.Attrs().Name
			}
			return fmt.Errorf("subnet %s overlaps the host's route to %s%s; choose another with --subnet", subnet, dst, dev)
		}
	}
	return nil
}

// DeleteLink removes a link by name; a missing link is no error.
func DeleteLink(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return nil
	}
	if err := netlink.LinkDel(link); err != nil {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// LinkExists reports whether a link of that name is in the host's namespace.
func LinkExists(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}

func prefixOf(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones), true
}

func notBridge(link netlink.Link) error {
	return fmt.Errorf("bridge %s: a %s link of that name exists and is not a bridge; choose another name with --bridge", link.Attrs().Name, link.Type())
}

// isBridge refuses a link of that name that is not a bridge.
func isBridge(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return fmt.Errorf("bridge %s: %w", name, err)
	}
	if link.Type() != "bridge" {
		return notBridge(link)
	}
	return nil
}
