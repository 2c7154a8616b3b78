package procfs

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		in      string
		want    Stat
		wantErr bool
	}{
		{"42 (sleep) S 1 42 42 0 -1 4194560 101 0 0 0 0 0 0 0 20 0 1 0 123456 2596864 135 18446744073709551615", Stat{'S', 1, 123456}, false},
		// A command name with spaces and parentheses, as any process may choose.
		{"7 (a) b) (c) Z 3 7 7 0 -1 4194560 101 0 0 0 0 0 0 0 20 0 1 0 99 2596864 135", Stat{'Z', 3, 99}, false},
		{"7 (x) S 1", Stat{}, true},
		{"no parenthesis", Stat{}, true},
		{"7 (x) S one 7 7 0 -1 4194560 101 0 0 0 0 0 0 0 20 0 1 0 99 1 1", Stat{}, true},
	}
	for _, tt := range tests {
		got, err := ParseStat([]byte(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseStat(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if !(Stat{State: 'Z'}).Gone() || (Stat{State: 'S'}).Gone() {
		t.Error("Gone: a zombie is gone, a sleeper is not")
	}
}

const sampleStatus = `Name:	sleep
Umask:	0022
State:	S (sleeping)
Uid:	1000	1001	1001	1001
Gid:	100	101	101	101
Groups:	4 24 27 
CapInh:	0000000000000000
CapPrm:	00000000a80425fb
CapEff:	00000000a80425fb
CapBnd:	000001ffffffffff
CapAmb:	0000000000000000
NoNewPrivs:	1
Seccomp:	2
Seccomp_filters:	3
`

func TestParseStatus(t *testing.T) {
	got, err := ParseStatus([]byte(sampleStatus))
	if err != nil {
		t.Fatal(err)
	}
	want := Status{UID: 1001, GID: 101, Groups: []uint32{4, 24, 27}, CapPrm: 0xa80425fb, CapEff: 0xa80425fb,
		CapBnd: 0x1ffffffffff, NoNewPrivs: true, SeccompFilters: 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	noGroups := strings.Replace(sampleStatus, "Groups:	4 24 27 ", "Groups:", 1)
	if got, err := ParseStatus([]byte(noGroups)); err != nil || got.Groups != nil {
		t.Errorf("no groups: %v, %v", got.Groups, err)
	}
	for _, broken := range []string{
		strings.Replace(sampleStatus, "Uid:	1000	1001	1001	1001", "", 1),
		strings.Replace(sampleStatus, "CapBnd:	000001ffffffffff", "CapBnd:	xyz", 1),
		strings.Replace(sampleStatus, "Groups:	4 24 27", "Groups:	4 x", 1),
	} {
		if _, err := ParseStatus([]byte(broken)); err == nil {
			t.Errorf("no error for\n%s", broken)
		}
	}
}

func TestMapID(t *testing.T) {
	const m = "         0       1000          1\n         1     100000      65536\n"
	tests := []struct {
		id, want uint32
		ok       bool
	}{
		{1000, 0, true},
		{100000, 1, true},
		{165535, 65536, true},
		{165536, 0, false},
		{0, 0, false},
		{999, 0, false},
	}
	for _, tt := range tests {
		got, err := MapID(tt.id, []byte(m))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("MapID(%d) = %d, %v; want %d (mapped %v)", tt.id, got, err, tt.want, tt.ok)
		}
	}
	if got, err := MapID(5, []byte("0 0 4294967295\n")); err != nil || got != 5 {
		t.Errorf("identity map: %d, %v", got, err)
	}
	if _, err := MapID(5, []byte("0 x 1\n")); err == nil {
		t.Error("a broken map line must be an error")
	}
}

func TestParseEnviron(t *testing.T) {
	got := ParseEnviron([]byte("PATH=/bin\x00A=b=c\x00_NSEXEC_INIT=3\x00junk\x00=x\x00EMPTY=\x00"))
	want := []string{"PATH=/bin", "A=b=c", "_NSEXEC_INIT=3", "EMPTY="}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFindMount(t *testing.T) {
	const info = `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
105 22 254:0 /tmp/x /tmp/my\040dir rw,relatime - ext4 /dev/vda rw
106 22 0:50 / /run/netns rw shared:7 master:2 - tmpfs tmpfs rw
`
	tests := []struct {
		id   int
		want Mount
		ok   bool
	}{
		{22, Mount{22, "/", true}, true},
		{105, Mount{105, "/tmp/my dir", false}, true},
		{106, Mount{106, "/run/netns", true}, true},
		{7, Mount{}, false},
	}
	for _, tt := range tests {
		got, ok := FindMount([]byte(info), tt.id)
		if ok != tt.ok || got != tt.want {
			t.Errorf("FindMount(%d) = %+v, %v; want %+v, %v", tt.id, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFirstChild(t *testing.T) {
	for in, want := range map[string]int{"12 40 7 ": 12, "5": 5, "": 0, " ": 0} {
		got, ok := FirstChild([]byte(in))
		if got != want || ok != (want != 0) {
			t.Errorf("FirstChild(%q) = %d, %v", in, got, ok)
		}
	}
}
