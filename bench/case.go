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
	// a running instance) and returns how to remove it.
	Setup func() (cleanup func(), err error)
}

var cases []Case

func addCase(c Case) { cases = append(cases, c) }
