// Package state keeps the record of each named instance, one JSON file per
// name under /run/nsexec (for root; $XDG_RUNTIME_DIR/nsexec otherwise), so
// that `nsexec --list` shows running instances and `nsexec --join NAME`
// finds one.
//
// Records are written whole or not at all (a temporary file, then link or
// rename); taking a name and removing a stale record happen under an
// flock of the directory's lock file, so two runs never get one name. A
// record is stale when its nsexec process or its init is gone; PIDs are
// checked with their start time, so a reused PID does not keep a dead
// instance alive.
package state
