package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// A report gathers every case's results and prints them as tables at the
// end, so that the columns line up across cases.
type report struct {
	timings  []caseTimings
	memories []caseMemories
	failures []string
	commands []string
}

type caseTimings struct {
	name string
	res  []timing
}

type caseMemories struct {
	name string
	res  []memory
}

func (r *report) addTimings(name string, res []timing) {
	r.timings = append(r.timings, caseTimings{name, res})
	for _, t := range res {
		if t.failures > 0 {
			r.failures = append(r.failures, fmt.Sprintf("%s: %s: %d timed runs failed and are left out; the first: %s",
				name, t.tool, t.failures, t.why))
		}
	}
}

func (r *report) addMemory(name string, res []memory) {
	r.memories = append(r.memories, caseMemories{name, res})
}

func (r *report) addFailure(name string, err error) {
	r.failures = append(r.failures, fmt.Sprintf("%s: failed: %v", name, err))
}

func (r *report) addCommands(name string, cmds []command) {
	for _, c := range cmds {
		r.commands = append(r.commands, fmt.Sprintf("%s\t%s\t%s", name, c.tool, c.String()))
	}
}

func (r *report) print(out io.Writer) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	if len(r.timings) > 0 {
		fmt.Fprintln(w, "case\tcommand\truns\tmedian ms\tp90 ms\tours/peer")
		for _, ct := range r.timings {
			printTimings(w, ct)
		}
		fmt.Fprintln(w)
	}
	if len(r.memories) > 0 {
		fmt.Fprintln(w, "case\tcommand\tparent\tRSS kB\tPSS kB\tPID 1\tRSS kB\tPSS kB")
		for _, cm := range r.memories {
			printMemories(w, cm)
		}
		fmt.Fprintln(w)
	}
	w.Flush()
	for _, f := range r.failures {
		fmt.Fprintln(out, f)
	}
	if len(r.commands) > 0 {
		fmt.Fprintln(out, "command lines:")
		w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, c := range r.commands {
			fmt.Fprintln(w, "  "+c)
		}
		w.Flush()
	}
}

func printTimings(w io.Writer, ct caseTimings) {
	var ours float64
	if len(ct.res) > 0 {
		ours = median(ct.res[0].runs)
	}
	for i, t := range ct.res {
		name := ct.name
		if i > 0 {
			name = ""
		}
		if t.failed != "" {
			fmt.Fprintf(w, "%s\t%s\t-\t-\t-\tfailed: %s\n", name, t.tool, oneLine(t.failed))
			continue
		}
		ratio := ""
		if i > 0 && ours > 0 {
			ratio = fmt.Sprintf("%.2fx", ours/median(t.runs))
		}
		if len(t.runs) == 0 {
			fmt.Fprintf(w, "%s\t%s\t-\t-\t-\tfailed: %s\n", name, t.tool, oneLine(t.why))
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%.2f\t%.2f\t%s\n", name, t.tool, len(t.runs),
			median(t.runs), percentile(t.runs, 0.9), ratio)
	}
}

func printMemories(w io.Writer, cm caseMemories) {
	for i, m := range cm.res {
		name := cm.name
		if i > 0 {
			name = ""
		}
		if m.failed != "" {
			fmt.Fprintf(w, "%s\t%s\t-\t-\t-\t-\t-\tfailed: %s\n", name, m.tool, oneLine(m.failed))
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%d\t%d\n", name, m.tool,
			m.parent.comm, m.parent.rss, m.parent.pss, m.pid1.comm, m.pid1.rss, m.pid1.pss)
	}
}

// oneLine keeps a failure on its table row (tabs would split it).
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}
