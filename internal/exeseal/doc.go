// Package exeseal opens the binary a run executes inside its namespaces
// (today nsexec itself, re-executed as the init) so that nothing inside
// can write the host's file through /proc/PID/exe: CVE-2019-5736, where a
// container's "#!/proc/self/exe" script makes the kernel start the
// runtime's own binary inside, and a process left behind writes it once it
// no longer runs (a running binary cannot be opened for writing, ETXTBSY,
// but that ends with the last process running it).
//
// The child execs the descriptor Open returns (as /proc/self/fd/N), which
// is, in order of preference:
//
//   - the binary on a read-only overlay of its directory, without an upper
//     layer and mounted nowhere (fsopen, fsmount): no one can make that
//     superblock writable, and nothing is left mounted. It costs tens of
//     microseconds, but needs CAP_SYS_ADMIN (root).
//   - a copy in a sealed memfd (as runc, crun, LXC and youki do), when the
//     overlay cannot be made and a process of the run could write the file
//     (root can write any file; see mayBeWritten). It costs a copy of the
//     binary on every run.
//   - the file itself, when the run could not write it anyway: a rootless
//     caller that cannot write a root-owned binary.
package exeseal
