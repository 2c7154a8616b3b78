package procfs

import (
	"strconv"
	"strings"
)

// Mount is one line of /proc/PID/mountinfo, the fields nsexec needs.
type Mount struct {
	ID     int
	Point  string
	Shared bool // in a peer group: mounts below it propagate
}

// FindMount returns the mount with the given ID from mountinfo.
func FindMount(mountinfo []byte, id int) (Mount, bool) {
	for _, line := range strings.Split(string(mountinfo), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		if mid, err := strconv.Atoi(f[0]); err != nil || mid != id {
			continue
		}
		m := Mount{ID: id, Point: unescapeOctal(f[4])}
		// Optional fields run from the 7th to the "-" separator.
		for _, opt := range f[6:] {
			if opt == "-" {
				break
			}
			m.Shared = m.Shared || strings.HasPrefix(opt, "shared:")
		}
		return m, true
	}
	return Mount{}, false
}

// unescapeOctal undoes mountinfo's \040-style escapes of spaces and such.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
