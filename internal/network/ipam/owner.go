package ipam

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Self is the calling process as a lease owner.
func Self() (Owner, error) {
	start, err := StartTime(os.Getpid())
	if err != nil {
		return Owner{}, err
	}
	return Owner{PID: os.Getpid(), Start: start}, nil
}

// Alive reports whether o still runs: its PID exists, started when o says,
// and is not a zombie (an init killed with its nsexec may wait a while for
// a reaper that does not reap it).
func (o Owner) Alive() bool {
	start, state, err := stat(o.PID)
	return err == nil && start == o.Start && state != "Z" && state != "X"
}

// StartTime reads field 22 of /proc/PID/stat. The command name (field 2) may
// hold spaces and parentheses, so fields are counted after its last ')'.
func StartTime(pid int) (uint64, error) {
	start, _, err := stat(pid)
	return start, err
}

// stat reads the start time and the state (field 3) of a process.
func stat(pid int) (start uint64, state string, err error) {
	if pid <= 0 {
		return 0, "", fmt.Errorf("pid %d: not a process", pid)
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", err
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return 0, "", fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	start, err = strconv.ParseUint(f[19], 10, 64) // field 22 is the 20th after the name
	return start, f[0], err
}
