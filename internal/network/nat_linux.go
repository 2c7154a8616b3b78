package network

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"nsexec/internal/spec"
)

// TableName is nsexec's own nftables table (family inet, for IPv4 and IPv6
// at once). Every rule in it carries a tag in its user data naming what it
// belongs to: "br=NAME" for a bridge's rules, "run=NAME/ADDR" for the ports
// one run publishes, so each is found and removed without touching others.
const TableName = "nsexec"

var (
	natTable = &nftables.Table{Name: TableName, Family: nftables.TableFamilyINet}
	acceptP  = nftables.ChainPolicyAccept
	// Base chains: destination NAT for published ports, for packets that
	// arrive and for those the host itself sends; source NAT on the way out;
	// and a raw prerouting filter for the one drop rule (see bridgeRules).
	chPre  = &nftables.Chain{Name: "nat-prerouting", Table: natTable, Type: nftables.ChainTypeNAT, Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest}
	chOut  = &nftables.Chain{Name: "nat-output", Table: natTable, Type: nftables.ChainTypeNAT, Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityNATDest}
	chPost = &nftables.Chain{Name: "nat-postrouting", Table: natTable, Type: nftables.ChainTypeNAT, Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource}
	chRaw  = &nftables.Chain{Name: "raw-prerouting", Table: natTable, Type: nftables.ChainTypeFilter, Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityRaw, Policy: &acceptP}
	chains = []*nftables.Chain{chPre, chOut, chPost, chRaw}
)

func bridgeTag(bridge string) []byte { return []byte("br=" + bridge) }

func runTag(bridge string, addr netip.Addr) []byte {
	return []byte("run=" + bridge + "/" + addr.String())
}

// nft opens a connection to nftables in the current network namespace.
func nft() (*nftables.Conn, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	return c, nil
}

// EnsureNAT makes sure nsexec's table, its chains and the rules of bridge
// exist: masquerade of the subnets on their way out of any other interface,
// masquerade of published-port traffic from the host's 127.0.0.0/8 and from
// runs on the bridge itself (hairpin), and the drop of packets from the
// bridge to 127.0.0.0/8 (see RouteLocalnet). It adds only what is missing,
// so it costs one netlink dump when all is in place.
func EnsureNAT(bridge string, subnet, subnet6 netip.Prefix) error {
	c, err := nft()
	if err != nil {
		return err
	}
	// Listing a missing table gives no rules (and no error).
	rules, err := c.GetRules(natTable, chPost)
	if err == nil && hasTag(rules, bridgeTag(bridge)) {
		return nil
	}
	// Adding the table and chains again is harmless: without NLM_F_EXCL
	// an existing one is kept as it is.
	c.AddTable(natTable)
	for _, ch := range chains {
		c.AddChain(ch)
	}
	for _, r := range bridgeRules(bridge, subnet, subnet6) {
		c.AddRule(r)
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: add masquerade for %s on %s: %w", subnet, bridge, err)
	}
	return nil
}

func hasTag(rules []*nftables.Rule, tag []byte) bool {
	for _, r := range rules {
		if string(r.UserData) == string(tag) {
			return true
		}
	}
	return false
}

func bridgeRules(bridge string, subnet, subnet6 netip.Prefix) []*nftables.Rule {
	tag := bridgeTag(bridge)
	loop := netip.MustParsePrefix("127.0.0.0/8")
	rule := func(ch *nftables.Chain, ex ...[]expr.Any) *nftables.Rule {
		var all []expr.Any
		for _, e := range ex {
			all = append(all, e...)
		}
		return &nftables.Rule{Table: natTable, Chain: ch, Exprs: all, UserData: tag}
	}
	masq := []expr.Any{&expr.Masq{}}
	rs := []*nftables.Rule{
		// ip saddr SUBNET oifname != BRIDGE masquerade
		rule(chPost, matchSrc(subnet), matchIfName(unix.NFT_META_OIFNAME, bridge, false), masq),
		// oifname BRIDGE ip saddr 127.0.0.0/8 masquerade: the host's own
		// 127.0.0.1 reaching a published port; the run cannot answer to
		// 127.0.0.1, so it sees the bridge's address instead.
		rule(chPost, matchIfName(unix.NFT_META_OIFNAME, bridge, true), matchSrc(loop), masq),
		// oifname BRIDGE ip saddr SUBNET ct status dnat masquerade: a run
		// reaching another run through a published port (hairpin).
		rule(chPost, matchIfName(unix.NFT_META_OIFNAME, bridge, true), matchSrc(subnet), matchDNATed(), masq),
		// iifname BRIDGE ip daddr 127.0.0.0/8 drop: with route_localnet
		// on, the kernel would otherwise route such packets from a run to
		// the host's loopback services (CVE-2020-8558).
		rule(chRaw, matchIfName(unix.NFT_META_IIFNAME, bridge, true), matchDst(loop),
			[]expr.Any{&expr.Verdict{Kind: expr.VerdictDrop}}),
	}
	if subnet6.IsValid() {
		rs = append(rs, rule(chPost, matchSrc(subnet6), matchIfName(unix.NFT_META_OIFNAME, bridge, false), masq))
	}
	return rs
}

// AddPublish adds the DNAT rules of one run's published ports, for packets
// arriving at the host and for those the host sends itself.
func AddPublish(bridge string, addr netip.Addr, ports []spec.PortMap) error {
	c, err := nft()
	if err != nil {
		return err
	}
	for _, p := range ports {
		for _, ch := range []*nftables.Chain{chPre, chOut} {
			c.AddRule(&nftables.Rule{Table: natTable, Chain: ch, Exprs: dnatExprs(p, addr), UserData: runTag(bridge, addr)})
		}
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: publish ports: %w", err)
	}
	return nil
}

// dnatExprs is "[ip daddr HOST_IP | fib daddr type local] meta l4proto P
// th dport HOST_PORT dnat ip to ADDR:CONTAINER_PORT".
func dnatExprs(p spec.PortMap, addr netip.Addr) []expr.Any {
	var ex []expr.Any
	if p.HostIP.IsValid() {
		ex = append(ex, matchDst(netip.PrefixFrom(p.HostIP, 32))...)
	} else {
		ex = append(ex, matchNFProto(unix.NFPROTO_IPV4)...)
		ex = append(ex,
			&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)})
	}
	proto := byte(unix.IPPROTO_TCP)
	if p.Proto == "udp" {
		proto = unix.IPPROTO_UDP
	}
	a4 := addr.As4()
	return append(ex,
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(p.HostPort)},
		&expr.Immediate{Register: 1, Data: a4[:]},
		&expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(p.ContainerPort)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 2, Specified: true},
	)
}

// DeleteRun removes the rules one run added (its published ports).
func DeleteRun(bridge string, addr netip.Addr) error {
	return deleteTagged(func(tag string) bool { return tag == string(runTag(bridge, addr)) })
}

// DeleteBridge removes every rule of bridge and of the runs on it, and the
// table itself once no rule is left in it.
func DeleteBridgeRules(bridge string) error {
	return deleteTagged(func(tag string) bool {
		return tag == string(bridgeTag(bridge)) || strings.HasPrefix(tag, "run="+bridge+"/")
	})
}

// DeleteBridgeNAT removes the masquerade rules of bridge (not its runs'):
// a bridge made anew may have another subnet than the one they name.
func DeleteBridgeNAT(bridge string) error {
	return deleteTagged(func(tag string) bool { return tag == string(bridgeTag(bridge)) })
}

func deleteTagged(match func(tag string) bool) error {
	c, err := nft()
	if err != nil {
		return err
	}
	left, dels := 0, 0
	for _, ch := range chains {
		rules, err := c.GetRules(natTable, ch)
		if notExist(err) {
			continue // no table or chain: nothing to delete
		}
		if err != nil {
			return fmt.Errorf("nftables: list %s: %w", ch.Name, err)
		}
		for _, r := range rules {
			if match(string(r.UserData)) {
				if err := c.DelRule(r); err != nil {
					return fmt.Errorf("nftables: delete rule: %w", err)
				}
				dels++
			} else {
				left++
			}
		}
	}
	if dels == 0 {
		return nil
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("nftables: delete rules: %w", err)
	}
	return nil
}

// DeleteTableIfEmpty removes nsexec's table when no rule is left in it.
func DeleteTableIfEmpty() error {
	c, err := nft()
	if err != nil {
		return err
	}
	for _, ch := range chains {
		rules, err := c.GetRules(natTable, ch)
		if notExist(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("nftables: list %s: %w", ch.Name, err)
		}
		if len(rules) > 0 {
			return nil
		}
	}
	c.DelTable(natTable)
	if err := c.Flush(); err != nil && !notExist(err) {
		return fmt.Errorf("nftables: delete table %s: %w", TableName, err)
	}
	return nil
}

// notExist reports a missing table or chain. The library flattens the
// kernel's ENOENT into its message on listing, hence the text match.
func notExist(err error) bool {
	return err != nil && (errors.Is(err, unix.ENOENT) || strings.Contains(err.Error(), unix.ENOENT.Error()))
}

// tableExists reports whether nsexec's table is in this network namespace.
func tableExists() bool {
	c, err := nft()
	if err != nil {
		return false
	}
	_, err = c.ListTableOfFamily(TableName, nftables.TableFamilyINet)
	return err == nil
}
