package main

// Issue 2's start-up cases: nsexec against unshare (the peer) and
// bwrap, each running /bin/true in the same new namespaces. nsexec does a
// little more than unshare: it also sets the hostname, brings lo up and runs
// an init as PID 1. bwrap needs a root to bind, so it binds the host's.
//
// Every peer line was checked to work as root here (util-linux 2.38,
// bubblewrap 0.8): unshare takes -C and -T with -U -r as they are; bwrap
// has no time namespace, so its "all" line lacks -T.
func init() {
	addCase(Case{
		Name: "start-npu",
		Ours: []string{"nsexec", "-npu", "h", "true"},
		Peers: map[string][]string{
			"unshare": {"unshare", "-npu", "--fork", "--mount-proc", "true"},
			"bwrap": {"bwrap", "--unshare-net", "--unshare-pid", "--unshare-uts", "--hostname", "h",
				"--dev-bind", "/", "/", "--proc", "/proc", "true"},
		},
	})
	addCase(Case{
		Name: "start-user",
		Ours: []string{"nsexec", "-U", "-npu", "h", "true"},
		Peers: map[string][]string{
			"unshare": {"unshare", "-U", "-r", "-npu", "--fork", "--mount-proc", "true"},
			"bwrap": {"bwrap", "--unshare-user", "--uid", "0", "--gid", "0", "--unshare-net", "--unshare-pid",
				"--unshare-uts", "--hostname", "h", "--dev-bind", "/", "/", "--proc", "/proc", "true"},
		},
	})
	addCase(Case{
		Name: "start-all",
		Ours: []string{"nsexec", "-a", "-u", "h", "true"},
		Peers: map[string][]string{
			"unshare": {"unshare", "-U", "-r", "-m", "-u", "-i", "-n", "-p", "-C", "-T", "--fork", "--mount-proc", "true"},
			"bwrap": {"bwrap", "--unshare-all", "--uid", "0", "--gid", "0", "--hostname", "h",
				"--dev-bind", "/", "/", "--proc", "/proc", "true"},
		},
	})
	// The resident memory of the PID 1 init while CMD sleeps (issue 2).
	addCase(Case{
		Name:     "pid1-memory",
		Ours:     []string{"nsexec", "-p", "sleep", "2"},
		MemoryOf: "sleep",
		Peers: map[string][]string{
			"unshare": {"unshare", "-p", "--fork", "--mount-proc", "sleep", "2"},
			"bwrap":   {"bwrap", "--unshare-pid", "--dev-bind", "/", "/", "--proc", "/proc", "sleep", "2"},
		},
	})
}
