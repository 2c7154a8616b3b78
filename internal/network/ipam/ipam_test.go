package ipam

import (
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"testing"
)

func addrs(ss ...string) map[netip.Addr]bool {
	m := map[netip.Addr]bool{}
	for _, s := range ss {
		m[netip.MustParseAddr(s)] = true
	}
	return m
}

func TestNext(t *testing.T) {
	for _, tc := range []struct {
		name, subnet, after string
		taken               []string
		want                string // "" means ErrExhausted
	}{
		{"empty subnet starts after the gateway", "10.0.0.0/24", "", nil, "10.0.0.2"},
		{"round robin goes on after the last one", "10.0.0.0/24", "10.0.0.7", nil, "10.0.0.8"},
		{"taken ones are skipped", "10.0.0.0/24", "", []string{"10.0.0.2", "10.0.0.3"}, "10.0.0.4"},
		{"wraps before the broadcast address", "10.0.0.0/24", "10.0.0.254", nil, "10.0.0.2"},
		{"wraps past taken ones", "10.0.0.0/29", "10.0.0.5", []string{"10.0.0.6", "10.0.0.2"}, "10.0.0.3"},
		{"full /30 has no host left", "10.0.0.0/30", "", []string{"10.0.0.2"}, ""},
		{"full /29", "10.0.0.0/29", "10.0.0.3", []string{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}, ""},
		{"unmasked subnet is masked", "10.0.0.77/24", "", nil, "10.0.0.2"},
		{"after outside the subnet is ignored", "10.0.0.0/24", "192.168.0.9", nil, "10.0.0.2"},
		{"non byte aligned", "172.16.16.0/20", "172.16.16.255", nil, "172.16.17.0"},
		{"ipv6 subnet", "fd00::/120", "", []string{"fd00::2"}, "fd00::3"},
		{"ipv6 last address is a host", "fd00::/126", "fd00::2", nil, "fd00::3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var after netip.Addr
			if tc.after != "" {
				after = netip.MustParseAddr(tc.after)
			}
			got, err := Next(netip.MustParsePrefix(tc.subnet), addrs(tc.taken...), after)
			if tc.want == "" {
				if !errors.Is(err, ErrExhausted) {
					t.Fatalf("got %v, %v; want ErrExhausted", got, err)
				}
				return
			}
			if err != nil || got != netip.MustParseAddr(tc.want) {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestOffset(t *testing.T) {
	for _, tc := range []struct {
		subnet, addr string
		off          uint64
	}{
		{"10.0.0.0/24", "10.0.0.2", 2},
		{"172.16.16.0/20", "172.16.17.3", 259},
		{"fd6e:7365:7865:63::/64", "fd6e:7365:7865:63::1:3", 65539},
	} {
		p, a := netip.MustParsePrefix(tc.subnet), netip.MustParseAddr(tc.addr)
		if got := Offset(p, a); got != tc.off {
			t.Errorf("Offset(%s, %s) = %d, want %d", p, a, got, tc.off)
		}
		if got := AtOffset(p, tc.off); got != a {
			t.Errorf("AtOffset(%s, %d) = %s, want %s", p, tc.off, got, a)
		}
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s, err := Open(t.TempDir() + "/br0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l := Lease{Addr: netip.MustParseAddr("10.0.0.9"), Owner: Owner{PID: 42, Start: 7}, Veth: "nsx0011", Names: []string{"web", "web.local"}}
	if err := s.Put(l); err != nil {
		t.Fatal(err)
	}
	got, err := s.Leases()
	if err != nil || len(got) != 1 || got[0].Addr != l.Addr || got[0].Owner != l.Owner || got[0].Veth != l.Veth || len(got[0].Names) != 2 || got[0].Names[1] != "web.local" {
		t.Fatalf("got %+v, %v; want [%+v]", got, err, l)
	}
	if err := s.Release(l.Addr); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(l.Addr); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if got, _ := s.Leases(); len(got) != 0 {
		t.Fatalf("after release: %+v", got)
	}
	if err := s.SetLast(l.Addr); err != nil || s.Last() != l.Addr {
		t.Fatalf("last: %v, %v", s.Last(), err)
	}
}

// TestParallelAllocation takes leases from 50 goroutines, each with a store
// of its own (a flock excludes other open files, as other processes).
func TestParallelAllocation(t *testing.T) {
	dir := t.TempDir() + "/br0"
	subnet := netip.MustParsePrefix("10.9.0.0/24")
	got := make([]netip.Addr, 50)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			if err := s.Lock(); err != nil {
				t.Error(err)
				return
			}
			defer s.Unlock()
			leases, err := s.Leases()
			if err != nil {
				t.Error(err)
				return
			}
			a, err := Next(subnet, Taken(leases), s.Last())
			if err == nil {
				err = s.Put(Lease{Addr: a, Owner: Owner{PID: i + 1}})
			}
			if err == nil {
				err = s.SetLast(a)
			}
			if err != nil {
				t.Error(err)
			}
			got[i] = a
		}()
	}
	wg.Wait()
	seen := map[netip.Addr]bool{}
	for _, a := range got {
		if seen[a] {
			t.Errorf("address %s handed out twice", a)
		}
		seen[a] = true
	}
}

func TestOwnerAlive(t *testing.T) {
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if !self.Alive() {
		t.Fatal("this process is not alive by its own lease")
	}
	if (Owner{PID: self.PID, Start: self.Start + 1}).Alive() {
		t.Error("a reused PID (other start time) counts as alive")
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	if (Owner{PID: cmd.Process.Pid}).Alive() {
		t.Error("an exited process counts as alive")
	}
}

func TestWriteInPlace(t *testing.T) {
	p := t.TempDir() + "/f"
	for _, content := range []string{"a longer first content\n", "short\n", "short\n", "", "grown again, longer\n"} {
		if err := WriteInPlace(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(p)
		if string(got) != content {
			t.Fatalf("got %q, want %q", got, content)
		}
	}
}
