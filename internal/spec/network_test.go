package spec

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParsePublish(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "8080:80", want: "8080:80/tcp"},
		{in: "8080:80/udp", want: "8080:80/udp"},
		{in: "127.0.0.1:8080:80/tcp", want: "127.0.0.1:8080:80/tcp"},
		{in: "80", err: "no container port"},
		{in: "8080:80/sctp", err: "neither tcp nor udp"},
		{in: "0:80", err: "host port"},
		{in: "8080:70000", err: "container port"},
		{in: "x:80", err: "host port"},
		{in: "localhost:8080:80", err: "not an IPv4 address"},
		{in: "::1:8080:80", err: "not an IPv4 address"},
	} {
		p, err := ParsePublish(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParsePublish(%q) = %v, %v; want error with %q", tc.in, p, err, tc.err)
		case tc.err == "" && (err != nil || p.String() != tc.want):
			t.Errorf("ParsePublish(%q) = %v, %v; want %s", tc.in, p, err, tc.want)
		}
	}
}

func TestNetworkChecks(t *testing.T) {
	ip := netip.MustParseAddr
	pf := netip.MustParsePrefix
	for _, tc := range []struct {
		name string
		set  func(s *Spec)
		err  string // "" means valid
	}{
		{"bridge with defaults", func(s *Spec) { s.Network.Mode = NetBridge }, ""},
		{"fixed address inside subnet", func(s *Spec) {
			s.Network = Network{Mode: NetBridge, Subnet: pf("10.5.0.0/24"), IP: ip("10.5.0.9")}
		}, ""},
		{"address outside subnet", func(s *Spec) {
			s.Network = Network{Mode: NetBridge, Subnet: pf("10.5.0.0/24"), IP: ip("10.6.0.9")}
		}, "outside the subnet"},
		{"gateway address", func(s *Spec) {
			s.Network = Network{Mode: NetBridge, Subnet: pf("10.5.0.0/24"), IP: ip("10.5.0.1")}
		}, "gateway"},
		{"broadcast address", func(s *Spec) {
			s.Network = Network{Mode: NetBridge, Subnet: pf("10.5.0.0/24"), IP: ip("10.5.0.255")}
		}, "broadcast"},
		{"ipv6 --ip", func(s *Spec) { s.Network = Network{Mode: NetBridge, IP: ip("fd00::5")} }, "IPv4"},
		{"subnet too small", func(s *Spec) { s.Network = Network{Mode: NetBridge, Subnet: pf("10.5.0.0/31")} }, "/30"},
		{"ipv6 subnet in --subnet", func(s *Spec) { s.Network = Network{Mode: NetBridge, Subnet: pf("fd00::/64")} }, "IPv4 subnet"},
		{"publish without bridge", func(s *Spec) {
			s.Network.Publish = []PortMap{{HostPort: 1, ContainerPort: 1, Proto: "tcp"}}
		}, "need network.mode bridge"},
		{"same port twice", func(s *Spec) {
			p := PortMap{HostPort: 80, ContainerPort: 1, Proto: "tcp"}
			s.Network = Network{Mode: NetBridge, Publish: []PortMap{p, p}}
		}, "given twice"},
		{"host with -n", func(s *Spec) { s.Network.Mode = NetHost; s.New[Net] = true }, "drop new.net"},
		{"bad mode", func(s *Spec) { s.Network.Mode = "overlay" }, "want bridge"},
		{"long bridge name", func(s *Spec) { s.Network = Network{Mode: NetBridge, Bridge: "a-very-long-bridge"} }, "1 to 15"},
		{"cleanup needs no command", func(s *Spec) { s.Args = nil; s.Network.Cleanup = true }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New()
			s.Args = []string{"true"}
			tc.set(s)
			err := s.Validate()
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("got %v, want an error with %q", err, tc.err)
			}
		})
	}
}
