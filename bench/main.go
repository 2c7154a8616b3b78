// Command bench is `make bench`: it times nsexec against its peers on the same
// work, in one run, and prints medians and ratios.
//
// # How to read the output
//
// Timing table, one block per case (start-npu, start-user, start-all...):
//
//	case       command  runs  median ms  p90 ms  ours/peer
//	start-npu  nsexec   200   1.90       2.30
//	           unshare  200   1.60       1.95    1.19x
//
// Reading it:
//   - A time is the wall clock from fork to wait of one whole run of the
//     command line (the tool starts, sets up, runs CMD, cleans up, exits),
//     as a shell would see it. Commands of a case run interleaved, round by
//     round, so machine noise hits them alike.
//   - median is the typical run; p90 shows the tail (90% of runs were faster).
//   - ours/peer is nsexec's median divided by that peer's: below 1.00x nsexec
//     is faster, 1.30x means nsexec takes 30% longer than the peer.
//   - "failed: <why>" means that command did not succeed when checked once
//     before timing (a peer not installed, a flag refused); it is skipped.
//   - runs can be below -n when the case hit its time budget (-budget).
//
// Memory table (cases with MemoryOf, e.g. pid1-memory): each command runs
// once with CMD sleeping, and while it sleeps the resident memory of the
// process started (the parent: nsexec itself, unshare, bwrap) and of its first
// child (the PID 1 of the new PID namespace) is read from /proc: RSS is VmRSS
// from status, PSS is Pss from smaps_rollup (shared pages divided among their
// users, so it is what the process really adds). The name of each process is
// shown: nsexec's init is "exe" (it is /proc/self/exe re-executed); with
// unshare --fork, PID 1 is CMD itself (no init), so its memory is sleep's.
//
// Phases (timing cases): where nsexec's time goes, from `-v` runs of its
// command: each phase of the trace (parse, exeseal, cgroup, clone, init,
// mount, exec...) at the median time from nsexec's start at which it ended,
// and "end", the median wall time of those runs (see steps.go).
//
// Throughput table (cases with Throughput, e.g. throughput-npu): how many
// runs per second each command completes, one after another and 4 at a
// time; ours/peer there is nsexec's rate divided by the peer's (above 1.00x
// nsexec does more).
//
// The command lines of each case follow the tables. Flags: -n runs per
// command, -budget time per case, -total time shared by all cases,
// -filter REGEX on case names, -nsexec BINARY, -list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"
	"time"
)

func main() {
	runs := flag.Int("n", 200, "timed runs per command")
	budget := flag.Duration("budget", 30*time.Second, "stop timing a case after this long, whatever -n says")
	total := flag.Duration("total", 150*time.Second, "share this time among the cases left, so make bench stays short as cases are added")
	filter := flag.String("filter", "", "run only the cases whose name matches this regular expression")
	bin := flag.String("nsexec", "", "nsexec binary to time (default: ./nsexec at the module root)")
	list := flag.Bool("list", false, "list the cases and their command lines, run nothing")
	flag.Parse()
	if err := run(*runs, *budget, *total, *filter, *bin, *list); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(runs int, budget, total time.Duration, filter, bin string, list bool) error {
	re, err := regexp.Compile(filter)
	if err != nil {
		return fmt.Errorf("-filter: %w", err)
	}
	if bin == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		bin = filepath.Join(root, "nsexec")
	}
	if bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil && !list {
		return fmt.Errorf("nsexec binary: %w (run make build first)", err)
	}
	if os.Geteuid() != 0 && !list {
		fmt.Fprintln(os.Stderr, "bench: not root: the namespace commands will fail (run sudo make bench)")
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	// Ctrl-C stops timing but still runs the cases' clean-ups.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var selected []Case
	for _, c := range cases {
		if re.MatchString(c.Name) {
			selected = append(selected, c)
		}
	}
	var rep report
	begin := time.Now()
	for i, c := range selected {
		if ctx.Err() != nil {
			break
		}
		cmds := commandsOf(c, bin)
		if list {
			rep.addCommands(c.Name, cmds)
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s\n", c.Name)
		start := time.Now()
		opt := timingOptions{runs: runs, budget: caseBudget(budget, total-time.Since(begin), len(selected)-i), warmup: 3}
		if err := runCase(ctx, c, cmds, opt, devnull, &rep); err != nil {
			rep.addFailure(c.Name, err)
		}
		rep.addCommands(c.Name, cmds)
		fmt.Fprintf(os.Stderr, "bench: %s took %.1fs\n", c.Name, time.Since(start).Seconds())
	}
	rep.print(os.Stdout)
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	return nil
}

// runCase sets the case up, measures it and always cleans up.
func runCase(ctx context.Context, c Case, cmds []command, opt timingOptions, devnull *os.File, rep *report) error {
	if c.Setup != nil {
		cleanup, err := c.Setup()
		if err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		if cleanup != nil {
			defer cleanup()
		}
		// Setup may fill in the command lines (a PID known only once it
		// started an instance): take them again.
		cmds = commandsOf(c, cmds[0].argv[0])
	}
	if c.MemoryOf != "" {
		rep.addMemory(c.Name, measureMemory(cmds, c.MemoryOf, devnull))
		return nil
	}
	if c.Throughput > 0 {
		rep.addThroughput(c.Name, measureThroughput(ctx, cmds, c.Throughput, devnull))
		return nil
	}
	rep.addTimings(c.Name, timeCase(ctx, cmds, opt, devnull))
	if c.Throughput == 0 {
		rep.addPhases(c.Name, tracePhases(cmds[0], devnull))
	}
	return nil
}

// caseBudget is the time a case may take: its own budget, or less when the
// time left must be shared with the cases still to run (2 s at least).
func caseBudget(budget, left time.Duration, cases int) time.Duration {
	share := left / time.Duration(cases)
	if share < 2*time.Second {
		share = 2 * time.Second
	}
	return min(budget, share)
}

// moduleRoot is the nearest directory at or above the working directory
// with a go.mod (`go run ./bench` runs in the module root).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from the module (make bench)")
		}
		dir = parent
	}
}
