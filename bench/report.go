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
	phases   []casePhases
	rates    []caseRates
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

type casePhases struct {
	name   string
	phases []phase
}

type caseRates struct {
	name string
	res  []rates
}

func (r *report) addPhases(name string, ps []phase) {
	if len(ps) > 0 {
		r.phases = append(r.phases, casePhases{name, ps})
	}
}

func (r *report) addThroughput(name string, res []rates) {
	r.rates = append(r.rates, caseRates{name, res})
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
	if len(r.rates) > 0 {
		fmt.Fprintln(w, "case\tcommand\truns/s in a row\tours/peer\truns/s 4 at a time\tours/peer")
		for _, cr := range r.rates {
			printRates(w, cr)
		}
		fmt.Fprintln(w)
	}
	if len(r.phases) > 0 {
		fmt.Fprintln(w, "case\twhere nsexec's time goes (ms from its start, medians of -v runs)")
		for _, cp := range r.phases {
			fmt.Fprintf(w, "%s\t%s\n", cp.name, phasesString(cp.phases))
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

func printRates(w io.Writer, cr caseRates) {
	var ours rates
	if len(cr.res) > 0 {
		ours = cr.res[0]
	}
	for i, r := range cr.res {
		name := cr.name
		if i > 0 {
			name = ""
		}
		if r.failed != "" {
			fmt.Fprintf(w, "%s\t%s\t-\t\t-\t\tfailed: %s\n", name, r.tool, oneLine(r.failed))
			continue
		}
		seqRatio, parRatio := "", ""
		if i > 0 && r.seq > 0 && r.par > 0 {
			seqRatio, parRatio = fmt.Sprintf("%.2fx", ours.seq/r.seq), fmt.Sprintf("%.2fx", ours.par/r.par)
		}
		fmt.Fprintf(w, "%s\t%s\t%.0f\t%s\t%.0f\t%s\n", name, r.tool, r.seq, seqRatio, r.par, parRatio)
	}
}
