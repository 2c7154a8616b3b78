package nsenter

import (
	"golang.org/x/sys/unix"

	"nsexec/internal/spec"
)

// CloneFlag is the CLONE_NEW* flag of each kind: what setns and
// NS_GET_NSTYPE speak.
var CloneFlag = map[spec.Namespace]int{
	spec.User:   unix.CLONE_NEWUSER,
	spec.Mount:  unix.CLONE_NEWNS,
	spec.UTS:    unix.CLONE_NEWUTS,
	spec.IPC:    unix.CLONE_NEWIPC,
	spec.PID:    unix.CLONE_NEWPID,
	spec.Net:    unix.CLONE_NEWNET,
	spec.Cgroup: unix.CLONE_NEWCGROUP,
	spec.Time:   unix.CLONE_NEWTIME,
}

// kindOf is CloneFlag reversed, to name what NS_GET_NSTYPE found.
func kindOf(flag int) spec.Namespace {
	for k, f := range CloneFlag {
		if f == flag {
			return k
		}
	}
	return spec.Namespace("unknown")
}

// SetnsOrder is the order the init joins in: the user namespace first,
// since it grants the capabilities the others need, and the mount namespace
// last, since after it paths resolve in the target's tree.
var SetnsOrder = []spec.Namespace{spec.User, spec.UTS, spec.IPC, spec.Net, spec.PID, spec.Cgroup, spec.Time, spec.Mount}

// ForChildren names the /proc/PID/ns entry that holds the namespace a
// process's children get: for PID and time namespaces that can differ from
// its own (unshare and setns move only children into them).
func ForChildren(ns spec.Namespace) string {
	if ns == spec.PID || ns == spec.Time {
		return string(ns) + "_for_children"
	}
	return string(ns)
}
