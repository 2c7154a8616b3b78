package state

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Record is one named instance.
type Record struct {
	Name string `json:"name"`
	// PID is the process nsexec cloned (its init), 0 while the run is
	// starting; PIDStart is its start time in clock ticks since boot.
	PID      int    `json:"pid"`
	PIDStart uint64 `json:"pid_start"`
	// CMDDepth is how many first-child steps lead from PID to CMD.
	CMDDepth int `json:"cmd_depth"`
	// Parent is the nsexec process that started the run: the record's
	// owner until the init exists, and the one that removes it at the end.
	Parent      int    `json:"nsexec_pid"`
	ParentStart uint64 `json:"nsexec_start"`
	// Supervised says that the run ends when Parent does.
	Supervised bool      `json:"supervised,omitempty"`
	Namespaces []string  `json:"namespaces"`       // created by the run
	Joined     []string  `json:"joined,omitempty"` // joined by the run
	Command    []string  `json:"command"`
	Started    time.Time `json:"started"`
	// Seccomp is the filter CMD runs under, for --join to put a joined
	// command under it too; nil: none.
	Seccomp *Filter `json:"seccomp,omitempty"`
	// Undo is what the run's host parts must undo when it ends, for a
	// process other than its nsexec (a later delete), last step last.
	Undo []UndoStep `json:"undo,omitempty"`
}

// UndoStep is one host part's undo: its kind, and what it needs.
type UndoStep struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

// Filter is a seccomp filter as seccomp(2) takes it.
type Filter struct {
	Flags   uint32 `json:"flags"`
	Program []byte `json:"program"` // struct sock_filter records, native byte order
}

// Live reports whether the instance still runs, given a probe that says
// whether the process with that PID and start time is alive: its init, once
// it exists (and its nsexec, when that supervises it: the nsexec command
// line's runs; an OCI container after create has none); the nsexec that is
// starting it before.
func (r Record) Live(alive func(pid int, start uint64) bool) bool {
	if r.PID == 0 {
		return alive(r.Parent, r.ParentStart)
	}
	// A supervised run ends with its nsexec (the init gets SIGKILL then):
	// it is over at once, even while its init is still dying.
	return alive(r.PID, r.PIDStart) && (!r.Supervised || alive(r.Parent, r.ParentStart))
}

// Entry is what --list --json shows of an instance.
type Entry struct {
	Name       string    `json:"name"`
	PID        int       `json:"pid"`
	Namespaces []string  `json:"namespaces"`
	Joined     []string  `json:"joined,omitempty"`
	Command    []string  `json:"command"`
	Started    time.Time `json:"started"`
}

// Entries turns records into what --list shows, oldest first.
func Entries(recs []Record) []Entry {
	out := make([]Entry, 0, len(recs))
	for _, r := range recs {
		ns := r.Namespaces
		if ns == nil {
			ns = []string{}
		}
		out = append(out, Entry{r.Name, r.PID, ns, r.Joined, r.Command, r.Started})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// WriteTable prints entries as `nsexec --list` does: aligned columns, the
// joined namespaces after the created ones, marked with "+".
func WriteTable(w io.Writer, entries []Entry) error {
	rows := [][]string{{"NAME", "PID", "NAMESPACES", "STARTED", "COMMAND"}}
	for _, e := range entries {
		ns := strings.Join(e.Namespaces, ",")
		for _, j := range e.Joined {
			ns += "," + "+" + j
		}
		ns = strings.TrimPrefix(ns, ",")
		if ns == "" {
			ns = "-"
		}
		rows = append(rows, []string{e.Name, strconv.Itoa(e.PID), ns,
			e.Started.Local().Format("2006-01-02 15:04:05"), quoteCommand(e.Command)})
	}
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], len(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell + "\n")
			} else {
				fmt.Fprintf(&b, "%-*s  ", width[i], cell)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// quoteCommand shows a command line so that words with spaces stay visible.
func quoteCommand(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$") {
			a = strconv.Quote(a)
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
