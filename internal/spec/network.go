package spec

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// NetworkMode is how a run is connected: "" and NetNone give a new network
// namespace with lo only when -n is given; NetBridge adds a veth on a bridge;
// NetHost keeps the host's network namespace.
type NetworkMode string

const (
	NetDefault NetworkMode = ""
	NetNone    NetworkMode = "none"
	NetHost    NetworkMode = "host"
	NetBridge  NetworkMode = "bridge"
)

// Defaults of --network bridge. The subnets are picked to be unlikely to
// collide with what hosts and clouds use (172.17/16 Docker, 10.88/16
// podman, 192.168.122/24 libvirt, 172.31/16 cloud VPCs); the IPv6 one is a
// ULA prefix spelling "nsexec" in hex.
const (
	DefaultBridge = "nsexec0"
)

var (
	DefaultSubnet  = netip.MustParsePrefix("10.211.77.0/24")
	DefaultSubnet6 = netip.MustParsePrefix("fd6e:7365:7865:63::/64")
)

// Network is how a new network namespace is connected.
type Network struct {
	Mode    NetworkMode
	Bridge  string       // bridge name; default DefaultBridge
	Subnet  netip.Prefix // IPv4 subnet; zero: the bridge's, or DefaultSubnet
	Subnet6 netip.Prefix // IPv6 subnet; zero: the bridge's, or DefaultSubnet6
	NoIPv6  bool         // --subnet6 none
	IP      netip.Addr   // fixed IPv4 address; zero: the next free one
	Publish []PortMap    // host ports forwarded to the run

	// Cleanup removes the bridge and its NAT rules instead of running a
	// command (--network-cleanup).
	Cleanup bool
}

// PortMap is one --publish: traffic to HostIP:HostPort (any local address
// when HostIP is zero) goes to the run's ContainerPort.
type PortMap struct {
	HostIP        netip.Addr
	HostPort      uint16
	ContainerPort uint16
	Proto         string // "tcp" or "udp"
}

func (p PortMap) String() string {
	host := strconv.Itoa(int(p.HostPort))
	if p.HostIP.IsValid() {
		host = p.HostIP.String() + ":" + host
	}
	return fmt.Sprintf("%s:%d/%s", host, p.ContainerPort, p.Proto)
}

// ParsePublish reads [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp].
func ParsePublish(s string) (PortMap, error) {
	bad := func(why string) (PortMap, error) {
		return PortMap{}, fmt.Errorf("%q: %s (want [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp])", s, why)
	}
	p := PortMap{Proto: "tcp"}
	rest, proto, ok := strings.Cut(s, "/")
	if ok {
		if proto != "tcp" && proto != "udp" {
			return bad(fmt.Sprintf("protocol %q is neither tcp nor udp", proto))
		}
		p.Proto = proto
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return bad("no container port")
	}
	host, cport := rest[:i], rest[i+1:]
	if j := strings.LastIndexByte(host, ':'); j >= 0 {
		ip, err := netip.ParseAddr(host[:j])
		if err != nil || !ip.Is4() {
			return bad(fmt.Sprintf("host address %q is not an IPv4 address", host[:j]))
		}
		p.HostIP, host = ip, host[j+1:]
	}
	var err error
	if p.HostPort, err = parsePort(host); err != nil {
		return bad("host port: " + err.Error())
	}
	if p.ContainerPort, err = parsePort(cport); err != nil {
		return bad("container port: " + err.Error())
	}
	return p, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return uint16(n), nil
}

// ValidIfName reports why name cannot name a network interface, or nil.
func ValidIfName(name string) error {
	switch {
	case name == "" || len(name) > 15:
		return fmt.Errorf("interface name %q: want 1 to 15 bytes", name)
	case name == "." || name == "..":
		return fmt.Errorf("interface name %q: not allowed", name)
	case strings.ContainsAny(name, "/: \t\n"):
		return fmt.Errorf("interface name %q: no '/', ':' or spaces allowed", name)
	}
	return nil
}

// checkNetwork: the network mode, and the bridge's options only with it.
func checkNetwork(s *Spec) error {
	n := &s.Network
	var errs []error
	switch n.Mode {
	case NetDefault, NetNone, NetBridge:
	case NetHost:
		if s.New[Net] {
			errs = append(errs, errorf(NewField(Net), "%s host keeps the host's network namespace: drop %s", Field("network.mode"), NewField(Net)))
		}
	default:
		return errorf("network.mode", "%s %q: want bridge, none or host", Field("network.mode"), n.Mode)
	}
	if n.Mode != NetBridge && !n.Cleanup {
		if n.IP.IsValid() || n.Subnet.IsValid() || n.Subnet6.IsValid() || len(n.Publish) > 0 || n.Bridge != "" {
			errs = append(errs, errorf("network.mode", "%s, %s, %s, %s and %s need %s bridge",
				Field("network.bridge"), Field("network.subnet"), Field("network.subnet6"), Field("network.ip"), Field("network.publish"), Field("network.mode")))
		}
	}
	if n.Bridge != "" {
		if err := ValidIfName(n.Bridge); err != nil {
			errs = append(errs, errorf("network.bridge", "%s: %v", Field("network.bridge"), err))
		}
	}
	if n.Subnet.IsValid() && (!n.Subnet.Addr().Is4() || n.Subnet.Bits() > 30 || n.Subnet.Bits() < 8) {
		errs = append(errs, errorf("network.subnet", "%s %s: want an IPv4 subnet from /8 to /30", Field("network.subnet"), n.Subnet))
	}
	if n.Subnet6.IsValid() && (n.Subnet6.Addr().Is4() || n.Subnet6.Bits() > 120 || n.Subnet6.Bits() < 48) {
		errs = append(errs, errorf("network.subnet6", "%s %s: want an IPv6 subnet from /48 to /120", Field("network.subnet6"), n.Subnet6))
	}
	if n.IP.IsValid() {
		if !n.IP.Is4() {
			errs = append(errs, errorf("network.ip", "%s %s: want an IPv4 address", Field("network.ip"), n.IP))
		} else if n.Subnet.IsValid() && !HostOf(n.Subnet, n.IP) {
			errs = append(errs, errorf("network.ip", "%s %s: outside the subnet %s, or its network, gateway or broadcast address", Field("network.ip"), n.IP, n.Subnet))
		}
	}
	seen := map[string]bool{}
	for i, p := range n.Publish {
		k := fmt.Sprintf("%d/%s", p.HostPort, p.Proto)
		if seen[k] {
			errs = append(errs, errorf(Field("network.publish").Index(i), "%s: host port %s given twice", Field("network.publish"), k))
		}
		seen[k] = true
	}
	return errors.Join(errs...)
}

// HostOf reports whether ip can be given to a run in subnet: inside it, and
// neither its network address, nor its first address (the bridge's, the
// gateway), nor its broadcast address.
func HostOf(subnet netip.Prefix, ip netip.Addr) bool {
	subnet = subnet.Masked()
	if !subnet.Contains(ip) || ip == subnet.Addr() || ip == subnet.Addr().Next() {
		return false
	}
	return !ip.Is4() || ip != LastAddr(subnet)
}

// LastAddr is the highest address in p (the broadcast address for IPv4).
func LastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
