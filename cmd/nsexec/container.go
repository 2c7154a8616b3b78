package main

import (
	"github.com/spf13/pflag"

	"nsexec/internal/mounts"
	"nsexec/internal/security"
	"nsexec/internal/spec"
)

// containerNamespaces are the kinds a --rootfs run creates unless told
// otherwise: those Docker and Podman give a container (the cgroup one as
// on cgroup v2), but the network. The network stays as asked (-n,
// --network), the host's by default: a rootfs run on the host's network is
// a common choice, and bwrap's default too.
var containerNamespaces = []spec.Namespace{spec.Mount, spec.PID, spec.UTS, spec.IPC, spec.Cgroup}

// containerDefaults gives a --rootfs run what Docker gives a container,
// wherever the command line did not choose otherwise. The spec says what
// each run gets and knows no kind of run: these defaults are nsexec's
// choice (an OCI runtime takes config.json's instead). A run on the host's
// filesystem gets none of them: it keeps the caller's privileges, as
// unshare does.
func containerDefaults(f *pflag.FlagSet, s *spec.Spec) {
	if s.Rootfs.Dir == "" {
		return
	}
	target := s.Join.Target != ""
	// The namespaces of a container, but those shared (--share-KIND) or
	// joined; with --join TARGET only what options ask for is new, the
	// rest is the target's.
	if !target {
		for _, ns := range containerNamespaces {
			if !s.Share[ns] && s.Join.From[ns] == "" {
				s.New[ns] = true
			}
		}
	}
	// Docker's bounding set, which --cap-add and --cap-drop change.
	s.Security.Caps = security.DockerDefaultCaps.Names()
	if !f.Changed("no-new-privs") {
		s.Security.NoNewPrivs = true
	}
	// Docker's seccomp profile; a joined command runs under its target's
	// filter instead (container.joinPart), unless --seccomp says.
	if s.Security.Seccomp == "" && !target {
		s.Security.Seccomp = spec.SeccompDefault
	}
	// The standard devices only, through a device cgroup; without a
	// devices controller, CMD loses CAP_MKNOD instead. Not in a new user
	// namespace, where the kernel refuses every device node already (mknod
	// takes CAP_MKNOD in the host's user namespace) and a device cgroup
	// would need root; not for a joined command, which is under its
	// target's device rules.
	if s.Limits.Devices == "" && !s.Has(spec.User) && !target {
		s.Limits.Devices, s.Limits.DevicesFallback = spec.DevicesDefault, true
	}
	// The paths OCI runtimes protect in /proc and /sys, unless --no-mask.
	if noMask, _ := f.GetBool("no-mask"); !noMask {
		s.Rootfs.MaskedPaths, s.Rootfs.ReadOnlyPaths = mounts.MaskedPaths, mounts.ReadOnlyPaths
	}
}
