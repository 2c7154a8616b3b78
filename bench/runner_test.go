package main

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCommandsOfPutsNsexecFirstAndPeersByName(t *testing.T) {
	c := Case{
		Ours:  []string{"nsexec", "-p", "env", "nsexec"},
		Peers: map[string][]string{"unshare": {"unshare", "-p"}, "bwrap": {"bwrap"}},
	}
	got := commandsOf(c, "/abs/nsexec")
	var tools []string
	for _, cmd := range got {
		tools = append(tools, cmd.tool)
	}
	if want := []string{"nsexec", "bwrap", "unshare"}; !reflect.DeepEqual(tools, want) {
		t.Errorf("order %v, want %v", tools, want)
	}
	if want := []string{"/abs/nsexec", "-p", "env", "/abs/nsexec"}; !reflect.DeepEqual(got[0].argv, want) {
		t.Errorf("ours %v, want %v", got[0].argv, want)
	}
	if c.Ours[0] != "nsexec" {
		t.Error("commandsOf changed the case's own slice")
	}
}

// A peer that fails its check or is missing is reported and skipped; the
// others are timed the number of runs asked for.
func TestTimeCaseSkipsFailingPeers(t *testing.T) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	cmds := commandsOf(Case{
		Ours: []string{"true"},
		Peers: map[string][]string{
			"false":   {"sh", "-c", "echo refused >&2; exit 3"},
			"missing": {"no-such-tool-for-bench"},
			"true":    {"true"},
		},
	}, "")
	res := timeCase(context.Background(), cmds, timingOptions{runs: 7, budget: time.Minute}, devnull)
	byTool := map[string]timing{}
	for _, r := range res {
		byTool[r.tool] = r
	}
	for _, tool := range []string{"nsexec", "true"} {
		if r := byTool[tool]; r.failed != "" || len(r.runs) != 7 {
			t.Errorf("%s: failed %q, %d runs, want 7 runs", tool, r.failed, len(r.runs))
		}
	}
	if r := byTool["false"]; !strings.Contains(r.failed, "exit status 3: refused") || len(r.runs) != 0 {
		t.Errorf("failing peer: failed %q, %d runs", r.failed, len(r.runs))
	}
	if r := byTool["missing"]; !strings.Contains(r.failed, "not installed") {
		t.Errorf("missing peer: failed %q", r.failed)
	}
}

// A timed run that fails is left out and counted, with its stderr as the
// reason, and the command goes on being timed.
func TestTimeCaseCountsFailedRuns(t *testing.T) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	counter := t.TempDir() + "/n"
	// Fails on its 3rd, 6th, 9th... run (the check is the 1st).
	flaky := `n=$(cat "$0" 2>/dev/null || echo 0); echo $((n+1)) >"$0"; [ $((n % 3)) -ne 2 ] || { echo flaky >&2; exit 4; }`
	cmds := commandsOf(Case{Ours: []string{"sh", "-c", flaky, counter}}, "")
	r := timeCase(context.Background(), cmds, timingOptions{runs: 8, budget: time.Minute}, devnull)[0]
	if r.failed != "" || r.failures != 3 || len(r.runs) != 5 {
		t.Errorf("failed %q, %d failures, %d runs; want 3 failures, 5 runs", r.failed, r.failures, len(r.runs))
	}
	if !strings.Contains(r.why, "exit status 4: flaky") {
		t.Errorf("why %q, want the exit status and stderr", r.why)
	}
}

func TestMedianAndPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	for _, tc := range []struct {
		runs        []time.Duration
		median, p90 float64
	}{
		{nil, 0, 0},
		{ms(5), 5, 5},
		{ms(3, 1, 2), 2, 3},
		{ms(4, 1, 3, 2), 2.5, 4},
		{ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 5.5, 9},
	} {
		if got := median(tc.runs); got != tc.median {
			t.Errorf("median(%v) = %v, want %v", tc.runs, got, tc.median)
		}
		if got := percentile(tc.runs, 0.9); got != tc.p90 {
			t.Errorf("p90(%v) = %v, want %v", tc.runs, got, tc.p90)
		}
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		comm string
		ppid int
		ok   bool
	}{
		{"42 (sleep) S 41 42 1 0", "sleep", 41, true},
		{"7 (a (b) c) R 1 7 7 0", "a (b) c", 1, true},
		{"9 (x) Z", "", 0, false},
		{"garbage", "", 0, false},
	} {
		comm, ppid, err := parseStat(tc.in)
		if (err == nil) != tc.ok || comm != tc.comm || ppid != tc.ppid {
			t.Errorf("parseStat(%q) = %q, %d, %v", tc.in, comm, ppid, err)
		}
	}
}

func TestKbField(t *testing.T) {
	status := "Name:\tsleep\nVmRSS:\t    1544 kB\nVmHWM:\t 2000 kB\n"
	if v, err := kbField(status, "VmRSS"); err != nil || v != 1544 {
		t.Errorf("VmRSS = %d, %v", v, err)
	}
	rollup := "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 1500 kB\nPss:                 301 kB\nPss_Anon: 80 kB\n"
	if v, err := kbField(rollup, "Pss"); err != nil || v != 301 {
		t.Errorf("Pss = %d, %v", v, err)
	}
	if _, err := kbField(status, "Pss"); err == nil {
		t.Error("a missing field gave no error")
	}
}

func TestCaseBudgetSharesWhatIsLeft(t *testing.T) {
	for _, tc := range []struct {
		budget, left time.Duration
		cases        int
		want         time.Duration
	}{
		{30 * time.Second, 150 * time.Second, 3, 30 * time.Second},
		{30 * time.Second, 150 * time.Second, 10, 15 * time.Second},
		{30 * time.Second, time.Second, 4, 2 * time.Second},
		{30 * time.Second, -time.Minute, 1, 2 * time.Second},
	} {
		if got := caseBudget(tc.budget, tc.left, tc.cases); got != tc.want {
			t.Errorf("caseBudget(%v, %v, %d) = %v, want %v", tc.budget, tc.left, tc.cases, got, tc.want)
		}
	}
}
