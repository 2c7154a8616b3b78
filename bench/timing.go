package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"
)

// A timing is what one command of a timing case measured.
type timing struct {
	command
	failed   string // why the check failed, so the command was not timed
	runs     []time.Duration
	failures int    // timed runs that failed (not counted in runs)
	why      string // why the first of them failed
	stderr   *os.File
}

// timingOptions bound how long a case is timed.
type timingOptions struct {
	runs   int           // runs per command
	budget time.Duration // stop earlier once a case has taken this long
	warmup int           // untimed runs per command after the check
}

// timeCase checks each command once, then times the ones that work in
// rounds: every round runs each command once, starting from a different one
// each time, so that machine noise and order effects hit all alike.
func timeCase(ctx context.Context, cmds []command, opt timingOptions, devnull *os.File) []timing {
	res := make([]timing, len(cmds))
	var live []*timing
	for i := range cmds {
		res[i].command = cmds[i]
		if err := res[i].check(devnull); err != nil {
			res[i].failed = err.Error()
			continue
		}
		f, err := stderrFile()
		if err != nil {
			res[i].failed = err.Error()
			continue
		}
		defer f.Close()
		res[i].stderr = f
		live = append(live, &res[i])
	}
	for w := 0; w < opt.warmup; w++ {
		for _, t := range live {
			t.cmd(devnull).Run()
		}
	}
	deadline := time.Now().Add(opt.budget)
	for round := 0; round < opt.runs && len(live) > 0; round++ {
		if ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
		for k := range live {
			t := live[(round+k)%len(live)]
			cmd := t.cmd(devnull)
			cmd.Stderr = t.stderr
			t.stderr.Truncate(0)
			t.stderr.Seek(0, 0)
			start := time.Now()
			err := cmd.Run()
			d := time.Since(start)
			if err != nil {
				t.recordFailure(round, err)
				continue
			}
			t.runs = append(t.runs, d)
		}
	}
	return res
}

// recordFailure records a timed run that failed: a peer can fail now and then when
// the machine is busy; the run is left out and the failure reported.
func (t *timing) recordFailure(round int, err error) {
	t.failures++
	if t.why != "" {
		return
	}
	t.why = fmt.Sprintf("run %d: %v", round+1, err)
	t.stderr.Seek(0, 0)
	buf := make([]byte, 512)
	if n, _ := t.stderr.Read(buf); n > 0 {
		t.why += ": " + firstLine(string(buf[:n]))
	}
}

// stderrFile is an unlinked file that holds a run's stderr: like /dev/null
// it costs no pipe or goroutine during the run, yet tells why a run failed.
func stderrFile() (*os.File, error) {
	f, err := os.CreateTemp("", "nsexec-bench-stderr-")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 1), in ms.
func percentile(runs []time.Duration, p float64) float64 {
	if len(runs) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), runs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(p*float64(len(s))+0.999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(s) {
		rank = len(s) - 1
	}
	return float64(s[rank]) / float64(time.Millisecond)
}

// median is the middle run in ms (the mean of the two middle ones for an
// even count).
func median(runs []time.Duration) float64 {
	if len(runs) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), runs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return float64(m) / float64(time.Millisecond)
}
