// Package nsenter is the host side of joining and persisting namespaces:
// it opens namespace files and checks their kind (NS_GET_NSTYPE), and binds
// namespaces to files so that they outlive their processes, as `ip netns
// add` does. What a target process is (its start time, user, capabilities,
// environment, children) is read by internal/procfs.
//
// It never calls setns itself: nsexec is a multithreaded Go program, which
// can never join a user namespace and could join a mount namespace only on
// a thread of its own. The C init (internal/initproc/join.c) does every
// setns, single-threaded, before anything else; this package prepares the
// descriptors it receives. Parsing is kept in pure functions, table-tested
// without root.
package nsenter
