package procfs

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// A process names itself (prctl PR_SET_NAME, or its binary's name): up to
// 15 bytes of anything but NUL, parentheses, spaces and newlines included.
// Whatever the name, the fields after it must come out as written.
func FuzzParseStat(f *testing.F) {
	for _, comm := range []string{"sleep", "a) b) (c", ") S 1 2 3", "x\n) Z 9", "", "(((", "name with spaces"} {
		f.Add(comm, byte('S'), 1, uint64(123456))
	}
	f.Fuzz(func(t *testing.T, comm string, state byte, ppid int, start uint64) {
		comm = strings.ReplaceAll(comm, "\x00", "")
		if len(comm) > 15 || !strings.ContainsRune("RSDTtXxZPIKW", rune(state)) || ppid < 0 {
			return
		}
		line := fmt.Sprintf("42 (%s) %c %d 42 42 0 -1 4194560 101 0 0 0 0 0 0 0 20 0 1 0 %d 2596864 135 18446744073709551615\n", comm, state, ppid, start)
		got, err := ParseStat([]byte(line))
		if want := (Stat{State: state, PPID: ppid, Start: start}); err != nil || got != want {
			t.Fatalf("ParseStat(%q) = %+v, %v; want %+v", line, got, err, want)
		}
	})
}

// A status written as the kernel writes it parses back the same; and
// whatever else a status file holds, ParseStatus returns.
func FuzzParseStatus(f *testing.F) {
	f.Add(uint32(1000), uint32(100), []byte{4, 24, 27}, uint64(0xa80425fb), uint64(0x1ffffffffff), true, 3, []byte(sampleStatus))
	f.Add(uint32(0), uint32(0), []byte{}, uint64(0), uint64(0), false, 0, []byte("Uid:\t1\nGid:\t1 2 3 4\nCapInh:\tzz\n"))
	f.Fuzz(func(t *testing.T, uid, gid uint32, groups []byte, caps, bnd uint64, nnp bool, filters int, junk []byte) {
		ParseStatus(junk)
		if filters < 0 {
			return
		}
		want := Status{UID: uid, GID: gid, CapInh: caps &^ bnd, CapPrm: caps, CapEff: caps & bnd, CapBnd: bnd,
			NoNewPrivs: nnp, SeccompFilters: filters}
		var b strings.Builder
		fmt.Fprintf(&b, "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t7\t%d\t%d\t%d\nGid:\t7\t%d\t%d\t%d\nGroups:\t",
			uid, uid, uid, gid, gid, gid)
		for _, g := range groups {
			want.Groups = append(want.Groups, uint32(g)*1000)
			fmt.Fprintf(&b, "%d ", uint32(g)*1000)
		}
		fmt.Fprintf(&b, "\nCapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
			want.CapInh, want.CapPrm, want.CapEff, want.CapBnd, 0)
		fmt.Fprintf(&b, "NoNewPrivs:\t%d\nSeccomp:\t%d\nSeccomp_filters:\t%d\n", map[bool]int{false: 0, true: 1}[nnp], min(filters, 2), filters)
		got, err := ParseStatus([]byte(b.String()))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseStatus(%q) = %+v, %v; want %+v", b.String(), got, err, want)
		}
	})
}
