package spec

import "errors"

// Security is the confinement of CMD: capabilities, no_new_privs, seccomp,
// each as the run gets it. Nothing here depends on the kind of run: the
// front end fills in its defaults (nsexec gives a --rootfs run Docker's
// capability set, no_new_privs and Docker's seccomp profile; a plain run
// keeps every capability nsexec holds, with neither).
type Security struct {
	// Caps is the capability set CMD starts from, by name (as
	// CapabilityNames, with or without CAP_, or ALL); nil: every
	// capability nsexec holds, left as they are, as unshare does.
	Caps []string
	// CapAdd and CapDrop change Caps as Docker's options do: ALL in
	// CapDrop empties it and in CapAdd fills it, then single names are
	// dropped, then added.
	CapAdd, CapDrop []string
	NoNewPrivs      bool
	// Seccomp is the profile CMD runs under: SeccompDefault (Docker's), a
	// profile file, or SeccompUnconfined or "" for none. A joined command
	// with none runs under its target's filter.
	Seccomp string
}

// The profiles Security.Seccomp names by a word rather than a file.
const (
	SeccompDefault    = "default"
	SeccompUnconfined = "unconfined"
)

// ContainerRun reports whether s runs with a root filesystem of its own, as
// a container does. It no longer chooses any default (the front end does),
// but CMD of such a run leaves the caller's session (NewSession).
func (s *Spec) ContainerRun() bool { return s.Rootfs.Dir != "" }

// checkSecurity: capability names that exist.
func checkSecurity(s *Spec) error {
	var errs []error
	for _, c := range []struct {
		f     Field
		names []string
	}{{"security.caps", s.Security.Caps}, {"security.capAdd", s.Security.CapAdd}, {"security.capDrop", s.Security.CapDrop}} {
		if err := checkCapNames(c.names); err != nil {
			errs = append(errs, errorf(c.f, "%s: %v", c.f, err))
		}
	}
	return errors.Join(errs...)
}
