package spec

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"nsexec/internal/testutil/errform"
)

// The fuzz targets run their seeds as plain tests under go test; go test
// -fuzz FuzzParseBytes ./internal/spec explores further.

func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{
		"64m", "64M", "64mb", "1g", "512k", "100", "100b", "1.5g", "2t", "0", "0.5k",
		"1e3k", "0x1p10", "64q", "", "m", "-1m", "1e400", "64mm", "0x10", "NaNm",
		"99999999999t", "8191.99999t", "inf", "+1k", "1_000", " 1k", "1k ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBytes(s)
		if err != nil {
			if e := errform.Check(err); e != nil {
				t.Fatalf("ParseBytes(%q): %v", s, e)
			}
			return
		}
		if v < 0 {
			t.Fatalf("ParseBytes(%q) = %d: negative", s, v)
		}
		for _, again := range []string{strconv.FormatInt(v, 10), formatBytes(v)} {
			if w, err := ParseBytes(again); err != nil || w != v {
				t.Fatalf("ParseBytes(%q) = %d, formatted %q, which parses to %d, %v", s, v, again, w, err)
			}
		}
	})
}

// formatBytes writes v in the largest unit that divides it.
func formatBytes(v int64) string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"t", 40}, {"g", 30}, {"m", 20}, {"k", 10}} {
		if v != 0 && v%(1<<u.shift) == 0 {
			return strconv.FormatInt(v>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(v, 10) + "b"
}

func FuzzParseCPUs(f *testing.F) {
	for _, s := range []string{"0.5", "2", "1.25", "0.001", "0.0015", "1e6", "0", "-1", "x", "", "0.0001", "NaN", "1e9", "Inf", "0x1p-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseCPUs(s)
		if err != nil {
			if e := errform.Check(err); e != nil {
				t.Fatalf("ParseCPUs(%q): %v", s, e)
			}
			return
		}
		if m < 1 || m > 1e9 {
			t.Fatalf("ParseCPUs(%q) = %d: outside 1 to 1e9 thousandths", s, m)
		}
		again := strconv.FormatFloat(float64(m)/1000, 'f', -1, 64)
		if w, err := ParseCPUs(again); err != nil || w != m {
			t.Fatalf("ParseCPUs(%q) = %d, formatted %q, which parses to %d, %v", s, m, again, w, err)
		}
	})
}

func FuzzParseRlimit(f *testing.F) {
	for _, s := range []string{
		"nofile=1024:4096", "NOFILE=10", "RLIMIT_CORE=0", "stack=unlimited", "as=1000:-1",
		"nproc=1:infinity", "memlock=0:1048576", "cpu=18446744073709551615", "nofile",
		"nofile=", "files=10", "nofile=10:5", "nofile=ten", "nofile=10:", "nofile=10:20:3",
		"=1", "rlimit_=1", "nofile=-1:5", "nofile=+1", "nofile=18446744073709551616",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRlimit(s)
		if err != nil {
			if e := errform.Check(err); e != nil {
				t.Fatalf("ParseRlimit(%q): %v", s, e)
			}
			return
		}
		if !slices.Contains(RlimitNames, r.Name) || r.Soft > r.Hard {
			t.Fatalf("ParseRlimit(%q) = %+v: unknown name or soft above hard", s, r)
		}
		again := formatRlimit(r)
		if w, err := ParseRlimit(again); err != nil || w != r {
			t.Fatalf("ParseRlimit(%q) = %+v, formatted %q, which parses to %+v, %v", s, r, again, w, err)
		}
	})
}

func formatRlimit(r Rlimit) string {
	v := func(n uint64) string {
		if n == RlimInfinity {
			return "unlimited"
		}
		return strconv.FormatUint(n, 10)
	}
	return fmt.Sprintf("%s=%s:%s", r.Name, v(r.Soft), v(r.Hard))
}
