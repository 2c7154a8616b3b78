package main

// Issue 3's case: running /bin/true in a busybox rootfs with its own PID
// namespace and /proc, /dev. bwrap's line is the issue's; runc and crun run
// the same rootfs as an OCI bundle from `runc spec` (which also makes net,
// IPC, UTS and cgroup namespaces, masks paths and applies a seccomp
// profile: a container runtime's full start, as a user pays it). nsexec's
// --rootfs makes mount, PID, UTS, IPC and cgroup namespaces, as a
// container's, but keeps the host's network unless asked.
func init() {
	b := newBundle("rootfs", "true")
	addCase(Case{
		Name: "rootfs",
		Ours: []string{"nsexec", "-p", "-m", "--rootfs", b.Rootfs(), "true"},
		Peers: map[string][]string{
			"bwrap": {"bwrap", "--unshare-pid", "--bind", b.Rootfs(), "/", "--proc", "/proc", "--dev", "/dev", "true"},
			"runc":  b.Runc(),
			"crun":  b.Crun(),
		},
		Setup: b.Setup,
	})
}
