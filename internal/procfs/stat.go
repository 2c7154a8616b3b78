package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

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
