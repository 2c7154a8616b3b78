package spec

import (
	"errors"
)

// ContainerNamespaces are the kinds a container run (--rootfs, see
// ContainerRun) creates unless told otherwise: those Docker and Podman
// give a container (the cgroup one as on cgroup v2), but the network. The
// network stays as asked (-n, --network), the host's by default: a rootfs
// run on the host's network is a common choice, and bwrap's default too.
var ContainerNamespaces = []Namespace{Mount, PID, UTS, IPC, Cgroup}

// containerDefaults creates the container kinds that the run neither
// shares (--share-KIND), nor joins. With --join TARGET only what options
// ask for is new: the rest is the target's.
func (s *Spec) containerDefaults() {
	if !s.ContainerRun() || s.Join.Target != "" {
		return
	}
	for _, ns := range ContainerNamespaces {
		if !s.Share[ns] && s.Join.From[ns] == "" {
			s.New[ns] = true
		}
	}
}

func init() {
	addCheck(func(s *Spec) error {
		var errs []error
		for _, ns := range AllNamespaces {
			if !s.Share[ns] {
				continue
			}
			if s.New[ns] {
				errs = append(errs, errorf(ShareField(ns), "%s namespace: both new and shared%s", ns, impliedBy(s, ns)))
			}
			if s.Join.From[ns] != "" {
				errs = append(errs, errorf(ShareField(ns), "%s namespace: both joined and shared", ns))
			}
		}
		return errors.Join(errs...)
	})
}
