// Package procfs reads what nsexec needs to know about a process from
// /proc/PID: its start time and state (stat), identity (status), user
// namespace maps, environment, first child, and mounts (mountinfo).
// Parsing is kept in pure functions, table-tested without root; the Read
// functions open the files with plain system calls (linux.ReadFile).
//
// A PID alone can name a newer process once the old one is gone: a
// process is named for good by its PID and its start time (Alive).
package procfs
