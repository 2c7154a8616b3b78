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
	failed string // why the command was not (fully) timed; empty if it was
	runs   []time.Duration
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
			if t.failed != "" {
				continue
			}
			start := time.Now()
			err := t.cmd(devnull).Run()
			d := time.Since(start)
			if err != nil {
				t.failed = fmt.Sprintf("run %d: %v", len(t.runs)+1, err)
				continue
			}
			t.runs = append(t.runs, d)
		}
	}
	return res
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
