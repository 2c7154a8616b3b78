package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Mounts returns the host's mount points, to compare before and after runs.
func Mounts(t testing.TB) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 {
			m[f[4]] = true
		}
	}
	return m
}

// NoNewMounts fails the test if the host has a mount point now that it did
// not have before.
func NoNewMounts(t testing.TB, before map[string]bool) {
	t.Helper()
	for mp := range Mounts(t) {
		// /run/netns is made a shared mount of itself by the first
		// `ip netns add`, or persisted network namespace, and stays, as ip
		// leaves it; scripts/test.sh removes it after the suite.
		if !before[mp] && mp != "/run/netns" {
			t.Errorf("mount left on the host: %s", mp)
		}
	}
}

// ProcessesWith returns the host PIDs whose command line contains marker.
func ProcessesWith(marker string) []string {
	var pids []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err == nil && strings.Contains(string(cmdline), marker) {
			pids = append(pids, filepath.Base(d))
		}
	}
	return pids
}
