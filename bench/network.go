package main

import (
	"os/exec"
)

// Issue 5's cases: a run with --network bridge against the same setup done
// by hand with ip(8), and (net-lo-only) the same run with -n alone, whose
// difference to net-bridge is what the bridge network costs.
//
// The network cases run on a bridge of their own (not the default nsexec0,
// so a user's runs are not disturbed), which Setup makes with one nsexec run
// and removes afterwards with --network-cleanup (which also turns IPv4
// forwarding back off if the bench turned it on).
const (
	benchBridge = "nsxbench0"
	benchSubnet = "10.211.78.0/24"
)

// handMadeVeth is what --network bridge does, done by hand with ip(8): a
// network namespace, a veth pair with one end on the bridge and the other
// as eth0 inside, an address, lo and eth0 up, a default route; then the
// command, then the namespace goes (and its veth pair with it, in the
// background; names are per run since that takes the kernel a moment).
const handMadeVeth = `set -e
ns=nsxbench-$$ v=nsxb$$
ip netns add $ns
ip link add $v type veth peer name eth0 netns $ns
ip link set $v master ` + benchBridge + ` up
ip -n $ns addr add 10.211.78.250/24 dev eth0
ip -n $ns link set lo up
ip -n $ns link set eth0 up
ip -n $ns route add default via 10.211.78.1
ip netns exec $ns true
ip netns del $ns`

func init() {
	setup := func() (func(), error) {
		// The ip script's `ip netns add` makes /run/netns a mount of its
		// own when it is not one yet; then it goes again with the case.
		netnsMounted := exec.Command("mountpoint", "-q", "/run/netns").Run() == nil
		out, err := exec.Command("./nsexec", "--network", "bridge", "--bridge", benchBridge, "--subnet", benchSubnet, "true").CombinedOutput()
		if err != nil {
			return nil, &setupError{"make the bench bridge", err, out}
		}
		return func() {
			exec.Command("./nsexec", "--network-cleanup", "--bridge", benchBridge).Run()
			if !netnsMounted {
				exec.Command("sh", "-c", `[ -z "$(ls -A /run/netns)" ] && while mountpoint -q /run/netns; do umount /run/netns || break; done`).Run()
			}
		}, nil
	}
	addCase(Case{
		Name:  "net-bridge",
		Ours:  []string{"nsexec", "--network", "bridge", "--bridge", benchBridge, "true"},
		Peers: map[string][]string{"ip": {"sh", "-c", handMadeVeth}},
		Setup: setup,
	})
	addCase(Case{
		Name: "net-lo-only",
		Ours: []string{"nsexec", "-n", "true"},
		Peers: map[string][]string{
			"unshare": {"unshare", "-n", "true"},
		},
	})
}

type setupError struct {
	what string
	err  error
	out  []byte
}

func (e *setupError) Error() string { return e.what + ": " + e.err.Error() + ": " + string(e.out) }
