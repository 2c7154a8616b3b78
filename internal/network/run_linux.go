package network

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"nsexec/internal/network/ipam"
	"nsexec/internal/procfs"
	"nsexec/internal/spec"
)

// StoreRoot holds one IPAM directory per bridge, with the bridge's shared
// hosts and resolv.conf files beside the leases.
const StoreRoot = "/run/nsexec/net"

// Config is what one run asks of the bridge network.
type Config struct {
	Bridge  string
	Subnet  netip.Prefix // zero: the bridge's, or the default
	Subnet6 netip.Prefix // zero: no IPv6
	IP      netip.Addr   // zero: the next free address
	Publish []spec.PortMap
	Names   []string // what other runs on the bridge call this one
	// PIDNamespace says the run has its own PID namespace: when its init
	// is gone, so is every process that could hold its network namespace.
	PIDNamespace bool
	// Step, when set, is told of each finished step (nsexec -v).
	Step func(format string, args ...any)
}

func (r *Run) step(format string, args ...any) {
	if r.cfg.Step != nil {
		r.cfg.Step(format, args...)
	}
}

// Run is one run's place on the bridge: its lease, its veth, its ports.
// Prepare takes it before the clone, Attach plugs the run's namespace in,
// Close gives everything back, whatever happened in between.
type Run struct {
	cfg      Config
	store    *ipam.Store
	br       *Bridge
	lease    ipam.Lease
	reserved []*os.File // host ports held while published
	nsIno    uint64     // the run's network namespace, once attached
	leased   bool
	rules    bool
}

// Files are the paths of a bridge's shared /etc files.
func Files(bridge string) (hosts, resolv string) {
	dir := filepath.Join(StoreRoot, bridge)
	return filepath.Join(dir, "hosts"), filepath.Join(dir, "resolv.conf")
}

// Prepare makes sure the bridge and its NAT exist and leases an address.
// On error it leaves nothing behind, not even a bridge it just created.
func Prepare(cfg Config) (_ *Run, err error) {
	owner, err := ipam.Self()
	if err != nil {
		return nil, fmt.Errorf("read own start time: %w", err)
	}
	r := &Run{cfg: cfg}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	// Ports first: binding them is the check that they are free, and
	// holding them keeps other programs and other runs off them.
	for _, p := range cfg.Publish {
		f, err := reservePort(p)
		if err != nil {
			return nil, err
		}
		r.reserved = append(r.reserved, f)
	}
	if r.store, err = ipam.Open(filepath.Join(StoreRoot, cfg.Bridge)); err != nil {
		return nil, err
	}
	if err := r.store.Lock(); err != nil {
		return nil, err
	}
	defer r.store.Unlock()
	r.step("net: lease store %s locked", r.store.Dir)

	if r.br, err = EnsureBridge(cfg.Bridge, cfg.Subnet, cfg.Subnet6); err != nil {
		return nil, err
	}
	r.step("net: bridge %s %s %s (created: %v)", r.br.Name, r.br.Subnet, r.br.Subnet6, r.br.Created)
	if r.br.Created {
		// Rules of an earlier bridge of that name, deleted by hand, may
		// name another subnet.
		if err := DeleteBridgeNAT(r.br.Name); err != nil {
			return nil, err
		}
	}
	if err := EnsureNAT(r.br.Name, r.br.Subnet, r.br.Subnet6); err != nil {
		return nil, err
	}
	r.step("net: nftables table %s in place", TableName)
	if err := EnableForwarding(); err != nil {
		return nil, err
	}
	if len(cfg.Publish) > 0 {
		if err := RouteLocalnet(r.br.Name); err != nil {
			return nil, err
		}
	}
	leases, err := r.reclaim()
	if err != nil {
		return nil, err
	}
	r.step("net: sysctls set, %d live leases", len(leases))
	addr, err := r.pick(leases)
	if err != nil {
		return nil, err
	}
	r.lease = ipam.Lease{Addr: addr, Owner: owner, Veth: vethName(), Names: cfg.Names}
	if err := r.store.Put(r.lease); err != nil {
		return nil, err
	}
	r.leased = true
	r.store.SetLast(addr)
	if len(cfg.Publish) > 0 {
		r.rules = true
		if err := AddPublish(r.br.Name, addr, cfg.Publish); err != nil {
			return nil, err
		}
		r.step("net: %d ports published", len(cfg.Publish))
	}
	if err := r.writeFiles(append(leases, r.lease)); err != nil {
		return nil, err
	}
	r.step("net: lease %s written, hosts and resolv.conf updated", addr)
	return r, nil
}

// pick chooses the run's address: the one asked for, if it is free and
// fits the bridge's subnet, or the next free one.
func (r *Run) pick(leases []ipam.Lease) (netip.Addr, error) {
	want := r.cfg.IP
	if !want.IsValid() {
		a, err := ipam.Next(r.br.Subnet, ipam.Taken(leases), r.store.Last())
		if err != nil {
			return a, fmt.Errorf("bridge %s: %w; end some runs or use a larger --subnet", r.br.Name, err)
		}
		return a, nil
	}
	if !spec.HostOf(r.br.Subnet, want) {
		return want, fmt.Errorf("--ip %s: outside the bridge %s's subnet %s, or its network, gateway or broadcast address", want, r.br.Name, r.br.Subnet)
	}
	for _, l := range leases {
		if l.Addr == want {
			return want, fmt.Errorf("--ip %s: in use by another run on %s (its init is pid %d)", want, r.br.Name, l.Owner.PID)
		}
	}
	return want, nil
}

// reclaim releases the leases of runs that are gone, with what they held,
// and returns the live ones. A run is gone when its nsexec no longer runs
// and its veth has gone with its network namespace; a namespace kept alive
// by a leftover process keeps its address.
func (r *Run) reclaim() ([]ipam.Lease, error) {
	leases, err := r.store.Leases()
	if err != nil {
		return nil, err
	}
	live := leases[:0]
	for _, l := range leases {
		if l.Owner.Alive() || l.Veth != "" && LinkExists(l.Veth) {
			live = append(live, l)
			continue
		}
		if err := DeleteRun(r.cfg.Bridge, l.Addr); err != nil {
			return nil, err
		}
		if err := r.store.Release(l.Addr); err != nil {
			return nil, err
		}
	}
	return live, nil
}

// Endpoint is the run's addresses and gateways.
func (r *Run) Endpoint() Endpoint {
	ep := Endpoint{
		Addrs: []netip.Prefix{netip.PrefixFrom(r.lease.Addr, r.br.Subnet.Bits())},
		Gws:   []netip.Addr{Gateway(r.br.Subnet)},
	}
	if s6 := r.br.Subnet6; s6.IsValid() {
		a6 := ipam.AtOffset(s6, ipam.Offset(r.br.Subnet, r.lease.Addr))
		ep.Addrs = append(ep.Addrs, netip.PrefixFrom(a6, s6.Bits()))
		ep.Gws = append(ep.Gws, Gateway(s6))
	}
	return ep
}

// Addr is the run's IPv4 address.
func (r *Run) Addr() netip.Addr { return r.lease.Addr }

// Attach plugs the network namespace of pid into the bridge, and gives the
// lease to that process (the run's init): the address is the run's as long
// as it lives, whoever supervises it.
func (r *Run) Attach(pid int) error {
	if err := r.own(pid); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	ino, err := AttachVeth(r.br.Index, r.lease.Veth, pid, r.Endpoint())
	r.nsIno = ino
	if err != nil {
		return fmt.Errorf("network: %w", err)
	}
	// Tests make a start fail here, with the veth made and configured, to
	// check that such a failure leaves nothing behind.
	if os.Getenv(FaultEnv) == "after-attach" {
		return fmt.Errorf("network: %s=after-attach: failing on purpose", FaultEnv)
	}
	return nil
}

// own makes pid the owner of the run's lease.
func (r *Run) own(pid int) error {
	st, err := procfs.ReadStat(pid)
	if err != nil {
		return err
	}
	if err := r.store.Lock(); err != nil {
		return err
	}
	defer r.store.Unlock()
	r.lease.Owner = ipam.Owner{PID: pid, Start: st.Start}
	return r.store.Put(r.lease)
}

// FaultEnv names the variable tests set to make a run fail halfway.
const FaultEnv = "_NSEXEC_TEST_NET_FAULT"

// Close gives back what Prepare and Attach took; the run's processes are
// gone by then. The veth pair goes with the run's network namespace, by
// itself. But a process left over in that namespace (CMD's background
// child, without a PID namespace) would keep the namespace, and the
// address, in use: then deleting the host end removes both ends now.
func (r *Run) Close() {
	switch {
	case !r.leased:
	case r.nsIno == 0:
		DeleteLink(r.lease.Veth) // attach failed early; a veth may exist
	case !r.cfg.PIDNamespace && NamespaceInUse(r.nsIno):
		DeleteLink(r.lease.Veth)
	}
	if r.store != nil {
		r.store.Lock()
		if r.rules {
			DeleteRun(r.br.Name, r.lease.Addr)
		}
		if r.leased {
			r.store.Release(r.lease.Addr)
			if leases, err := r.store.Leases(); err == nil {
				r.writeFiles(leases)
			}
		} else if r.br != nil && r.br.Created {
			// A first run that failed: take its new bridge back with it.
			DeleteBridgeRules(r.br.Name)
			DeleteLink(r.br.Name)
			DeleteTableIfEmpty()
		}
		if leases, err := r.store.Leases(); err == nil && len(leases) == 0 && isBridge(r.cfg.Bridge) != nil {
			r.store.Remove() // a run that never got a bridge leaves no directory
		}
		r.store.Unlock()
		r.store.Close()
	}
	for _, f := range r.reserved {
		f.Close()
	}
	r.leased, r.rules, r.reserved = false, false, nil
}

// writeFiles rewrites the bridge's hosts file in place (so runs that bind
// mounted it see the change) and its resolv.conf.
func (r *Run) writeFiles(leases []ipam.Lease) error {
	hosts, resolv := Files(r.br.Name)
	hostConf, _ := os.ReadFile("/etc/resolv.conf")
	upstream, _ := os.ReadFile("/run/systemd/resolve/resolv.conf")
	if err := ipam.WriteInPlace(resolv, []byte(ResolvConf(string(hostConf), string(upstream))), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", resolv, err)
	}
	if err := ipam.WriteInPlace(hosts, []byte(HostsFile(r.br.Name, leases, r.br.Subnet, r.br.Subnet6)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", hosts, err)
	}
	return nil
}

// vethName is a fresh name for the host end of a veth pair: "nsx" and
// eight random hex digits, within the kernel's 15 bytes. getrandom(2)
// directly: crypto/rand would add its package initialisation (and 2 MB)
// to every nsexec start.
func vethName() string {
	b := make([]byte, 4)
	unix.Getrandom(b, 0)
	return "nsx" + hex.EncodeToString(b)
}

// Cleanup removes a bridge, its NAT rules, nsexec's table when no other
// bridge uses it, and the bridge's leases; it refuses while runs use it.
func Cleanup(bridge string) error {
	store, err := ipam.Open(filepath.Join(StoreRoot, bridge))
	if err != nil {
		return err
	}
	if err := store.Lock(); err != nil {
		store.Close()
		return err
	}
	r := &Run{cfg: Config{Bridge: bridge}, store: store}
	live, err := r.reclaim()
	if err != nil {
		store.Close()
		return err
	}
	if len(live) > 0 {
		var pids []string
		for _, l := range live {
			pids = append(pids, fmt.Sprint(l.Owner.PID))
		}
		store.Close()
		return fmt.Errorf("bridge %s: in use by %d run(s) (init pid %s); end them first", bridge, len(live), strings.Join(pids, ", "))
	}
	var errs []error
	if LinkExists(bridge) {
		if err := isBridge(bridge); err != nil {
			errs = append(errs, err)
		} else {
			errs = append(errs, DeleteLink(bridge))
		}
	}
	errs = append(errs, DeleteBridgeRules(bridge), DeleteTableIfEmpty())
	if !tableExists() {
		errs = append(errs, RestoreForwarding())
	}
	errs = append(errs, store.Remove())
	return errors.Join(errs...)
}

// RunRecord is what undoing a run's place on a bridge takes, for a process
// other than the one that made it (a later delete).
type RunRecord struct {
	Bridge string     `json:"bridge"`
	Addr   netip.Addr `json:"addr"`
	Veth   string     `json:"veth"`
}

// Record describes the run for Undo.
func (r *Run) Record() RunRecord {
	return RunRecord{Bridge: r.cfg.Bridge, Addr: r.lease.Addr, Veth: r.lease.Veth}
}

// Undo gives back a recorded run's place: its veth, its port rules and its
// lease, if the lease is still that run's (the next run on the bridge may
// have reclaimed the address and taken it since).
func Undo(rec RunRecord) error {
	store, err := ipam.Open(filepath.Join(StoreRoot, rec.Bridge))
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Lock(); err != nil {
		return err
	}
	defer store.Unlock()
	leases, err := store.Leases()
	if err != nil {
		return err
	}
	for _, l := range leases {
		if l.Addr != rec.Addr || l.Veth != rec.Veth {
			continue
		}
		if l.Owner.Alive() {
			return fmt.Errorf("network: the run of %s on %s is still alive (init pid %d)", l.Addr, rec.Bridge, l.Owner.PID)
		}
		return errors.Join(DeleteLink(rec.Veth), DeleteRun(rec.Bridge, rec.Addr), store.Release(rec.Addr))
	}
	return nil
}
