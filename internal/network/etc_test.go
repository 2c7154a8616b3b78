package network

import (
	"net/netip"
	"testing"

	"nsexec/internal/network/ipam"
)

func TestHostsFile(t *testing.T) {
	leases := []ipam.Lease{
		{Addr: netip.MustParseAddr("10.7.0.2"), Names: []string{"web"}},
		{Addr: netip.MustParseAddr("10.7.0.3")},
		{Addr: netip.MustParseAddr("10.7.0.4"), Names: []string{"db", "db.local"}},
	}
	got := HostsFile("br9", leases, netip.MustParsePrefix("10.7.0.0/24"), netip.MustParsePrefix("fd00:1::/64"))
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n# runs on bridge br9, kept by nsexec\n" +
		"10.7.0.1\thost.nsexec.internal\n" +
		"10.7.0.2\tweb\nfd00:1::2\tweb\n10.7.0.4\tdb db.local\nfd00:1::4\tdb db.local\n"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestResolvConf(t *testing.T) {
	for _, tc := range []struct{ name, host, upstream, want string }{
		{"plain copy", "nameserver 192.0.2.53\nsearch example.org\n", "", "nameserver 192.0.2.53\nsearch example.org\n"},
		{"comments dropped", "# generated\nnameserver 192.0.2.53\n", "", "nameserver 192.0.2.53\n"},
		{"loopback replaced by upstream", "nameserver 127.0.0.53\noptions edns0\nsearch lan\n",
			"nameserver 192.0.2.1\nnameserver 2001:db8::1\nsearch other\n",
			"options edns0\nsearch lan\nnameserver 192.0.2.1\nnameserver 2001:db8::1\n"},
		{"loopback kept out with no upstream", "nameserver ::1\n", "",
			"# nsexec: the host has no nameserver a run can reach\n"},
		{"mixed keeps the reachable ones", "nameserver 127.0.0.1\nnameserver 192.0.2.9\n", "nameserver 192.0.2.1\n", "nameserver 192.0.2.9\n"},
	} {
		if got := ResolvConf(tc.host, tc.upstream); got != tc.want {
			t.Errorf("%s: got\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}
