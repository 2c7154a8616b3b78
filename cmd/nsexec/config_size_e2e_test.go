package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nsexec/internal/testutil"
)

// The config reaches the init whole, whatever its size: the confinement
// records come last, and a config cut short once ran CMD unconfined (issue
// 9, hole 1: 64 KiB). Each case checks the confinement from inside.
func TestLargeConfigArrivesWhole(t *testing.T) {
	testutil.RequireRoot(t)
	root := testutil.BusyboxRootfs(t)
	status := `grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status`
	// A container run's defaults: Docker's capabilities, no_new_privs, a filter.
	want := []string{"CapEff:\t00000000a80425fb", "NoNewPrivs:\t1", "Seccomp:\t2"}

	t.Run("environment of 420 KiB", func(t *testing.T) {
		// One string is at most 128 KiB for execve (MAX_ARG_STRLEN): seven of 60 KiB.
		args := []string{"-p", "--rootfs", root}
		for i := range 7 {
			args = append(args, "--env", fmt.Sprintf("X%d=%s", i, strings.Repeat("x", 60<<10)))
		}
		r := testutil.Run(t, append(args, "sh", "-c", status+`; echo len=${#X6}`)...).MustSucceed(t)
		checkLines(t, r.Stdout, append(want, fmt.Sprintf("len=%d", 60<<10)))
	})

	t.Run("2000 binds", func(t *testing.T) {
		src := t.TempDir()
		os.WriteFile(filepath.Join(src, "mark"), []byte("here\n"), 0o644)
		args := []string{"-p", "--rootfs", root}
		for i := range 2000 {
			args = append(args, "--ro-bind", fmt.Sprintf("%s:/mnt/b%d", src, i))
		}
		r := testutil.Run(t, append(args, "sh", "-c", status+`; cat /mnt/b1999/mark; grep -c " /mnt/b" /proc/self/mountinfo`)...).MustSucceed(t)
		checkLines(t, r.Stdout, append(want, "here", "2000"))
	})

	t.Run("seccomp profile of 4000 instructions", func(t *testing.T) {
		// Allow all but mkdir, with 800 argument rules before it (about 64 KiB of BPF as hex).
		type arg struct {
			Index uint   `json:"index"`
			Value uint64 `json:"value"`
			Op    string `json:"op"`
		}
		type rule struct {
			Names  []string `json:"names"`
			Action string   `json:"action"`
			Args   []arg    `json:"args,omitempty"`
		}
		var rules []rule
		for i := range 800 {
			rules = append(rules, rule{[]string{"personality"}, "SCMP_ACT_ERRNO", []arg{{0, uint64(0x7000 + i), "SCMP_CMP_EQ"}}})
		}
		rules = append(rules, rule{Names: []string{"mkdir", "mkdirat"}, Action: "SCMP_ACT_ERRNO"})
		profile, _ := json.Marshal(map[string]any{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": rules})
		file := filepath.Join(t.TempDir(), "big.json")
		os.WriteFile(file, profile, 0o644)
		r := testutil.Run(t, "-p", "--rootfs", root, "--seccomp", file, "-v", "sh", "-c",
			status+`; mkdir /tmp/d 2>/dev/null && echo MKDIR || echo refused`).MustSucceed(t)
		checkLines(t, r.Stdout, append(want, "refused"))
	})
}

func checkLines(t *testing.T, out string, want []string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, w := range want {
		if !have[strings.TrimSpace(w)] {
			t.Errorf("no line %q in:\n%.2000s", w, out)
		}
	}
}
