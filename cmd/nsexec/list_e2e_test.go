package main

// End-to-end tests of issue 4: named instances, --list, and bad input.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nsexec/internal/testutil"
)

// Issue 4, point 4: --list is right under concurrency: 20 named instances,
// half killed with SIGKILL, exactly the live ones listed, no record left of
// the dead.
func TestListConcurrent(t *testing.T) {
	testutil.RequireRoot(t)
	prefix := unique("nsxl") + "-"
	cmds := make([]*exec.Cmd, 20)
	for i := range cmds {
		cmds[i] = testutil.Command(t, "--name", fmt.Sprintf("%s%02d", prefix, i), "-p", "sleep", "300")
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
		stopOnCleanup(t, cmds[i])
	}
	list := func() map[string]int {
		r := testutil.Run(t, "--list", "--json").MustSucceed(t)
		var entries []struct {
			Name string `json:"name"`
			PID  int    `json:"pid"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &entries); err != nil {
			t.Fatalf("--list --json: %v\n%s", err, r.Stdout)
		}
		got := map[string]int{}
		for _, e := range entries {
			if strings.HasPrefix(e.Name, prefix) {
				got[e.Name] = e.PID
			}
		}
		return got
	}
	var all map[string]int
	if !testutil.WaitFor(20*time.Second, func() bool { all = list(); return len(all) == 20 }) {
		t.Fatalf("listed %d of 20 instances: %v", len(all), all)
	}
	for i := 0; i < 20; i += 2 {
		cmds[i].Process.Kill()
		cmds[i].Wait()
	}
	live := list()
	for i := range cmds {
		name := fmt.Sprintf("%s%02d", prefix, i)
		_, listed := live[name]
		_, statErr := os.Stat("/run/nsexec/" + name + ".json")
		if dead := i%2 == 0; dead == listed || dead == (statErr == nil) {
			t.Errorf("%s (killed: %v): listed %v, record: %v", name, dead, listed, statErr)
		}
	}
	// The text table shows the same.
	table := testutil.Run(t, "--list").MustSucceed(t).Stdout
	if !strings.HasPrefix(table, "NAME ") || strings.Count(table, prefix) != 10 {
		t.Errorf("--list:\n%s", table)
	}
	// The inits of the killed runs go too (they get SIGKILL with nsexec).
	for i := 0; i < 20; i += 2 {
		pid := all[fmt.Sprintf("%s%02d", prefix, i)]
		if !testutil.WaitFor(5*time.Second, func() bool { _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); return err != nil }) {
			t.Errorf("init %d of a killed run still there", pid)
		}
	}
}

// Issue 4, point 5: bad input fails with one clear line and leaves nothing.
func TestJoinBadInput(t *testing.T) {
	testutil.RequireRoot(t)
	gone := exec.Command("true")
	gone.Run()
	gonePID := strconv.Itoa(gone.Process.Pid)
	dup := unique("nsxd")
	first := startInstance(t, []string{"--name", dup, "-u", "dup"}, "", false)
	uts := fmt.Sprintf("/proc/%d/ns/uts", first.main)
	existing := filepath.Join(t.TempDir(), "exists")
	madeFirst := filepath.Join(t.TempDir(), "uts")
	os.WriteFile(existing, nil, 0o644)
	marker := unique("nsxbad")
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"--join", gonePID}, "nsexec: --join " + gonePID + ": no process " + gonePID},
		{[]string{"--join-net", gonePID}, "nsexec: --join-net " + gonePID + ": no process " + gonePID},
		{[]string{"--join-net", "/etc/hostname"}, "nsexec: --join-net /etc/hostname: /etc/hostname: not a namespace file"},
		{[]string{"--join-net", uts}, "nsexec: --join-net " + uts + ": " + uts + ": a uts namespace, not a net namespace"},
		{[]string{"--join-mount", "/nonexistent"}, "nsexec: --join-mount /nonexistent: /nonexistent: no such file"},
		{[]string{"--join", "no-such-instance-" + marker}, "no running instance named no-such-instance-" + marker},
		{[]string{"--name", dup, "-n"}, fmt.Sprintf("nsexec: --name: instance name %s: taken by a running instance (PID %d)", dup, first.init)},
		{[]string{"--name", "bad/name"}, "nsexec: instance name \"bad/name\""},
		{[]string{"--persist-net", existing}, "already exists"},
		// The first file is made, the second refused: the first goes too.
		{[]string{"--persist-uts", madeFirst, "--persist-net", existing}, "already exists"},
		{[]string{"-n", "--join-net", "1"}, "nsexec: --net and --join-net: a namespace is either new or joined"},
	}
	before := testutil.Mounts(t)
	records, _ := filepath.Glob("/run/nsexec/*.json")
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := testutil.Run(t, append(tt.args, "sh", "-c", ": "+marker)...)
			if r.Code != 125 || !strings.Contains(r.Stderr, tt.err) {
				t.Errorf("exit %d, stderr %q; want 125 and %q", r.Code, r.Stderr, tt.err)
			}
			if strings.Count(r.Stderr, "nsexec: ") != 1 {
				t.Errorf("stderr %q: want the error once", r.Stderr)
			}
		})
	}
	testutil.NoNewMounts(t, before)
	if left := testutil.ProcessesWith(marker); len(left) != 0 {
		t.Errorf("processes left: %v", left)
	}
	if _, err := os.Stat(madeFirst); !os.IsNotExist(err) {
		t.Errorf("%s left by a refused run: %v", madeFirst, err)
	}
	if now, _ := filepath.Glob("/run/nsexec/*.json"); len(now) > len(records) {
		t.Errorf("records left: %v (before: %v)", now, records)
	}
	// The instance whose name was asked for again is untouched.
	if r := testutil.Run(t, "--join", dup, "hostname").MustSucceed(t); r.Stdout != "dup\n" {
		t.Errorf("--join %s after the duplicate: %q", dup, r.Stdout)
	}
}
