package network

import (
	"net/netip"

	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Expression builders for the few matches nsexec's rules use. In an inet
// table a rule must first say which network protocol it matches before it
// reads the network header.

func matchNFProto(proto byte) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
	}
}

// matchSrc is "ip saddr P" (or ip6).
func matchSrc(p netip.Prefix) []expr.Any { return matchAddr(p, false) }

// matchDst is "ip daddr P" (or ip6).
func matchDst(p netip.Prefix) []expr.Any { return matchAddr(p, true) }

func matchAddr(p netip.Prefix, dst bool) []expr.Any {
	p = p.Masked()
	proto, off, n := byte(unix.NFPROTO_IPV4), uint32(12), uint32(4)
	if p.Addr().Is6() {
		proto, off, n = unix.NFPROTO_IPV6, 8, 16
	}
	if dst {
		off += n
	}
	mask := make([]byte, n)
	for i := 0; i < p.Bits(); i++ {
		mask[i/8] |= 0x80 >> (i % 8)
	}
	ex := append(matchNFProto(proto),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: n})
	if p.Bits() < int(n)*8 {
		ex = append(ex, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: n, Mask: mask, Xor: make([]byte, n)})
	}
	return append(ex, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: p.Addr().AsSlice()})
}

// matchIfName is "iifname/oifname [!=] NAME".
func matchIfName(key expr.MetaKey, name string, equal bool) []expr.Any {
	op := expr.CmpOpEq
	if !equal {
		op = expr.CmpOpNeq
	}
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return []expr.Any{
		&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: op, Register: 1, Data: b},
	}
}

// matchDNATed is "ct status dnat".
func matchDNATed() []expr.Any {
	bit := binaryutil.NativeEndian.PutUint32(0x20) // IPS_DST_NAT
	return []expr.Any{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATUS},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: bit, Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
	}
}
