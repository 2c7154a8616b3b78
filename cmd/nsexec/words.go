package main

import (
	"nsexec/internal/spec"
)

// optionOf is the option that sets each field of the spec: the spec's
// errors name fields (spec.FieldError), and nsexec words them as the
// options its user typed. A field missing here keeps its path.
var optionOf = map[spec.Field]string{
	"asPID1":              "--as-pid-1",
	"hostname":            "-u",
	"propagation":         "--propagation",
	"monotonicOffset":     "--monotonic",
	"boottimeOffset":      "--boottime",
	"rootfs.dir":          "--rootfs",
	"rootfs.readOnly":     "--read-only",
	"rootfs.hostnameFile": "--hostname-file",
	"rootfs.mounts":       "mount options",
	"process.dir":         "--chdir",
	"process.env":         "--env",
	"process.tty":         "--tty",
	"security.capAdd":     "--cap-add",
	"security.capDrop":    "--cap-drop",
	"limits.memory":       "--memory",
	"limits.memorySwap":   "--memory-swap",
	"limits.cpus":         "--cpus",
	"limits.cpuShares":    "--cpu-shares",
	"limits.cpuWeight":    "--cpu-weight",
	"limits.cpusetCPUs":   "--cpuset-cpus",
	"limits.pidsLimit":    "--pids-limit",
	"limits.devices":      "--devices",
	"limits.cgroupParent": "--cgroup-parent",
	"limits.rlimits":      "--rlimit",
	"network.mode":        "--network",
	"network.bridge":      "--bridge",
	"network.subnet":      "--subnet",
	"network.subnet6":     "--subnet6",
	"network.ip":          "--ip",
	"network.publish":     "--publish",
	"network.cleanup":     "--network-cleanup",
	"join.target":         "--join",
	"join.name":           "--name",
	"join.list":           "--list",
	"join.json":           "--json",
	"join.unpersist":      "--unpersist",
	"join.persist":        "--persist-KIND",
}

// shortOf is the option that creates each kind of namespace.
var shortOf = map[spec.Namespace]string{
	spec.Net: "-n", spec.PID: "-p", spec.UTS: "-u", spec.Mount: "-m",
	spec.IPC: "-i", spec.User: "-U", spec.Cgroup: "-C", spec.Time: "-T",
}

// optionWord words the fields of s's errors as nsexec's options: the
// table above, the per-kind options (new.pid is -p, join.from.net is
// --join-net), and a mount by the option that made it (--tmpfs).
func optionWord(s *spec.Spec) func(spec.Field) string {
	return func(f spec.Field) string {
		for _, ns := range spec.AllNamespaces {
			switch f {
			case spec.NewField(ns):
				return shortOf[ns]
			case spec.ShareField(ns):
				return "--share-" + spec.FlagName(ns)
			case spec.JoinField(ns):
				return "--join-" + spec.FlagName(ns)
			case spec.PersistField(ns):
				return "--persist-" + spec.FlagName(ns)
			}
		}
		if list, i, _, ok := f.Element(); ok {
			if list == "rootfs.mounts" && i < len(s.Rootfs.Mounts) {
				return "--" + string(s.Rootfs.Mounts[i].Kind)
			}
			f = list
		}
		return optionOf[f]
	}
}

// wordedError is an error of the spec worded in options; it unwraps to
// the spec's own.
type wordedError struct {
	text string
	err  error
}

func (e wordedError) Error() string { return e.text }
func (e wordedError) Unwrap() error { return e.err }

// inOptions words err, an error of s's Validate, in nsexec's options.
func inOptions(s *spec.Spec, err error) error {
	return wordedError{spec.Reword(err, optionWord(s)), err}
}
