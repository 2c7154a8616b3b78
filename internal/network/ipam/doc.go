// Package ipam hands out the addresses of runs on a bridge. Leases live as
// one small file per address in a directory per bridge (under
// /run/nsexec/net/), changed only under an exclusive flock of that
// directory's lock file, so parallel runs never get the same address. Each
// lease names its owner by PID and start time, so a lease whose nsexec was
// killed is recognised as stale and reclaimed rather than leaked.
//
// Choosing an address is pure (Next) and the store only reads and writes
// files, so all of it is tested without root against a temporary directory.
package ipam
