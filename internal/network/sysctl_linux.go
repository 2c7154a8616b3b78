package network

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// sysctlDir is /proc/sys, which shows the network namespace of the process
// that opens it: the host side's, where nsexec's parent runs.
const sysctlDir = "/proc/sys/"

// forwardMarker is a file that records that nsexec turned IPv4 forwarding
// on in this network namespace (named by its inode), so that
// --network-cleanup turns it off again, and only then.
func forwardMarker() string {
	var st unix.Stat_t
	unix.Stat("/proc/self/ns/net", &st)
	return StoreRoot + "/ip_forward-" + strconv.FormatUint(st.Ino, 10) + ".by-nsexec"
}

func readSysctl(key string) (string, error) {
	b, err := os.ReadFile(sysctlDir + key)
	return strings.TrimSpace(string(b)), err
}

func writeSysctl(key, val string) error {
	if err := os.WriteFile(sysctlDir+key, []byte(val), 0o644); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", strings.ReplaceAll(key, "/", "."), val, err)
	}
	return nil
}

// EnableForwarding turns IPv4 forwarding on if it is off: the masquerade
// of runs' traffic, and published ports reached from other hosts, need the
// host to route between the bridge and its other interfaces. IPv6
// forwarding is left alone: turning it on makes every interface stop
// accepting router advertisements, which can cut a host off.
func EnableForwarding() error {
	v, err := readSysctl("net/ipv4/ip_forward")
	if err != nil || v == "1" {
		return err
	}
	if err := writeSysctl("net/ipv4/ip_forward", "1"); err != nil {
		return err
	}
	os.WriteFile(forwardMarker(), nil, 0o600)
	return nil
}

// RestoreForwarding turns IPv4 forwarding off again if nsexec turned it on.
func RestoreForwarding() error {
	marker := forwardMarker()
	if _, err := os.Stat(marker); err != nil {
		return nil
	}
	if err := writeSysctl("net/ipv4/ip_forward", "0"); err != nil {
		return err
	}
	return os.Remove(marker)
}

// RouteLocalnet lets the host route packets from 127.0.0.0/8 out of the
// bridge. A connection from the host's 127.0.0.1 to a published port is
// DNATed to a run's address in the output hook, and the kernel refuses to
// route a loopback source to a non-loopback device unless route_localnet is
// set on that device. Only the bridge gets it; the masquerade rule rewrites
// the source to the bridge's address on the way out, and a raw rule drops
// what arrives from the bridge for 127.0.0.0/8 (see bridgeRules).
func RouteLocalnet(bridge string) error {
	key := "net/ipv4/conf/" + bridge + "/route_localnet"
	if v, err := readSysctl(key); err == nil && v == "1" {
		return nil
	}
	return writeSysctl(key, "1")
}
