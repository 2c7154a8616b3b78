package nsenter

import (
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
