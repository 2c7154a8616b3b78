package container

import (
	"fmt"
	"os"

	"nsexec/internal/network"
	"nsexec/internal/plan"
	"nsexec/internal/spec"
	"nsexec/internal/state"
	"nsexec/internal/trace"
)

// bridgeNet is the host side of --network bridge: a lease and the bridge
// before the clone, the veth into the init's network namespace after it,
// everything given back at the end. Runs without it never reach netlink or
// nftables.
type bridgeNet struct{ run *network.Run }

func newBridgeNet(s *plan.Plan) hostPart {
	if s.Network.Mode != spec.NetBridge {
		return nil
	}
	return &bridgeNet{}
}

var errNeedRoot = fieldError("network.mode", "bridge needs root: the bridge, the veth and the NAT rules are made on the host; a new network namespace with lo only does not")

func (b *bridgeNet) Prepare(s *plan.Plan, tr *trace.Tracer) error {
	if os.Geteuid() != 0 {
		return errNeedRoot
	}
	cfg := netConfig(s)
	if tr.Enabled() {
		cfg.Step = tr.Step
	}
	run, err := network.Prepare(cfg)
	if err != nil {
		return &Error{Code: 125, Err: err}
	}
	b.run = run
	s.HostsFile, s.ResolvFile = network.Files(cfg.Bridge)
	return nil
}

func (b *bridgeNet) Attach(pid int, tr *trace.Tracer) error {
	if err := b.run.Attach(pid); err != nil {
		return &Error{Code: 125, Err: err}
	}
	tr.Step("net: eth0 %v via %v", b.run.Endpoint().Addrs, b.run.Endpoint().Gws)
	return nil
}

func (b *bridgeNet) Undo() {
	if b.run != nil {
		b.run.Close()
	}
}

func bridgeName(s *spec.Spec) string {
	if s.Network.Bridge != "" {
		return s.Network.Bridge
	}
	return spec.DefaultBridge
}

func netConfig(s *plan.Plan) network.Config {
	n := s.Network
	c := network.Config{Bridge: bridgeName(s.Spec), Subnet: n.Subnet, IP: n.IP, Publish: n.Publish, PIDNamespace: s.Has(spec.PID)}
	switch {
	case n.NoIPv6:
	case n.Subnet6.IsValid():
		c.Subnet6 = n.Subnet6
	case ipv6Enabled():
		c.Subnet6 = spec.DefaultSubnet6
	}
	// Runs on a bridge find each other by hostname and by instance name.
	if s.Hostname != "" {
		c.Names = append(c.Names, s.Hostname)
	}
	if s.Join.Name != "" && s.Join.Name != s.Hostname {
		c.Names = append(c.Names, s.Join.Name)
	}
	return c
}

func ipv6Enabled() bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/all/disable_ipv6")
	return err == nil && len(b) > 0 && b[0] == '0'
}

// NetworkCleanup is --network-cleanup: it removes the bridge, its NAT rules
// and its leases, and refuses while runs still use it.
func NetworkCleanup(s *spec.Spec) error {
	if os.Geteuid() != 0 {
		return fieldError("network.cleanup", "needs root")
	}
	if err := network.Cleanup(bridgeName(s)); err != nil {
		return &Error{Code: 125, Err: fmt.Errorf("network cleanup: %w", err)}
	}
	return nil
}

func (b *bridgeNet) UndoStep() (state.UndoStep, error) {
	if b.run == nil {
		return state.UndoStep{}, nil
	}
	return step("bridge", b.run.Record())
}
