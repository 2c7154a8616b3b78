package main

import (
	"strings"
	"testing"

	"nsexec/internal/spec"
)

func TestNetworkFlags(t *testing.T) {
	for _, tc := range []struct {
		args  string
		check func(s *spec.Spec) bool
		err   string
	}{
		{args: "--network bridge true", check: func(s *spec.Spec) bool {
			return s.Network.Mode == spec.NetBridge && s.Has(spec.Net)
		}},
		{args: "--network none true", check: func(s *spec.Spec) bool { return s.Has(spec.Net) }},
		{args: "--network host true", check: func(s *spec.Spec) bool { return !s.Has(spec.Net) }},
		{args: "--network bridge --subnet 10.9.0.0/24 --ip 10.9.0.7 --subnet6 none --publish 8080:80 --publish 127.0.0.1:53:53/udp true",
			check: func(s *spec.Spec) bool {
				n := s.Network
				return n.Subnet.String() == "10.9.0.0/24" && n.IP.String() == "10.9.0.7" && n.NoIPv6 &&
					len(n.Publish) == 2 && n.Publish[1].String() == "127.0.0.1:53:53/udp"
			}},
		{args: "--network-cleanup", check: func(s *spec.Spec) bool { return s.Network.Cleanup && len(s.Args) == 0 }},
		{args: "--network bridge --subnet 10.9.0.0 true", err: "not a CIDR"},
		{args: "--network bridge --subnet6 fd00:: true", err: "not a CIDR"},
		{args: "--network bridge --ip ten true", err: "not an IP address"},
		{args: "--network bridge --publish 80 true", err: "no container port"},
		{args: "--ip 10.0.0.2 true", err: "need --network bridge"},
		{args: "--network wifi true", err: "want bridge, none or host"},
		{args: "-n --network host true", err: "drop -n"},
		{args: "--network bridge", err: "no command given"},
	} {
		s, err := parse(strings.Fields(tc.args))
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %v, want an error with %q", tc.args, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.err == "" && !tc.check(s):
			t.Errorf("%q: wrong spec %+v", tc.args, s.Network)
		}
	}
}
