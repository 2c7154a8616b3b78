package network_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	"nsexec/internal/network"
	"nsexec/internal/testutil"
	"runtime"
)

// The test binary doubles as the small servers and clients the tests run
// inside runs and namespaces, so every check is exact and needs nothing
// but the kernel: NSXT_HELPER selects the part it plays.
func TestMain(m *testing.M) {
	if h := os.Getenv("NSXT_HELPER"); h != "" {
		os.Exit(helper(h, os.Args[1:]))
	}
	testutil.Main(m)
}

// helper runs one part:
//
//	serve tcp|udp PORT   answer each connection/datagram with "peer=IP data=DATA"; print "ready" once listening
//	dial tcp|udp ADDR DATA   send DATA, print the answer; retries for 5 s
func helper(name string, args []string) int {
	switch {
	case name == "serve" && len(args) == 2:
		return serve(args[0], args[1])
	case name == "dial" && len(args) == 3:
		return dial(args[0], args[1], args[2])
	}
	fmt.Fprintf(os.Stderr, "helper %s %q: unknown\n", name, args)
	return 2
}

func serve(proto, port string) int {
	if proto == "udp" {
		pc, err := net.ListenPacket("udp", ":"+port)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("ready")
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return 1
			}
			ip, _, _ := net.SplitHostPort(from.String())
			pc.WriteTo([]byte(fmt.Sprintf("peer=%s data=%s", ip, buf[:n])), from)
		}
	}
	l, err := net.Listen("tcp", ":"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	for {
		c, err := l.Accept()
		if err != nil {
			return 1
		}
		go func() {
			defer c.Close()
			line, _ := bufio.NewReader(c).ReadString('\n')
			ip, _, _ := net.SplitHostPort(c.RemoteAddr().String())
			fmt.Fprintf(c, "peer=%s data=%s\n", ip, strings.TrimSpace(line))
		}()
	}
}

func dial(proto, addr, data string) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		reply, err := dialOnce(proto, addr, data)
		if err == nil {
			fmt.Println(reply)
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "dial:", err)
			return 1
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func dialOnce(proto, addr, data string) (string, error) {
	c, err := net.DialTimeout(proto, addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := fmt.Fprintf(c, "%s\n", data); err != nil {
		return "", err
	}
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(buf[:n])), nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// outer is a network namespace a test makes to play the host: nsexec runs
// in it, so its bridge, veths, NAT rules and sysctls never touch the
// machine's own. Each gets a bridge name of its own too, as the lease
// directories under /run are shared.
type outer struct {
	t      *testing.T
	name   string
	bridge string
}

func newOuter(t *testing.T) *outer {
	t.Helper()
	testutil.RequireRoot(t)
	testutil.Require(t, "ip", "busybox")
	o := &outer{t: t, name: "nsxt-" + randHex(4), bridge: "nxb" + randHex(4)}
	if out, err := exec.Command("ip", "netns", "add", o.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() {
		// nsexec's own cleanup also turns forwarding back off and removes
		// its marker; then the namespace and anything left in /run go.
		r := testutil.RunCmd(t, o.cmd(testutil.Binary(t), "--network-cleanup", "--bridge", o.bridge))
		if r.Code != 0 {
			t.Errorf("--network-cleanup: %d %s", r.Code, r.Stderr)
		}
		exec.Command("ip", "netns", "del", o.name).Run()
		os.RemoveAll(filepath.Join(network.StoreRoot, o.bridge))
	})
	o.ip("link", "set", "lo", "up")
	// A new namespace copies the host's forwarding setting: start from the
	// kernel's default whatever the host has, so the tests see only nsexec.
	if out, err := o.cmd("sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward").CombinedOutput(); err != nil {
		t.Fatalf("reset ip_forward: %v: %s", err, out)
	}
	return o
}

// cmd is a command run inside the outer namespace.
func (o *outer) cmd(args ...string) *exec.Cmd {
	c := exec.Command("ip", append([]string{"netns", "exec", o.name}, args...)...)
	c.Dir = "/"
	return c
}

// ip runs an ip command in the outer namespace and returns its output.
func (o *outer) ip(args ...string) string {
	o.t.Helper()
	out, err := o.cmd(append([]string{"ip"}, args...)...).CombinedOutput()
	if err != nil {
		o.t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// nsexec runs nsexec in the outer namespace on the test's bridge.
func (o *outer) nsexec(args ...string) *exec.Cmd {
	return o.cmd(append([]string{testutil.Binary(o.t), "--bridge", o.bridge}, args...)...)
}

// run runs nsexec to its end.
func (o *outer) run(args ...string) testutil.Result {
	o.t.Helper()
	return testutil.RunCmd(o.t, o.nsexec(args...))
}

// self is the test binary as a helper command line.
func self(part string, args ...string) []string {
	exe, _ := os.Executable()
	return append([]string{"env", "NSXT_HELPER=" + part, exe}, args...)
}

// started is a process the test started and ends in t.Cleanup.
type started struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr *strings.Builder
}

// start starts cmd and waits until it prints "ready".
func start(t *testing.T, cmd *exec.Cmd) *started {
	t.Helper()
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &started{cmd: cmd, stdout: bufio.NewReader(pipe), stderr: &strings.Builder{}}
	cmd.Stderr = s.stderr
	cmd.WaitDelay = 3 * time.Second // a stray child holding stderr must not hang the test
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	ready := make(chan string, 1)
	go func() {
		line, _ := s.stdout.ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if strings.TrimSpace(line) != "ready" {
			s.stop()
			t.Fatalf("%v: got %q instead of ready; stderr: %s", cmd.Args, line, s.stderr)
		}
	case <-time.After(20 * time.Second):
		s.stop()
		t.Fatalf("%v: not ready after 20 s; stderr: %s", cmd.Args, s.stderr)
	}
	go io.Copy(io.Discard, s.stdout)
	return s
}

// stop ends the process by its PID (SIGTERM, which nsexec forwards) and
// reaps it.
func (s *started) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// links lists the link names in the outer namespace.
func (o *outer) links() []string {
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(o.ip("-br", "link")), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, strings.SplitN(f[0], "@", 2)[0])
		}
	}
	return names
}

// veths lists the host ends of runs' veths in the outer namespace.
func (o *outer) veths() []string {
	var v []string
	for _, l := range o.links() {
		if strings.HasPrefix(l, "nsx") {
			v = append(v, l)
		}
	}
	return v
}

// leases lists the lease files of the test's bridge.
func (o *outer) leases() []string {
	m, _ := filepath.Glob(filepath.Join(network.StoreRoot, o.bridge, "*.lease"))
	return m
}

// rules is nsexec's nftables table in the outer namespace, as nft prints it.
func (o *outer) rules() string {
	out, _ := o.cmd("nft", "list", "table", "inet", network.TableName).CombinedOutput()
	return string(out)
}

// runRules counts the DNAT rules of runs (published ports).
func (o *outer) runRules() int {
	return strings.Count(o.rules(), "dnat ip to")
}

// assertClean checks that no run left a veth, a lease or a port rule.
func (o *outer) assertClean() {
	o.t.Helper()
	// A veth goes with its namespace, which the kernel frees in the
	// background a moment after the last process left it.
	testutil.WaitFor(5*time.Second, func() bool { return len(o.veths()) == 0 })
	if v := o.veths(); len(v) > 0 {
		o.t.Errorf("veths left: %v", v)
	}
	if l := o.leases(); len(l) > 0 {
		o.t.Errorf("leases left: %v", l)
	}
	if n := o.runRules(); n > 0 {
		o.t.Errorf("%d port rules left:\n%s", n, o.rules())
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !testutil.WaitFor(10*time.Second, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// sysctl reads a sysctl of the outer namespace.
func (o *outer) sysctl(key string) string {
	out, _ := o.cmd("sysctl", "-n", key).Output()
	return strings.TrimSpace(string(out))
}

// inside runs fn on a thread in the outer network namespace (netlink and
// nftables act on the calling thread's).
func (o *outer) inside(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		ns, err := netns.GetFromName(o.name)
		if err == nil {
			defer ns.Close()
			err = netns.Set(ns)
		}
		if err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	return <-errc
}
