package nsenter

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"nsexec/internal/spec"
)

// Ref is where a joined namespace comes from: a process (its
// /proc/PID/ns/KIND) or a namespace file (a persisted one, /run/netns/NAME,
// or any /proc/PID/ns/KIND path).
type Ref struct {
	PID  int
	Path string
}

// ParseRef reads a --join-KIND value: all digits is a PID, anything else a
// file (write ./123 for a file named 123).
func ParseRef(v string) (Ref, error) {
	if v == "" {
		return Ref{}, errors.New("empty: want a PID or a namespace file")
	}
	if strings.Trim(v, "0123456789") == "" {
		pid, err := strconv.Atoi(v)
		if err != nil || pid <= 0 {
			return Ref{}, fmt.Errorf("PID %s: out of range", v)
		}
		return Ref{PID: pid}, nil
	}
	return Ref{Path: v}, nil
}

// NSPath is the file to open for kind ns.
func (r Ref) NSPath(ns spec.Namespace) string {
	if r.PID > 0 {
		return fmt.Sprintf("/proc/%d/ns/%s", r.PID, ns)
	}
	return r.Path
}

// Stat is what nsexec reads from /proc/PID/stat.
type Stat struct {
	State byte   // R, S, D, Z (zombie), X (dead)...
	PPID  int    // parent
	Start uint64 // start time in clock ticks since boot: with the PID, it names one process for good
}

// Gone reports whether the process has exited (a zombie waits only for its
// parent to reap it).
func (s Stat) Gone() bool { return s.State == 'Z' || s.State == 'X' }

// ParseStat reads /proc/PID/stat. The command name (field 2) may hold
// spaces and parentheses, so the fields are counted from its last ')'.
func ParseStat(data []byte) (Stat, error) {
	end := bytes.LastIndexByte(data, ')')
	if end < 0 {
		return Stat{}, errors.New("parse stat: no command name")
	}
	// Fields after the name: state(3) ppid(4) ... starttime(22).
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 20 || len(f[0]) != 1 {
		return Stat{}, errors.New("parse stat: too few fields")
	}
	ppid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil {
		return Stat{}, errors.New("parse stat: bad number")
	}
	return Stat{State: f[0][0], PPID: ppid, Start: start}, nil
}

// Status is what CMD of a joined run takes over from /proc/PID/status.
// IDs are as the reader sees them (its own user namespace).
type Status struct {
	UID, GID               uint32 // effective
	Groups                 []uint32
	CapInh, CapPrm, CapEff uint64
	CapBnd                 uint64
	NoNewPrivs             bool
	// SeccompFilters is how many seccomp filters the process is under
	// (stacked: a child inherits its parent's and may add its own).
	SeccompFilters int
}

// ParseStatus reads the lines of /proc/PID/status that make a process's
// identity.
func ParseStatus(data []byte) (Status, error) {
	var st Status
	fields := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if key, val, ok := strings.Cut(line, ":"); ok {
			fields[key] = strings.Fields(val)
		}
	}
	id := func(key string, dst *uint32) error {
		f := fields[key]
		if len(f) < 2 { // real, effective, saved, filesystem
			return fmt.Errorf("parse status: %s: %q", key, f)
		}
		v, err := strconv.ParseUint(f[1], 10, 32)
		*dst = uint32(v)
		return err
	}
	capSet := func(key string, dst *uint64) error {
		f := fields[key]
		if len(f) != 1 {
			return fmt.Errorf("parse status: %s: %q", key, f)
		}
		v, err := strconv.ParseUint(f[0], 16, 64)
		*dst = v
		return err
	}
	err := errors.Join(id("Uid", &st.UID), id("Gid", &st.GID),
		capSet("CapInh", &st.CapInh), capSet("CapPrm", &st.CapPrm),
		capSet("CapEff", &st.CapEff), capSet("CapBnd", &st.CapBnd))
	for _, g := range fields["Groups"] {
		v, gerr := strconv.ParseUint(g, 10, 32)
		if gerr != nil {
			err = errors.Join(err, fmt.Errorf("parse status: group %q", g))
		}
		st.Groups = append(st.Groups, uint32(v))
	}
	nnp := fields["NoNewPrivs"]
	st.NoNewPrivs = len(nnp) == 1 && nnp[0] == "1"
	if f := fields["Seccomp_filters"]; len(f) == 1 {
		st.SeccompFilters, _ = strconv.Atoi(f[0])
	} else if f := fields["Seccomp"]; len(f) == 1 && f[0] != "0" {
		st.SeccompFilters = 1 // a kernel before 5.9 does not count them
	}
	return st, err
}

// MapID translates id, as the reader of /proc/PID/uid_map (or gid_map) sees
// it, into the ID the target's user namespace knows it by. Each line of the
// map is "inside outside count", outside being the reader's view.
func MapID(id uint32, idMap []byte) (uint32, error) {
	for _, line := range strings.Split(string(idMap), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		in, err1 := strconv.ParseUint(f[0], 10, 32)
		out, err2 := strconv.ParseUint(f[1], 10, 32)
		n, err3 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || err3 != nil {
			return 0, fmt.Errorf("parse id map line %q", line)
		}
		if uint64(id) >= out && uint64(id)-out < n {
			return uint32(in + uint64(id) - out), nil
		}
	}
	return 0, fmt.Errorf("id %d: not mapped in the user namespace", id)
}

// EnvPrefix marks variables of nsexec's own protocol, never handed on.
const EnvPrefix = "_NSEXEC_"

// ParseEnviron splits /proc/PID/environ into variables, dropping what is not
// NAME=value and nsexec's own variables.
func ParseEnviron(data []byte) []string {
	var env []string
	for _, kv := range strings.Split(string(data), "\x00") {
		if i := strings.IndexByte(kv, '='); i > 0 && !strings.HasPrefix(kv, EnvPrefix) {
			env = append(env, kv)
		}
	}
	return env
}

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

// FirstChild reads /proc/PID/task/PID/children: the oldest child comes
// first (the kernel appends forks and reparented orphans to the list).
func FirstChild(children []byte) (int, bool) {
	f := strings.Fields(string(children))
	if len(f) == 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(f[0])
	return pid, err == nil
}
