// Package cgroups gives a run a cgroup of its own, on cgroup v2 or on the
// v1 hierarchies: it creates it under a parent, sets its limits, moves the
// init in, reads how it ended (OOM kills), and removes it, killing whatever
// is left. A run holds a flock on each of its directories for as long as
// it lives, so the cgroup of a run whose nsexec died (SIGKILL) is known
// stale and removed by the next run under the same parent, or by Cleanup.
//
// nsexec writes the cgroup files itself rather than through
// github.com/opencontainers/cgroups or github.com/containerd/cgroups/v3:
// importing them costs every start of nsexec, runs without limits included
// (measured with GODEBUG=inittrace=1 and perf stat on this machine: about
// +0.1 ms of init and 1.5 MB of binary for opencontainers/cgroups, whose
// config types pull in logrus, godbus and crypto; about +0.5 ms for
// containerd's, which pulls in protobuf, zstd and cilium/ebpf). What a run
// needs is a dozen files: resources.go says which, in pure, tested code.
package cgroups
