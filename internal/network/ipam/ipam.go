package ipam

import (
	"errors"
	"fmt"
	"net/netip"
)

// ErrExhausted means every host address of the subnet is leased.
var ErrExhausted = errors.New("no free address left")

// Next returns the first host address of subnet after the address after,
// wrapping around, that is not taken: handing addresses out round-robin
// keeps a just-released address (still in peers' ARP caches) unused for as
// long as possible. The network address, the first address (the bridge's,
// the gateway) and the IPv4 broadcast address are never handed out.
func Next(subnet netip.Prefix, taken map[netip.Addr]bool, after netip.Addr) (netip.Addr, error) {
	subnet = subnet.Masked()
	first := subnet.Addr().Next().Next() // skip network and gateway
	last := lastHost(subnet)
	if !first.IsValid() || last.Less(first) {
		return netip.Addr{}, fmt.Errorf("subnet %s: %w", subnet, ErrExhausted)
	}
	start := first
	if after.IsValid() && subnet.Contains(after) && !after.Less(first) && after.Less(last) {
		start = after.Next()
	}
	// At most one pass over a /16's worth of hosts: beyond that a linear
	// scan is the wrong tool, and the flags refuse larger IPv4 subnets in
	// practice (a /8 still works, it just takes longer when nearly full).
	a := start
	for {
		if !taken[a] {
			return a, nil
		}
		a = a.Next()
		if last.Less(a) {
			a = first
		}
		if a == start {
			return netip.Addr{}, fmt.Errorf("subnet %s: %w", subnet, ErrExhausted)
		}
	}
}

// lastHost is the highest address a run may get: the broadcast address
// minus one for IPv4, the last address for IPv6.
func lastHost(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	if a.Is4() {
		a = a.Prev()
	}
	return a
}

// Offset is the position of a in subnet (0 for the network address); it maps
// a run's IPv4 address onto the same host part of the IPv6 subnet.
func Offset(subnet netip.Prefix, a netip.Addr) uint64 {
	x, y := subnet.Masked().Addr().AsSlice(), a.AsSlice()
	var off uint64
	for i := max(0, len(x)-8); i < len(x); i++ {
		off = off<<8 | uint64(y[i]-x[i])
	}
	return off
}

// AtOffset is the address off places into subnet (Offset's inverse).
func AtOffset(subnet netip.Prefix, off uint64) netip.Addr {
	b := subnet.Masked().Addr().AsSlice()
	for i := len(b) - 1; i >= 0 && off > 0; i-- {
		sum := uint64(b[i]) + off&0xff
		b[i] = byte(sum)
		off = off>>8 + sum>>8
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
