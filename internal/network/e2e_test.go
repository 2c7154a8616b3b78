package network_test

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"nsexec/internal/network"
	"nsexec/internal/testutil"
)

// Must hold 1: two runs on one bridge reach each other by address and by
// name (the hostname, through the bridge's shared /etc/hosts), over TCP,
// over IPv6, and by ping.
func TestTwoRunsTalk(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	srv := start(t, o.nsexec(append([]string{"--network", "bridge", "--ip", "10.211.77.10", "-m", "-u", "srv"}, self("serve", "tcp", "7000")...)...))
	_ = srv
	r := o.run(append([]string{"--network", "bridge", "-m", "sh", "-c",
		`set -e; busybox ping -c1 -W2 10.211.77.10 >/dev/null; echo ping ok; "$@"`, "sh"},
		self("dial", "tcp", "srv:7000", "by-name")...)...).MustSucceed(t)
	if !strings.Contains(r.Stdout, "ping ok") || !strings.Contains(r.Stdout, "data=by-name") {
		t.Fatalf("client by name: %q %q", r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "peer=10.211.77.") || strings.Contains(r.Stdout, "peer=10.211.77.1 ") {
		t.Errorf("server did not see the client's own address: %q", r.Stdout)
	}
	r = o.run(append([]string{"--network", "bridge"}, self("dial", "tcp", "[fd6e:7365:7865:63::a]:7000", "v6")...)...).MustSucceed(t)
	if !strings.Contains(r.Stdout, "peer=fd6e:7365:7865:63::") {
		t.Errorf("IPv6 between runs: %q %q", r.Stdout, r.Stderr)
	}
}

// Must hold 2: a published port is reached from the host's 127.0.0.1 and
// from the bridge's address, TCP and UDP.
func TestPublish(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	exe, _ := os.Executable()
	start(t, o.nsexec("--network", "bridge", "--publish", "8080:7000", "--publish", "127.0.0.1:8081:7001/udp", "-p",
		"sh", "-c", `NSXT_HELPER=serve "$0" udp 7001 & NSXT_HELPER=serve exec "$0" tcp 7000`, exe))
	// The UDP server may come up a moment after the TCP one: dial retries.
	for _, tc := range []struct{ proto, addr, peer string }{
		{"tcp", "127.0.0.1:8080", "peer=10.211.77.1 "},
		{"tcp", "10.211.77.1:8080", "peer=10.211.77.1 "},
		{"udp", "127.0.0.1:8081", "peer=10.211.77.1 "},
	} {
		out, err := o.cmd(self("dial", tc.proto, tc.addr, "hi")...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), tc.peer+"data=hi") {
			t.Errorf("%s %s: %v: %q", tc.proto, tc.addr, err, out)
		}
	}
	// Another run on the bridge through the published port (hairpin).
	r := o.run(append([]string{"--network", "bridge"}, self("dial", "tcp", "10.211.77.1:8080", "hairpin")...)...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "peer=10.211.77.1 data=hairpin") {
		t.Errorf("run to run through a published port: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
}

// Rootless runs cannot make a bridge: one clear error, before anything.
func TestBridgeNeedsRoot(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	r := testutil.RunAs(t, testutil.Nobody, "-U", "--network", "bridge", "--bridge", "nxr"+randHex(4), "true")
	if r.Code != 125 || !strings.HasPrefix(r.Stderr, "nsexec: --network bridge needs root") {
		t.Errorf("rootless bridge: %d %q", r.Code, r.Stderr)
	}
}

// Must hold 3: a run reaches a server in an "outside" namespace, acting as
// the upstream network, through the masquerade: the server sees the host's
// address, not the run's. IPv4 forwarding is turned on only by the run.
func TestNAT(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	up := "nsxt-up-" + randHex(3)
	run := func(args ...string) {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", args, err, out)
		}
	}
	run("ip", "netns", "add", up)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", up).Run() })
	v := "nxu" + randHex(4)
	o.ip("link", "add", v, "type", "veth", "peer", "name", "eth9", "netns", up)
	o.ip("addr", "add", "192.168.250.1/24", "dev", v)
	o.ip("link", "set", v, "up")
	run("ip", "-n", up, "addr", "add", "192.168.250.2/24", "dev", "eth9")
	run("ip", "-n", up, "link", "set", "eth9", "up")
	run("ip", "-n", up, "link", "set", "lo", "up")
	if fw := o.sysctl("net.ipv4.ip_forward"); fw != "0" {
		t.Fatalf("ip_forward in a fresh namespace is %q", fw)
	}
	start(t, exec.Command("ip", append([]string{"netns", "exec", up}, self("serve", "tcp", "9000")...)...))
	r := o.run(append([]string{"--network", "bridge"}, self("dial", "tcp", "192.168.250.2:9000", "out")...)...).MustSucceed(t)
	if !strings.Contains(r.Stdout, "peer=192.168.250.1 data=out") {
		t.Fatalf("server should see the host's address: %q %q", r.Stdout, r.Stderr)
	}
	if fw := o.sysctl("net.ipv4.ip_forward"); fw != "1" {
		t.Errorf("ip_forward after a bridge run is %q", fw)
	}
}

// Must hold 4: 50 runs started at once each get their own address, and all
// leases are free when they are done.
func TestParallelRuns(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	const n = 50
	addrs := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := o.nsexec("--network", "bridge", "sh", "-c", "ip -4 -o addr show dev eth0; sleep 0.3").CombinedOutput()
			if err != nil {
				errs <- fmt.Sprintf("run %d: %v: %s", i, err, out)
				return
			}
			f := strings.Fields(string(out))
			if len(f) < 4 {
				errs <- fmt.Sprintf("run %d: %q", i, out)
				return
			}
			addrs[i] = f[3]
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	seen := map[string]bool{}
	for _, a := range addrs {
		if a != "" && seen[a] {
			t.Errorf("address %s given twice", a)
		}
		seen[a] = true
	}
	o.assertClean()
}

// Must hold 5: nothing is left after a normal end, after SIGKILL of nsexec
// (the veth goes with the namespace at once; the lease and port rules of
// the dead run are reclaimed by the next run on the bridge), and after a
// start that fails halfway, before or after CMD.
func TestNothingLeft(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	o.run("--network", "bridge", "--publish", "18080:80", "true").MustSucceed(t)
	o.assertClean()

	// A start that fails with the veth made and configured.
	c := o.nsexec("--network", "bridge", "--publish", "18081:80", "true")
	c.Env = append(os.Environ(), network.FaultEnv+"=after-attach")
	r := testutil.RunCmd(t, c)
	if r.Code != 125 || !strings.HasPrefix(r.Stderr, "nsexec: network: ") {
		t.Errorf("failed attach: %d %q", r.Code, r.Stderr)
	}
	o.assertClean()

	// CMD not found, after the network is up.
	r = o.run("--network", "bridge", "--publish", "18082:80", "/nonexistent/cmd")
	if r.Code != 127 {
		t.Errorf("missing command: %d %q", r.Code, r.Stderr)
	}
	o.assertClean()

	// A background process left in the namespace (no PID namespace) loses
	// its network when the run ends: the address is free for the next run.
	r = o.run("--network", "bridge", "sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!").MustSucceed(t)
	var orphan int
	if _, err := fmt.Sscan(r.Stdout, &orphan); err != nil || orphan <= 0 {
		t.Fatalf("orphan pid %q: %v", r.Stdout, err)
	}
	t.Cleanup(func() { syscall.Kill(orphan, syscall.SIGKILL) })
	if v := o.veths(); len(v) > 0 {
		t.Errorf("veth of a namespace kept by a leftover process: %v", v)
	}
	o.assertClean()

	// SIGKILL of nsexec while the run is up.
	s := start(t, o.nsexec(append([]string{"--network", "bridge", "--publish", "18083:80"}, self("serve", "tcp", "80")...)...))
	if len(o.leases()) != 1 || o.runRules() != 2 || len(o.veths()) != 1 {
		t.Fatalf("run not up: leases %v, %d rules, veths %v", o.leases(), o.runRules(), o.veths())
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	waitFor(t, "the veth to go with the namespace", func() bool { return len(o.veths()) == 0 })
	o.run("--network", "bridge", "true").MustSucceed(t)
	o.assertClean()

	// SIGKILL again, and this time another process undoes what the run
	// recorded (issue 10), before any next run.
	s = start(t, o.nsexec(append([]string{"--network", "bridge", "--publish", "18084:80"}, self("serve", "tcp", "80")...)...))
	leases := o.leases()
	if len(leases) != 1 || o.runRules() != 2 {
		t.Fatalf("run not up: leases %v, %d rules", leases, o.runRules())
	}
	data, err := os.ReadFile(leases[0])
	if err != nil {
		t.Fatal(err)
	}
	rec := network.RunRecord{Bridge: o.bridge, Addr: netip.MustParseAddr(strings.TrimSuffix(filepath.Base(leases[0]), ".lease"))}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "veth="); ok {
			rec.Veth = v
		}
	}
	if err := o.inside(func() error { return network.Undo(rec) }); err == nil {
		t.Error("Undo of a live run was done")
	}
	testutil.KillNsexec(s.cmd) // the planner too, which would undo it itself
	waitFor(t, "the run's init to end", func() bool { return len(o.veths()) == 0 })
	if err := o.inside(func() error { return network.Undo(rec) }); err != nil {
		t.Fatal(err)
	}
	o.assertClean()
}

// Must hold 6: bad input gets one clear error and leaves nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	// Veth pairs stand for the host's other links (the kernel may lack dummy).
	o.ip("link", "add", "nxd"+o.bridge[3:], "type", "veth", "peer", "name", "nxe"+o.bridge[3:])
	o.ip("addr", "add", "10.77.0.1/16", "dev", "nxd"+o.bridge[3:])
	o.ip("link", "set", "nxd"+o.bridge[3:], "up")
	o.ip("link", "set", "nxe"+o.bridge[3:], "up")
	o.ip("link", "add", "nxn"+o.bridge[3:], "type", "veth", "peer", "name", "nxm"+o.bridge[3:])
	busy := start(t, o.cmd(self("serve", "tcp", "18090")...))
	_ = busy
	live := start(t, o.nsexec(append([]string{"--network", "bridge", "--ip", "10.211.77.20", "--publish", "18091:80"}, self("serve", "tcp", "80")...)...))
	_ = live
	links, leases, rules := o.links(), o.leases(), o.rules()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"overlapping subnet", []string{"--bridge", "nxo" + o.bridge[3:], "--subnet", "10.77.5.0/24"}, "overlaps the host's route to 10.77.0.0/16"},
		{"address outside the subnet", []string{"--ip", "10.1.2.3"}, "outside the bridge"},
		{"address in use", []string{"--ip", "10.211.77.20"}, "in use by another run"},
		{"port bound by a program", []string{"--publish", "18090:80"}, "18090/tcp is already in use"},
		{"port published by a run", []string{"--publish", "18091:80"}, "18091/tcp is already in use"},
		{"not a bridge", []string{"--bridge", "nxn" + o.bridge[3:]}, "is not a bridge"},
		{"subnet of an existing bridge", []string{"--subnet", "10.99.0.0/24"}, "has the subnet 10.211.77.0/24"},
	} {
		// Later flags win: a test's --bridge replaces the outer's default.
		r := o.run(append(append([]string{"--network", "bridge"}, tc.args...), "true")...)
		if r.Code != 125 || !strings.HasPrefix(r.Stderr, "nsexec: ") || !strings.Contains(r.Stderr, tc.want) || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want 125 and one line with %q", tc.name, r.Code, r.Stderr, tc.want)
		}
		if l := o.links(); strings.Join(l, " ") != strings.Join(links, " ") {
			t.Errorf("%s: links changed: %v -> %v", tc.name, links, l)
		}
		if l := o.leases(); len(l) != len(leases) {
			t.Errorf("%s: leases changed: %v -> %v", tc.name, leases, l)
		}
		if r := o.rules(); r != rules {
			t.Errorf("%s: rules changed:\n%s\n->\n%s", tc.name, rules, r)
		}
	}
	for _, br := range []string{"nxo", "nxn"} {
		if _, err := os.Stat(network.StoreRoot + "/" + br + o.bridge[3:]); !os.IsNotExist(err) {
			t.Errorf("lease directory of bridge %s left: %v", br+o.bridge[3:], err)
		}
	}
}

// --network-cleanup refuses while a run uses the bridge, then removes the
// bridge, the table and the leases, and turns forwarding back off.
func TestCleanup(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	s := start(t, o.nsexec(append([]string{"--network", "bridge"}, self("serve", "tcp", "80")...)...))
	r := o.run("--network-cleanup")
	if r.Code != 125 || !strings.Contains(r.Stderr, "in use by 1 run") {
		t.Errorf("cleanup while in use: %d %q", r.Code, r.Stderr)
	}
	s.stop()
	o.run("--network-cleanup").MustSucceed(t)
	if l := o.links(); len(l) != 1 {
		t.Errorf("links left: %v", l)
	}
	if r := o.rules(); strings.Contains(r, "table inet nsexec {") {
		t.Errorf("table left:\n%s", r)
	}
	if fw := o.sysctl("net.ipv4.ip_forward"); fw != "0" {
		t.Errorf("ip_forward after cleanup: %q", fw)
	}
	if _, err := os.Stat(network.StoreRoot + "/" + o.bridge); !os.IsNotExist(err) {
		t.Errorf("lease directory left: %v", err)
	}
}

// --network none is lo only; --network host is the host's namespace.
func TestNoneAndHost(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	o.ip("link", "add", "nxh"+o.bridge[3:], "type", "veth", "peer", "name", "nxi"+o.bridge[3:])
	bin := testutil.Binary(t)
	r := testutil.RunCmd(t, o.cmd(bin, "--network", "none", "ip", "-o", "link")).MustSucceed(t)
	if n := len(r.Lines()); n != 1 || !strings.Contains(r.Stdout, "lo:") {
		t.Errorf("--network none: %q", r.Stdout)
	}
	r = testutil.RunCmd(t, o.cmd(bin, "--network", "host", "ip", "-o", "link")).MustSucceed(t)
	if !strings.Contains(r.Stdout, "nxh"+o.bridge[3:]) {
		t.Errorf("--network host does not see the host's links: %q", r.Stdout)
	}
}

// A run with its own root filesystem gets the bridge's /etc/hosts and
// /etc/resolv.conf inside it, and reaches another run by hostname and by
// instance name.
func TestRootfsRunGetsNames(t *testing.T) {
	t.Parallel()
	o := newOuter(t)
	root := testutil.BusyboxRootfs(t)
	name := "inst-" + o.bridge // instance names are host-wide
	start(t, o.nsexec(append([]string{"--network", "bridge", "--ip", "10.211.77.20", "-m", "-u", "named", "--name", name}, self("serve", "tcp", "7002")...)...))
	r := o.run("--network", "bridge", "-p", "--rootfs", root, "sh", "-c",
		"grep -c '^10.211.77.20.named' /etc/hosts; grep -c nameserver /etc/resolv.conf; ping -c1 -W2 named >/dev/null && ping -c1 -W2 "+name+" >/dev/null && echo reached").MustSucceed(t)
	if r.Stdout != "1\n1\nreached\n" {
		t.Errorf("inside the rootfs: %q %q", r.Stdout, r.Stderr)
	}
}
