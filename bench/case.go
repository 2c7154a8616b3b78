package main

// A Case is one line of `make bench`: the same work done by nsexec and by
// each peer, timed side by side in one run. Feature files add their cases
// with addCase from an init function.
type Case struct {
	Name string
	// Ours is the nsexec command line; the word "nsexec" is replaced by the
	// freshly built binary.
	Ours []string
	// Peers maps a peer's name (unshare, bwrap, runc, crun, nsenter, ip...)
	// to its command line for the same work.
	Peers map[string][]string
	// Setup, when set, prepares what the commands need (a rootfs, a bundle,
	// a running instance) and returns how to remove it. It may change the
	// words of Ours and Peers in place (a PID it learnt).
	Setup func() (cleanup func(), err error)
	// MemoryOf, when set, makes the case a memory line instead of a timing
	// line: each command runs once, and as soon as a process of that name
	// (CMD, e.g. "sleep") runs under it, the resident memory of the process
	// started and of its first child (the namespace's PID 1) is read. The
	// commands must keep CMD running for a while (e.g. sleep 2).
	MemoryOf string
	// Throughput, when set, makes the case a throughput line: each command
	// runs that many times in a row, and that many times spread over 4
	// workers; the rates are printed.
	Throughput int
}

var cases []Case

func addCase(c Case) { cases = append(cases, c) }
