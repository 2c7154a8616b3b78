package ipam

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Self is the calling process as a lease owner.
func Self() (Owner, error) {
	start, err := startTime(os.Getpid())
	if err != nil {
		return Owner{}, err
	}
	return Owner{PID: os.Getpid(), Start: start}, nil
}

// Alive reports whether o still runs: its PID exists and started when o says.
func (o Owner) Alive() bool {
	start, err := startTime(o.PID)
	return err == nil && start == o.Start
}

// startTime reads field 22 of /proc/PID/stat. The command name (field 2) may
// hold spaces and parentheses, so fields are counted after its last ')'.
func startTime(pid int) (uint64, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("pid %d: not a process", pid)
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	return strconv.ParseUint(f[19], 10, 64) // field 22 is the 20th after the name
}
