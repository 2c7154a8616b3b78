package main

import (
	"bytes"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Where a case's time goes: nsexec's command runs again with -v, and its
// trace lines ("nsexec: [  1.794 ms] clone: pid 10193 ... (0.466 ms)")
// give, per phase (the word before the first colon: parse, exeseal, cgroup,
// clone, init, mount, exec...), the time from nsexec's start at which the
// phase's last step ended. The medians over a few runs are printed beside
// the ratios, with the whole run's wall time last ("end"): so the gap
// between exec and end is what CMD's exit, PID 1's, the wait and nsexec's
// own clean-up and exit cost. The trace starts at nsexec's main: the Go
// runtime's start before it is in "end" only.

// stepRuns is how many -v runs the phases are taken from.
const stepRuns = 25

// A phase is when one phase of the trace ended, in ms from nsexec's start.
type phase struct {
	name string
	at   float64
}

var traceLine = regexp.MustCompile(`^nsexec: \[\s*([0-9.]+) ms\] ([^:(]+):`)

// parseTrace reads a -v trace: each phase once, in the order it first
// appears, at the time its last line says.
func parseTrace(trace string) []phase {
	var out []phase
	index := map[string]int{}
	for _, l := range strings.Split(trace, "\n") {
		m := traceLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		at, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			continue
		}
		name := strings.TrimSpace(m[2])
		if i, ok := index[name]; ok {
			out[i].at = at
			continue
		}
		index[name] = len(out)
		out = append(out, phase{name, at})
	}
	return out
}

// tracePhases runs cmd with -v after its binary stepRuns times and returns
// each phase's median, then "end": the median wall time of those runs.
func tracePhases(cmd command, devnull *os.File) []phase {
	if cmd.path == "" && cmd.resolve() != nil {
		return nil
	}
	v := command{tool: cmd.tool, path: cmd.path, argv: append([]string{cmd.argv[0], "-v"}, cmd.argv[1:]...)}
	ats := map[string][]time.Duration{}
	var order []string
	var walls []time.Duration
	for range stepRuns {
		c := v.cmd(devnull)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		start := time.Now()
		if err := c.Run(); err != nil {
			return nil
		}
		walls = append(walls, time.Since(start))
		for _, p := range parseTrace(stderr.String()) {
			if _, ok := ats[p.name]; !ok {
				order = append(order, p.name)
			}
			ats[p.name] = append(ats[p.name], time.Duration(p.at*float64(time.Millisecond)))
		}
	}
	out := make([]phase, 0, len(order)+1)
	for _, name := range order {
		out = append(out, phase{name, median(ats[name])})
	}
	// By the time they ended: a phase may come back later, in the init
	// (security: the parent compiles the filter, PID 1 confines itself).
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return append(out, phase{"end", median(walls)})
}

// phasesString is the report's line of phases.
func phasesString(ps []phase) string {
	w := make([]string, len(ps))
	for i, p := range ps {
		w[i] = p.name + " " + strconv.FormatFloat(p.at, 'f', 2, 64)
	}
	return strings.Join(w, " | ")
}
