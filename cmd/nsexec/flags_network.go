package main

import (
	"fmt"
	"net/netip"

	"github.com/spf13/pflag"

	"nsexec/internal/spec"
)

// networkFlags connect the new network namespace (issue 5).
type networkFlags struct {
	mode, bridge, subnet, subnet6, ip string
	publish                           []string
	cleanup                           bool
}

func (o *networkFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.mode, "network", "", "`MODE` bridge (a veth on a bridge, with NAT; implies -n), none (lo only, as -n), host (the host's)")
	f.StringVar(&o.bridge, "bridge", "", "bridge `NAME` for --network bridge, made if missing (default "+spec.DefaultBridge+")")
	f.StringVar(&o.subnet, "subnet", "", "IPv4 `CIDR` of a new bridge (default "+spec.DefaultSubnet.String()+")")
	f.StringVar(&o.subnet6, "subnet6", "", "IPv6 `CIDR` of a new bridge, or none (default "+spec.DefaultSubnet6.String()+")")
	f.StringVar(&o.ip, "ip", "", "fixed IPv4 `ADDR` on the bridge instead of the next free one")
	f.StringArrayVar(&o.publish, "publish", nil, "forward a host port: `PORTS` is [HOST_IP:]HOST_PORT:PORT[/tcp|udp] (repeatable)")
	f.BoolVar(&o.cleanup, "network-cleanup", false, "remove the bridge (--bridge) and its NAT rules, then exit")
}

func (o *networkFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	n := &s.Network
	n.Mode = spec.NetworkMode(o.mode)
	if n.Mode == spec.NetBridge || n.Mode == spec.NetNone {
		s.New[spec.Net] = true
	}
	n.Bridge = o.bridge
	n.Cleanup = o.cleanup
	var err error
	if o.subnet != "" {
		if n.Subnet, err = netip.ParsePrefix(o.subnet); err != nil {
			return fmt.Errorf("--subnet %q: not a CIDR such as 10.1.2.0/24", o.subnet)
		}
	}
	switch o.subnet6 {
	case "":
	case "none":
		n.NoIPv6 = true
	default:
		if n.Subnet6, err = netip.ParsePrefix(o.subnet6); err != nil {
			return fmt.Errorf("--subnet6 %q: not a CIDR such as fd00:1::/64, nor none", o.subnet6)
		}
	}
	if o.ip != "" {
		if n.IP, err = netip.ParseAddr(o.ip); err != nil {
			return fmt.Errorf("--ip %q: not an IP address", o.ip)
		}
	}
	for _, p := range o.publish {
		pm, err := spec.ParsePublish(p)
		if err != nil {
			return fmt.Errorf("--publish %w", err)
		}
		n.Publish = append(n.Publish, pm)
	}
	return nil
}
