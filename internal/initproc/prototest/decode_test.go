package prototest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"testing"

	"nsexec/internal/initproc"
	"nsexec/internal/plan"
	"nsexec/internal/security"
	"nsexec/internal/spec"
)

// configs are real configs of the kinds of runs nsexec makes, the big ones
// of issue 9 among them: what the Go side encodes, the C side must read.
func configs(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	add := func(name string, setup func(s *plan.Plan)) {
		s := plan.New(spec.New())
		s.Args = []string{"true"}
		setup(s)
		s.Normalize()
		out[name] = initproc.Config(s, 42)
	}
	add("seed -npu", func(s *plan.Plan) { s.New[spec.Net], s.New[spec.PID], s.Hostname = true, true, "h" })
	add("rootfs", func(s *plan.Plan) { s.Rootfs.Dir = "/r" })
	add("time", func(s *plan.Plan) { s.MonotonicOffset, s.BoottimeOffset = -5, 1<<40 })
	add("large environment", func(s *plan.Plan) {
		for i := range 400 {
			s.Process.Env = append(s.Process.Env, fmt.Sprintf("V%d=%s", i, strings.Repeat("x", 1000)))
		}
	})
	add("2000 binds", func(s *plan.Plan) {
		s.Rootfs.Dir = "/r"
		for i := range 2000 {
			s.Rootfs.Mounts = append(s.Rootfs.Mounts, spec.UserMount{Kind: spec.MountBind, Src: fmt.Sprintf("/s%d", i), Dst: fmt.Sprintf("/d%d", i)})
		}
	})
	conf, err := security.Plan(security.Choices{Seccomp: security.SeccompDefault}, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	prog := security.Program(conf.Filter, "amd64")
	add("seccomp program", func(s *plan.Plan) {
		c := *conf
		c.Filter = &security.Filter{Program: bytes.Repeat(prog, 8), Len: 8 * len(prog) / 8}
		s.Confinement = &c
	})
	add("join", func(s *plan.Plan) {
		s.Joined = &plan.Joined{Identity: &plan.Identity{UID: 7, CapBnd: 1 << 40, Env: []string{"A=b"}}}
	})
	return out
}

// The C decoder reads every record the Go encoder writes, whatever its size.
func TestCDecoderReadsGoConfigs(t *testing.T) {
	for name, body := range configs(t) {
		t.Run(name, func(t *testing.T) {
			want, err := initproc.Records(body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(body)
			if err != nil {
				t.Fatalf("C decoder: %v", err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("C decoder:\n%.2000q\nGo:\n%.2000q", got, want)
			}
		})
	}
	// The early message too.
	e := &initproc.Early{Cgroups: []int{5}, Groups: []uint32{0, 27}, SetGroups: true, Proc: 6,
		NS: []initproc.EarlyNS{{Kind: spec.User, FD: 7}}, Root: 8, Cwd: 9, Unshare: 0x20000000,
		TimeOffsets: &[2]int64{-3, 4}, Ack: true}
	want, _ := initproc.Records(e.Body())
	if got, err := Decode(e.Body()); err != nil || !slices.Equal(got, want) {
		t.Fatalf("early message: C %q (%v), Go %q", got, err, want)
	}
}

// rec builds one record by hand.
func rec(key uint16, val []byte) []byte {
	b := binary.LittleEndian.AppendUint16(nil, key)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(val)))
	return append(b, val...)
}

// keyOf finds a key's number by its name in the Go decoder's output.
func keyOf(t testing.TB, name string) uint16 {
	for k := uint16(1); k < 200; k++ {
		r, err := initproc.Records(append(rec(k, nil), rec(1, nil)...))
		if err == nil && r[0] == name {
			return k
		}
		for _, size := range []int{1, 2, 8, 16, 24, 32} {
			v := bytes.Repeat([]byte{'a'}, size)
			v[size-1] = 0
			if r, err := initproc.Records(append(rec(k, v), rec(1, nil)...)); err == nil && strings.HasPrefix(r[0], name+"=") {
				return k
			}
		}
	}
	t.Fatalf("no key %s", name)
	return 0
}

// Both decoders refuse what is not a whole, well-formed body, with the
// same reason.
func TestDecodersRefuse(t *testing.T) {
	end := rec(1, nil)
	verbose, host, uid, tty := keyOf(t, "verbose"), keyOf(t, "host"), keyOf(t, "uid"), keyOf(t, "tty")
	for _, tt := range []struct {
		name string
		body []byte
		want string
	}{
		{"empty", nil, "the body has no end record"},
		{"no end", rec(verbose, nil), "the body has no end record"},
		{"after the end", append(append([]byte{}, end...), rec(verbose, nil)...), "records after the end"},
		{"cut header", end[:3], "a record is cut"},
		{"cut value", append(rec(host, []byte("abc\x00")), end...)[:8], "a record's value is cut"},
		{"unknown key", append(rec(999, nil), end...), "unknown record key 999"},
		{"key 0", append(rec(0, nil), end...), "unknown record key 0"},
		{"flag with a value", append(rec(verbose, []byte{1}), end...), "record verbose: a value of 1 bytes is not of its kind"},
		{"string without NUL", append(rec(host, []byte("abc")), end...), "record host: a value of 3 bytes is not of its kind"},
		{"string with NUL inside", append(rec(host, []byte("a\x00c\x00")), end...), "record host: a value of 4 bytes is not of its kind"},
		{"short number", append(rec(uid, []byte{1, 2, 3}), end...), "record uid: a value of 3 bytes is not of its kind"},
		{"list of the wrong length", append(rec(tty, make([]byte, 24)), end...), "record tty: a value of 24 bytes is not of its kind"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, cErr := Decode(tt.body)
			_, goErr := initproc.Records(tt.body)
			if cErr == nil || goErr == nil || cErr.Error() != tt.want || goErr.Error() != tt.want {
				t.Errorf("C: %v, Go: %v; want %q from both", cErr, goErr, tt.want)
			}
		})
	}
}

// The header: magic, version, type, length, each checked.
func TestHeader(t *testing.T) {
	h := func(magic string, version byte, typ, n uint32) []byte {
		b := append([]byte(magic), version)
		b = binary.LittleEndian.AppendUint32(b, typ)
		return binary.LittleEndian.AppendUint32(b, n)
	}
	if typ, n, err := Header(h("NSX", 2, 2, 1234)); err != nil || typ != 2 || n != 1234 {
		t.Errorf("a config header: %d %d %v", typ, n, err)
	}
	for _, bad := range [][]byte{h("NSY", 2, 2, 1), h("NSX", 1, 2, 1), h("NSX", 2, 9, 1), h("NSX", 2, 1, 1<<30), h("NSX", 2, 2, 1)[:11]} {
		if _, _, err := Header(bad); err == nil {
			t.Errorf("header %x accepted", bad)
		}
	}
}

// FuzzDecode: on any input the C and Go decoders agree, accepting the same
// bodies with the same records and refusing the others for the same reason;
// and what they accept, the Go encoder would have written byte for byte.
func FuzzDecode(f *testing.F) {
	for _, body := range configs(f) {
		if len(body) < 4096 {
			f.Add(body)
		}
	}
	f.Add([]byte{})
	f.Add(rec(1, nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, cErr := Decode(body)
		want, goErr := initproc.Records(body)
		if (cErr == nil) != (goErr == nil) {
			t.Fatalf("C: %v, Go: %v", cErr, goErr)
		}
		if cErr != nil {
			if cErr.Error() != goErr.Error() {
				t.Fatalf("C: %v, Go: %v", cErr, goErr)
			}
			return
		}
		if !slices.Equal(got, want) {
			t.Fatalf("C %q, Go %q", got, want)
		}
		if re := initproc.Reencode(want); !bytes.Equal(re, body) {
			t.Fatalf("re-encoded %x, was %x", re, body)
		}
	})
}
