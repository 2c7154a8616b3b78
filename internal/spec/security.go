package spec

import (
	"errors"

	"nsexec/internal/security"
)

// Security is the confinement of CMD: capabilities, no_new_privs, seccomp.
//
// A container run (see ContainerRun) starts from Docker's defaults: its
// bounding set, no_new_privs, and Docker's seccomp profile. A plain run
// keeps what nsexec has always given (every capability nsexec holds, no
// no_new_privs, no seccomp) unless an option asks for more.
type Security struct {
	CapAdd, CapDrop []string // capabilities(7) names, or ALL
	NoNewPrivs      *bool    // nil: the default of the kind of run
	Seccomp         string   // "default", "unconfined", a profile file; "": the default of the kind of run

	// Confinement is what the init applies, computed by the engine from
	// the fields above before anything of the run is created.
	Confinement *security.Confinement
}

// ContainerRun reports whether s gets the container defaults (Docker's
// capabilities, no_new_privs, its seccomp profile, the device allow-list):
// a run with its own root filesystem is a container run; a seed-style run
// on the host's filesystem keeps the caller's privileges, as unshare does.
func (s *Spec) ContainerRun() bool { return s.Rootfs.Dir != "" }

// SecurityChoices are the options of s with each kind of run's defaults
// filled in.
func (s *Spec) SecurityChoices() security.Choices {
	c := security.Choices{
		Container: s.ContainerRun(),
		CapAdd:    s.Security.CapAdd,
		CapDrop:   s.Security.CapDrop,
		Seccomp:   s.Security.Seccomp,
	}
	c.NoNewPrivs = c.Container
	if s.Security.NoNewPrivs != nil {
		c.NoNewPrivs = *s.Security.NoNewPrivs
	}
	if c.Seccomp == "" {
		c.Seccomp = security.SeccompUnconfined
		if c.Container {
			c.Seccomp = security.SeccompDefault
		}
	}
	return c
}

func init() {
	addCheck(func(s *Spec) error {
		var errs []error
		if err := security.CheckCapNames(s.Security.CapAdd); err != nil {
			errs = append(errs, errorf("security.capAdd", "%s: %v", Field("security.capAdd"), err))
		}
		if err := security.CheckCapNames(s.Security.CapDrop); err != nil {
			errs = append(errs, errorf("security.capDrop", "%s: %v", Field("security.capDrop"), err))
		}
		return errors.Join(errs...)
	})
}
